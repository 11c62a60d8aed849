import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { productionProblems } from '../../../src/config/production-rules.js';
import { configSchema } from '../../../src/config/schema.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
/** The README's paragraph on production, from "**Production**" to the settings reference. */
const PARAGRAPH = README.slice(
  README.indexOf('**Production** (`NODE_ENV=production`)'),
  README.indexOf('### Settings'),
).replace(/\s+/g, ' ');

/** A configuration every production rule objects to. */
const EVERYTHING_WRONG = configSchema.parse({
  publicUrl: 'http://chat.kommune.example',
  logLevel: 'warn',
  session: { secret: 'changeme-changeme-changeme-changeme' },
  dataKey: 'a'.repeat(32),
  trustProxy: true,
  mockIdp: { enabled: true, port: 3001 },
  store: { type: 'redis', redisUrl: 'redis://redis.internal:6379' },
  mail: { from: 'chat@kommune.example', outboxDir: '.tmp/outbox' },
  tenants: ['a', 'b'].map((id) => ({
    id,
    name: id,
    allowedOrigins: ['http://www.kommune.example'],
    acceptTestIdentities: true,
    providers: [
      {
        id: 'bankid',
        label: 'BankID',
        issuer: 'mock:bankid-no',
        clientId: 'c',
        clientSecret: 'demo-secret-not-for-production',
        claimProfile: 'idura',
      },
    ],
    staff: { issuer: 'http://localhost:9999', clientId: 'staff', clientSecret: 's' },
    handoff: {
      oidcClients: [
        {
          clientId: 'puzzel',
          label: 'Puzzel',
          clientSecret: 'p'.repeat(32),
          redirectUris: ['http://127.0.0.1:9/cb'],
        },
      ],
    },
  })),
});

/** What the paragraph must say for each rule, by the key its finding names (indexes as `N`). */
const DOCUMENTED: Record<string, string> = {
  'mockIdp.enabled': 'the mock IdP',
  'tenants.N.providers.N.issuer': 'a `mock:` issuer',
  'tenants.N.staff.issuer': 'an http broker',
  'session.secret': 'no `session.secret`',
  'tenants.N.handoff.oidcClients.N.clientSecret': 'a guessable `session.secret`, `dataKey` or chat system',
  signingKey: 'no `signingKey`',
  dataKey: 'no `dataKey`',
  publicUrl: 'an http `publicUrl`',
  trustProxy: '`trustProxy: true`',
  logLevel: 'a `logLevel` above `info`',
  'tenants.N.allowedOrigins.N': 'an http allowed origin',
  'tenants.N.staff': 'two tenants on the same staff client',
  'mail.outboxDir': '`mail.outboxDir`',
  'oidcProvider.jwks': 'no `oidcProvider.jwks`',
  'tenants.N.handoff.oidcClients.N': 'http redirect URI',
  'tenants.N.providers.N.clientSecret': "the demo's client secret",
  // Warnings.
  'store.type': 'in-memory store',
  'store.redisUrl': '`redis://` without TLS',
  'tenants.N.acceptTestIdentities': 'accepting test identities',
};

describe('the README on production', () => {
  const { errors, warnings } = productionProblems(EVERYTHING_WRONG);
  const named = (findings: string[]) =>
    new Set(findings.map((finding) => (finding.split(':')[0] ?? '').replace(/\.\d+(?=\.|$)/g, '.N')));

  it('names every refusal and every warning production has', () => {
    const findings = new Set([...named(errors), ...named(warnings)]);
    expect([...findings].filter((key) => !(key in DOCUMENTED)).sort()).toEqual([]);
    const missing = Object.entries(DOCUMENTED).filter(
      ([key, phrase]) => findings.has(key) && !PARAGRAPH.includes(phrase),
    );
    expect(missing).toEqual([]);
  });
});
