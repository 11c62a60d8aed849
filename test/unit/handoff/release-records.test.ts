import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  indexVisitorRelease,
  revokeVisitorReleases,
  type VisitorRelease,
  watchRevocations,
} from '../../../src/handoff/oidc/release-records.js';
import { FieldCrypto } from '../../../src/privacy/field-crypto.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { MemoryOidcState } from '../../../src/store/memory-oidc-state.js';

const crypto = new FieldCrypto(randomBytes(32).toString('base64url'));

function release(grantId: string, subjectIndex: string, expiresAt: number): VisitorRelease {
  return {
    grantId,
    expiresAt,
    clientId: 'puzzel',
    clientLabel: 'Puzzel',
    provider: 'mock',
    loa: 'high',
    acr: 'urn:mock:high',
    subjectIndex,
    claimNames: ['name'],
  };
}

async function grant(state: MemoryOidcState, grantId: string, expiresAt: number): Promise<void> {
  await state.upsert(`demo:Grant:${grantId}`, { accountId: 'a' }, expiresAt, { prefix: 'demo' });
  await state.upsert(`demo:AccessToken:t-${grantId}`, { grantId }, expiresAt, { prefix: 'demo', grantId });
}

describe('the index of what a browser released to chat systems', () => {
  it('keeps both of two releases made at once, so the withdrawal revokes both', async () => {
    const clock = new ManualClock(Date.now());
    const state = new MemoryOidcState(clock);
    const until = clock.now() + 600_000;
    await grant(state, 'g1', until);
    await grant(state, 'g2', until);
    const where = { tenantId: 'demo', visitorId: 'v1', now: clock.now() };
    // Two chat systems' consent pages answered at the same moment in one browser.
    await Promise.all([
      indexVisitorRelease(state, crypto, where, release('g1', 's1', until)),
      indexVisitorRelease(state, crypto, where, release('g2', 's1', until)),
    ]);

    const revoked = await revokeVisitorReleases(state, crypto, { ...where, now: clock.now() });
    expect(revoked.map((r) => r.grantId).sort()).toEqual(['g1', 'g2']);
    for (const id of ['g1', 'g2']) {
      expect(await state.find(`demo:Grant:${id}`)).toBeUndefined();
      expect(await state.find(`demo:AccessToken:t-${id}`)).toBeUndefined();
    }
    expect(await revokeVisitorReleases(state, crypto, { ...where, now: clock.now() })).toEqual([]);
  });

  it('keeps the releases of the subject still logged in, and forgets expired ones', async () => {
    const clock = new ManualClock(Date.now());
    const state = new MemoryOidcState(clock);
    const where = { tenantId: 'demo', visitorId: 'v1' };
    await indexVisitorRelease(state, crypto, where, release('mine', 's1', clock.now() + 600_000));
    await indexVisitorRelease(state, crypto, where, release('theirs', 's2', clock.now() + 600_000));
    await indexVisitorRelease(state, crypto, where, release('old', 's2', clock.now() + 1_000));
    await indexVisitorRelease(
      state,
      crypto,
      { tenantId: 'demo', visitorId: 'v2' },
      release('other', 's2', clock.now() + 600_000),
    );
    clock.advance(2_000);

    const revoked = await revokeVisitorReleases(state, crypto, {
      ...where,
      now: clock.now(),
      keepSubject: 's1',
    });
    expect(revoked.map((r) => r.grantId)).toEqual(['theirs']);
    const all = await revokeVisitorReleases(state, crypto, { ...where, now: clock.now() });
    expect(all.map((r) => r.grantId)).toEqual(['mine']);
    // Another browser's release is not this one's to revoke.
    expect(
      (
        await revokeVisitorReleases(state, crypto, { tenantId: 'demo', visitorId: 'v2', now: clock.now() })
      ).map((r) => r.grantId),
    ).toEqual(['other']);
  });

  it('still revokes releases indexed in the one list per visitor kept before, and keeps the kept ones in the new index', async () => {
    const clock = new ManualClock(Date.now());
    const state = new MemoryOidcState(clock);
    const until = clock.now() + 600_000;
    await grant(state, 'before', until);
    await state.upsert(
      'demo:VisitorReleases:v1',
      { sealed: crypto.seal([release('before', 's2', until), release('kept', 's1', until)]) },
      until,
      { prefix: 'demo' },
    );
    const where = { tenantId: 'demo', visitorId: 'v1' };
    const revoked = await revokeVisitorReleases(state, crypto, {
      ...where,
      now: clock.now(),
      keepSubject: 's1',
    });
    expect(revoked.map((r) => r.grantId)).toEqual(['before']);
    expect(await state.find('demo:AccessToken:t-before')).toBeUndefined();
    expect(await state.find('demo:VisitorReleases:v1')).toBeUndefined();
    const rest = await revokeVisitorReleases(state, crypto, { ...where, now: clock.now() });
    expect(rest.map((r) => r.grantId)).toEqual(['kept']);
  });
});

describe('a release made while the visitor’s releases are revoked', () => {
  const where = { tenantId: 'demo', visitorId: 'v1' };

  it('misses a revocation that listed the releases before this one was indexed, and one still running', async () => {
    const clock = new ManualClock(Date.now());
    const state = new MemoryOidcState(clock);
    const until = clock.now() + 600_000;
    const watch = await watchRevocations(state, crypto, where);
    // The withdrawal in the other tab lists (nothing yet) and revokes before the index write.
    expect(await revokeVisitorReleases(state, crypto, { ...where, now: clock.now() })).toEqual([]);
    await indexVisitorRelease(state, crypto, where, release('g1', 's1', until));
    expect(await watch.missed('s1')).toBe(true);

    // One that marked itself running before the watch began is missed too.
    const stalled = new MemoryOidcState(clock);
    await stalled.upsert('demo:ReleaseRevocation:r1', { sealed: crypto.seal({ running: true }) }, until, {
      prefix: 'demo',
      owner: 'revocations:v1',
    });
    const late = await watchRevocations(stalled, crypto, where);
    expect(await late.missed('s1')).toBe(true);
  });

  it('does not miss a revocation done before it began, nor one that keeps its subject', async () => {
    const clock = new ManualClock(Date.now());
    const state = new MemoryOidcState(clock);
    await revokeVisitorReleases(state, crypto, { ...where, now: clock.now() });
    const watch = await watchRevocations(state, crypto, where);
    await revokeVisitorReleases(state, crypto, { ...where, now: clock.now(), keepSubject: 's1' });
    expect(await watch.missed('s1')).toBe(false);
    // The same revocation would have revoked another citizen's release.
    expect(await watch.missed('s2')).toBe(true);
    // Another visitor's revocations are not this one's.
    const other = await watchRevocations(state, crypto, { tenantId: 'demo', visitorId: 'v2' });
    await revokeVisitorReleases(state, crypto, { ...where, now: clock.now() });
    expect(await other.missed('s1')).toBe(false);
  });
});
