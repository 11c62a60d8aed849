import { describe, expect, it } from 'vitest';
import type { SharedIdentity } from '../../../src/auth/session-state.js';
import { mayStartTopic, providerChoices, topicShortfall } from '../../../src/chat/topic-policy.js';
import { parseConfig } from '../../../src/config/load-config.js';
import type { TopicConfig } from '../../../src/config/schema.js';
import { buildTenants } from '../../../src/tenants/tenant-context.js';
import { testTenant } from '../../helpers/test-gateway.js';

const restricted: TopicConfig = {
  id: 'tax-case',
  title: 'Tax',
  requiresIdentification: { minimumLoa: 'substantial', claims: ['name', 'nationalId'] },
};

function shared(overrides: Partial<SharedIdentity> = {}): SharedIdentity {
  return {
    provider: 'bankid',
    country: 'NO',
    loa: 'substantial',
    acr: 'urn:grn:authn:no:bankid:substantial',
    claimNames: ['name', 'nationalId'],
    claims: { name: 'Kari Nordmann', nationalId: '12838540056' },
    subjectIndex: 'idx',
    receiptId: 'r1',
    sharedAt: 0,
    ...overrides,
  };
}

describe('topicShortfall (what the visitor is told is missing)', () => {
  it('names nothing for a topic without requirement or a visitor who meets it', () => {
    expect(topicShortfall({ id: 'general', title: 'General' }, undefined)).toBeUndefined();
    expect(topicShortfall(restricted, shared())).toBeUndefined();
  });

  it('tells apart not identified, identified too weakly and sharing too little, with the claims needed', () => {
    const claims = ['name', 'nationalId'];
    expect(topicShortfall(restricted, undefined)).toEqual({ reason: 'not-identified', claims });
    expect(topicShortfall(restricted, shared({ loa: 'low' }))).toEqual({ reason: 'loa-too-low', claims });
    expect(topicShortfall(restricted, shared({ claimNames: ['name'], claims: { name: 'Kari' } }))).toEqual({
      reason: 'claims-missing',
      claims,
    });
  });
});

describe('mayStartTopic', () => {
  it('lets anyone start a topic without requirement', () => {
    expect(mayStartTopic({ id: 'general', title: 'General' }, undefined)).toBe(true);
  });

  it('refuses an anonymous visitor a restricted topic', () => {
    expect(mayStartTopic(restricted, undefined)).toBe(false);
  });

  it('requires the minimum LoA and every required claim to have been shared', () => {
    expect(mayStartTopic(restricted, shared())).toBe(true);
    expect(mayStartTopic(restricted, shared({ loa: 'low' }))).toBe(false);
    expect(mayStartTopic(restricted, shared({ claimNames: ['name'] }))).toBe(false);
    expect(
      mayStartTopic(restricted, shared({ loa: 'high', claimNames: ['name', 'nationalId', 'birthDate'] })),
    ).toBe(true);
  });
});

describe('providerChoices', () => {
  it('builds basePath-prefixed login links returning to /chat/identified, naming no conversation', () => {
    const loaded = parseConfig(
      {
        publicUrl: 'http://localhost:3000',
        mockIdp: { enabled: true },
        tenants: [testTenant(), testTenant({ id: 'other' })],
      },
      { env: {} },
    );
    const [demo] = buildTenants(loaded.config);
    if (!demo) throw new Error('no tenant');
    const [first] = providerChoices(demo, 'en');
    expect(first).toEqual({
      id: 'bankid',
      label: 'BankID',
      loginUrl: '/t/demo/auth/bankid/login?returnTo=%2Ft%2Fdemo%2Fchat%2Fidentified',
    });
  });
});
