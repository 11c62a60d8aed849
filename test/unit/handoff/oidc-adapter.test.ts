import { errors } from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import { oidcAdapterFactory } from '../../../src/handoff/oidc/oidc-adapter.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { MemoryOidcState } from '../../../src/store/memory-oidc-state.js';

describe('the OpenID Provider’s adapter', () => {
  it('answers the later of two redemptions that read one code before either consumed it with invalid_grant, and revokes the grant', async () => {
    const clock = new ManualClock(Date.now());
    const state = new MemoryOidcState(clock);
    const adapter = oidcAdapterFactory(state, 'demo', clock);
    const codes = adapter('AuthorizationCode');
    await adapter('Grant').upsert('g1', { accountId: 'a' }, 300);
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    // The winner's access token, issued before the later redemption is refused.
    await adapter('AccessToken').upsert('t1', { grantId: 'g1' }, 300);

    // oidc-provider finds the code, checks `consumed`, then consumes: both found it unconsumed.
    expect((await codes.find('c1'))?.consumed).toBeUndefined();
    expect((await codes.find('c1'))?.consumed).toBeUndefined();
    await codes.consume('c1');
    await expect(codes.consume('c1')).rejects.toBeInstanceOf(errors.InvalidGrant);

    // RFC 6749 §4.1.2: what the code gave is revoked, as oidc-provider does on a later replay.
    expect(await adapter('AccessToken').find('t1')).toBeUndefined();
    expect(await adapter('Grant').find('g1')).toBeUndefined();
  });

  it('refuses the second of two uses of one client assertion or DPoP proof that both found it unused', async () => {
    const clock = new ManualClock(Date.now());
    const replays = oidcAdapterFactory(new MemoryOidcState(clock), 'demo', clock)('ReplayDetection');
    // oidc-provider's ReplayDetection.unique: find, then save; both requests found nothing.
    expect(await replays.find('j1')).toBeUndefined();
    expect(await replays.find('j1')).toBeUndefined();
    await replays.upsert('j1', { iss: 'puzzel' }, 60);
    await expect(replays.upsert('j1', { iss: 'puzzel' }, 60)).rejects.toMatchObject({
      status: 400,
      error: 'invalid_request',
    });
  });
});
