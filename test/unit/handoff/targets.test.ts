import { decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { handoffTargetSchema } from '../../../src/config/handoff-schema.js';
import type { HandoffRelease } from '../../../src/handoff/targets/handoff-target.js';
import { createTarget } from '../../../src/handoff/targets/registry.js';
import { ninchatSecret, rsaPrivateJwk, webCryptoRsaJwk } from '../../helpers/handoff-keys.js';
import {
  verifyChatwoot,
  verifyIntercom,
  verifyNinchat,
  verifyOmnichannel,
  verifySalesforce,
  verifyZendesk,
} from '../../helpers/vendor-verifiers.js';

const NOW = 1_800_000_000;
const at = (seconds: number) => new Date(seconds * 1000);

function release(claims: HandoffRelease['claims']): HandoffRelease {
  return {
    subject: 'pseudonym-abc',
    claims,
    loa: 'high',
    acr: 'urn:grn:authn:no:bankid:high',
    provider: 'bankid',
    country: 'NO',
    tenantUrl: 'https://gw.example/t/demo',
    now: NOW,
  };
}

const ALL = {
  name: 'Kari Nordmann',
  givenName: 'Kari',
  familyName: 'Nordmann',
  birthDate: '1990-01-01',
  nationalId: '01019012345',
};

const secret = 'zendesk-shared-secret-0123456789';
const masterKeySecret = ninchatSecret();
const hmacToken = 'chatwoot-inbox-hmac-token-0123';
const messengerSecret = 'intercom-messenger-api-secret-5f2c9a';
let salesforceKey: Record<string, unknown>;
let omnichannelKey: Record<string, unknown>;

beforeAll(async () => {
  salesforceKey = await rsaPrivateJwk('sf-2026');
  omnichannelKey = await rsaPrivateJwk();
});

function target(raw: Record<string, unknown>) {
  return createTarget(handoffTargetSchema.parse({ id: 'desk', label: 'Desk', ...raw }));
}

describe('Zendesk messaging target', () => {
  const config = { vendor: 'zendesk', keyId: 'app_64b8', secret };

  it('issues an HS256 JWT with kid, external_id, scope "user", name and exp that Zendesk accepts', async () => {
    const credential = await target(config).issue(release(ALL));
    expect(credential.format).toBe('jwt');
    const payload = await verifyZendesk(credential.token ?? '', { secret, keyId: 'app_64b8', now: at(NOW) });
    expect(payload).toEqual({
      external_id: 'pseudonym-abc',
      scope: 'user',
      name: 'Kari Nordmann',
      iat: NOW,
      exp: NOW + 300,
    });
    expect(credential.expiresAt).toBe(NOW + 300);
  });

  it('leaves the name out when it was not ticked, and never carries a national id', async () => {
    const credential = await target(config).issue(
      release({ nationalId: '01019012345', birthDate: '1990-01-01' }),
    );
    const payload = await verifyZendesk(credential.token ?? '', { secret, keyId: 'app_64b8', now: at(NOW) });
    expect(Object.keys(payload).sort()).toEqual(['exp', 'external_id', 'iat', 'scope']);
  });

  it('is refused after its lifetime and with another secret', async () => {
    const { token } = await target({ ...config, lifetimeSeconds: 60 }).issue(release(ALL));
    await expect(
      verifyZendesk(token ?? '', { secret, keyId: 'app_64b8', now: at(NOW + 61) }),
    ).rejects.toThrow();
    await expect(
      verifyZendesk(token ?? '', {
        secret: 'another-secret-0123456789abcdef',
        keyId: 'app_64b8',
        now: at(NOW),
      }),
    ).rejects.toThrow();
  });
});

describe('Salesforce Enhanced Chat target', () => {
  const config = () => ({
    vendor: 'salesforce',
    issuer: 'https://gw.example/keyset',
    privateKeyJwk: salesforceKey,
  });

  it('issues an RS256 JWT with kid, iss, sub and exp verifiable with the published JWKS', async () => {
    const t = target(config());
    const { token, expiresAt } = await t.issue(release(ALL));
    const jwks = await t.publicJwks?.();
    expect(jwks?.keys[0]).not.toHaveProperty('d');
    const payload = await verifySalesforce(token ?? '', {
      jwks: jwks as never,
      issuer: 'https://gw.example/keyset',
      now: at(NOW),
    });
    expect(payload).toEqual({
      iss: 'https://gw.example/keyset',
      sub: 'pseudonym-abc',
      iat: NOW,
      exp: NOW + 300,
    });
    expect(expiresAt).toBe(NOW + 300);
    expect(decodeProtectedHeader(token ?? '')).toMatchObject({ alg: 'RS256', kid: 'sf-2026' });
  });

  it('publishes a key exported by WebCrypto (key_ops "sign") so that verifiers accept its tokens', async () => {
    const exported = await webCryptoRsaJwk('webcrypto');
    const t = target({ ...config(), privateKeyJwk: exported });
    const { token } = await t.issue(release({}));
    const jwks = (await t.publicJwks?.()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys[0]).not.toHaveProperty('key_ops');
    expect(jwks.keys[0]).not.toHaveProperty('ext');
    await expect(
      verifySalesforce(token ?? '', {
        jwks: jwks as never,
        issuer: 'https://gw.example/keyset',
        now: at(NOW),
      }),
    ).resolves.toBeTruthy();
  });

  it('defaults iss to the tenant URL and is refused after exp', async () => {
    const t = target({ vendor: 'salesforce', privateKeyJwk: salesforceKey });
    const { token } = await t.issue(release({}));
    const jwks = (await t.publicJwks?.()) as never;
    await expect(
      verifySalesforce(token ?? '', { jwks, issuer: 'https://gw.example/t/demo', now: at(NOW) }),
    ).resolves.toBeTruthy();
    await expect(
      verifySalesforce(token ?? '', { jwks, issuer: 'https://gw.example/t/demo', now: at(NOW + 301) }),
    ).rejects.toThrow();
  });
});

describe('Ninchat secure metadata target', () => {
  const config = (extra: Record<string, unknown> = {}) => ({
    vendor: 'ninchat',
    masterKeyId: '22nlihvg',
    masterKeySecret,
    ...extra,
  });

  it('issues a dir/A256GCM JWE with the master key id whose metadata holds the ticked claims', async () => {
    const { token, format } = await target(config()).issue(
      release({ name: 'Kari Nordmann', birthDate: '1990-01-01' }),
    );
    expect(format).toBe('jwe');
    const metadata = await verifyNinchat(token ?? '', {
      masterKeyId: '22nlihvg',
      masterKeySecret,
      now: at(NOW),
    });
    expect(metadata).toEqual({
      verified_name: 'Kari Nordmann',
      verified_birth_date: '1990-01-01',
      loa: 'high',
      eid_provider: 'bankid',
      subject: 'pseudonym-abc',
    });
  });

  it('uses the configured field names and carries the national id only when released', async () => {
    const names = { fieldNames: { nationalId: 'Henkilötunnus', name: 'Nimi' }, releaseNationalId: true };
    const { token } = await target(config(names)).issue(release(ALL));
    const metadata = await verifyNinchat(token ?? '', {
      masterKeyId: '22nlihvg',
      masterKeySecret,
      now: at(NOW),
    });
    expect(metadata).toMatchObject({ Henkilötunnus: '01019012345', Nimi: 'Kari Nordmann' });
  });

  it('is refused after its lifetime and under another key', async () => {
    const { token } = await target(config()).issue(release(ALL));
    await expect(
      verifyNinchat(token ?? '', { masterKeyId: '22nlihvg', masterKeySecret, now: at(NOW + 301) }),
    ).rejects.toThrow();
    await expect(
      verifyNinchat(token ?? '', { masterKeyId: '22nlihvg', masterKeySecret: ninchatSecret(), now: at(NOW) }),
    ).rejects.toThrow();
  });
});

describe('Microsoft Omnichannel target', () => {
  it('issues an RS256 JWT with sub, iss, iat, exp, nbf and lwicontexts of primitives', async () => {
    const t = target({
      vendor: 'omnichannel',
      issuer: 'kommune.example',
      privateKeyJwk: omnichannelKey,
      fieldNames: { name: 'msdyn_verifiedname' },
    });
    const { token } = await t.issue(release({ name: 'Kari Nordmann' }));
    const { importJWK, exportSPKI } = await import('jose');
    const jwk = (await t.publicJwks?.())?.keys[0] ?? {};
    const publicKeyPem = await exportSPKI((await importJWK(jwk, 'RS256', { extractable: true })) as never);
    const { payload, context } = await verifyOmnichannel(token ?? '', { publicKeyPem, now: at(NOW) });
    expect(payload).toMatchObject({
      sub: 'pseudonym-abc',
      iss: 'kommune.example',
      iat: NOW,
      nbf: NOW,
      exp: NOW + 300,
    });
    expect(context).toEqual({ msdyn_verifiedname: 'Kari Nordmann', loa: 'high', eid_provider: 'bankid' });
    await expect(verifyOmnichannel(token ?? '', { publicKeyPem, now: at(NOW + 301) })).rejects.toThrow();
  });
});

describe('Chatwoot identity validation target', () => {
  it('answers the identifier with its HMAC-SHA256 hash, the name and custom attributes', async () => {
    const { fields, format, expiresAt } = await target({ vendor: 'chatwoot', hmacToken }).issue(
      release({ name: 'Kari Nordmann', nationalId: '01019012345' }),
    );
    expect(format).toBe('hmac');
    expect(expiresAt).toBeUndefined();
    verifyChatwoot(fields ?? {}, hmacToken);
    expect(() => verifyChatwoot(fields ?? {}, 'another-hmac-token-0123456789')).toThrow();
    expect(fields).toMatchObject({ identifier: 'pseudonym-abc', name: 'Kari Nordmann' });
  });
});

describe('Intercom Messenger security target', () => {
  const config = { vendor: 'intercom', secret: messengerSecret };

  it('issues an HS256 JWT with user_id, the name, the released fields as attributes and exp that Intercom accepts', async () => {
    const credential = await target({ ...config, releaseNationalId: true }).issue(release(ALL));
    expect(credential.format).toBe('jwt');
    expect(decodeProtectedHeader(credential.token ?? '')).toEqual({ alg: 'HS256', typ: 'JWT' });
    const payload = await verifyIntercom(credential.token ?? '', { secret: messengerSecret, now: at(NOW) });
    expect(payload).toEqual({
      user_id: 'pseudonym-abc',
      name: 'Kari Nordmann',
      verified_name: 'Kari Nordmann',
      verified_birth_date: '1990-01-01',
      national_id: '01019012345',
      loa: 'high',
      eid_provider: 'bankid',
      iat: NOW,
      exp: NOW + 300,
    });
    expect(credential.expiresAt).toBe(NOW + 300);
  });

  it('carries only what was released: no name when it was not ticked', async () => {
    const credential = await target({ ...config, fieldNames: { loa: 'assurance' } }).issue(
      release({ birthDate: '1990-01-01' }),
    );
    const payload = await verifyIntercom(credential.token ?? '', { secret: messengerSecret, now: at(NOW) });
    expect(payload).toEqual({
      user_id: 'pseudonym-abc',
      verified_birth_date: '1990-01-01',
      assurance: 'high',
      eid_provider: 'bankid',
      iat: NOW,
      exp: NOW + 300,
    });
  });

  it('is refused after its lifetime and with another secret', async () => {
    const { token } = await target({ ...config, lifetimeSeconds: 60 }).issue(release(ALL));
    await expect(
      verifyIntercom(token ?? '', { secret: messengerSecret, now: at(NOW + 61) }),
    ).rejects.toThrow();
    await expect(
      verifyIntercom(token ?? '', { secret: 'another-messenger-secret-0123', now: at(NOW) }),
    ).rejects.toThrow();
  });
});

/** An RSA private JWK's shape (the schema checks members, start-up the key itself). */
const RSA_SHAPE = { kty: 'RSA', n: 'n', e: 'AQAB', d: 'd' };

describe('hand-off target configuration', () => {
  const table: Array<[string, Record<string, unknown>]> = [
    ['a Zendesk target without a key id', { vendor: 'zendesk', secret }],
    [
      'a Ninchat secret that is not 32 bytes',
      { vendor: 'ninchat', masterKeyId: 'k', masterKeySecret: 'c2hvcnQ=' },
    ],
    [
      'a Salesforce key that is not RSA',
      { vendor: 'salesforce', privateKeyJwk: { kty: 'EC', d: 'x', crv: 'P-256' } },
    ],
    [
      'a national id release for Zendesk (no field for it)',
      { vendor: 'zendesk', keyId: 'k', secret, releaseNationalId: true },
    ],
    ['a lifetime over an hour', { vendor: 'zendesk', keyId: 'k', secret, lifetimeSeconds: 7200 }],
    ['an unknown vendor', { vendor: 'giosg', secret }],
    ['an Intercom target without its Messenger API secret', { vendor: 'intercom' }],
    [
      'an Intercom field named like a key of the token (user_id would replace the subject)',
      { vendor: 'intercom', secret: messengerSecret, fieldNames: { name: 'user_id' } },
    ],
    [
      'an Intercom field named exp (read as the token’s lifetime)',
      { vendor: 'intercom', secret: messengerSecret, fieldNames: { loa: 'exp' } },
    ],
    [
      'the national id under the name’s field name (one would overwrite the other)',
      {
        vendor: 'omnichannel',
        privateKeyJwk: RSA_SHAPE,
        releaseNationalId: true,
        fieldNames: { nationalId: 'verified_name' },
      },
    ],
    ['the name under the level’s field name', { vendor: 'chatwoot', hmacToken, fieldNames: { name: 'loa' } }],
    [
      'a Ninchat field named "subject" (the pseudonymous subject’s key)',
      { vendor: 'ninchat', masterKeyId: 'k', masterKeySecret, fieldNames: { name: 'subject' } },
    ],
  ];
  for (const [what, raw] of table) {
    it(`refuses ${what}`, () => {
      expect(handoffTargetSchema.safeParse({ id: 'desk', label: 'Desk', ...raw }).success).toBe(false);
    });
  }
});
