import { describe, expect, it } from 'vitest';
import { BUILTIN_PERSONAS } from '../../../idp-mock/index.js';
import { PortInUseError, relaxedSettings, startUpBanner } from '../../../src/runtime/start-up.js';

const DEMO = {
  id: 'demo',
  name: 'Demo Municipality',
  baseUrl: 'http://localhost:3000',
  hasStaff: true,
  mockProviders: [
    { label: 'BankID', issuerId: 'bankid-no' },
    { label: 'Suomi.fi', issuerId: 'ftn-fi' },
    { label: 'ID-porten', issuerId: 'idporten' },
  ],
  mockStaffIssuer: 'staff',
};

describe('startUpBanner', () => {
  const banner = startUpBanner({
    production: false,
    tenants: [DEMO],
    mockIdp: { baseUrl: 'http://localhost:3001', personas: BUILTIN_PERSONAS },
  });

  it('names the landing page, the chat, the console and the mock IdP', () => {
    expect(banner).toContain('Landing page:   http://localhost:3000/\n');
    expect(banner).toContain('Visitor chat:   http://localhost:3000/chat\n');
    expect(banner).toContain('Agent console:  http://localhost:3000/agent\n');
    expect(banner).toContain('Mock IdP (synthetic test identities only): http://localhost:3001/\n');
    expect(banner).toContain('PORT and MOCK_IDP_PORT choose other ports');
  });

  it('names one working citizen persona per provider and the staff personas of the tenant', () => {
    expect(banner).toContain(
      'As a citizen, log in as "Kari Nordmann" (BankID, ID-porten); "Matti Meikäläinen" (Suomi.fi)\n',
    );
    expect(banner).toMatch(
      /As staff \(console, staff tools\), log in as "Alex Agent \(agent\)", .*"Sigurd Security \(security officer\)"/,
    );
    // Negative-test personas and another tenant's staff are not offered to a newcomer.
    expect(banner).not.toMatch(/invalid id|Otto Other/);
  });

  it('leaves out the console for a tenant without staff login and personas without the mock IdP', () => {
    const plain = startUpBanner({ production: true, tenants: [{ ...DEMO, hasStaff: false }] });
    expect(plain).toContain('(production)');
    expect(plain).not.toMatch(/Agent console|log in as|Mock IdP/);
  });
});

describe('relaxedSettings', () => {
  it('reduces the development warnings to their keys, one per provider list', () => {
    expect(
      relaxedSettings([
        'mockIdp.enabled: the mock IdP must not run in production',
        'tenants.0.providers.0.issuer: the mock IdP must not be used in production',
        'tenants.0.providers.2.issuer: the mock IdP must not be used in production',
        'tenants.1.providers.0.issuer: the mock IdP must not be used in production',
        'store.type: "memory" keeps sessions and chats in this process only (one instance)',
      ]),
    ).toEqual([
      'mockIdp.enabled',
      'tenants.0.providers.*.issuer',
      'tenants.1.providers.*.issuer',
      'store.type',
    ]);
  });
});

describe('PortInUseError', () => {
  it('names the setting and the environment override in one line', () => {
    const error = new PortInUseError('The gateway', 'port', 3000, 'PORT');
    expect(error.message).toBe(
      'The gateway cannot listen: port 3000 is already in use (setting "port"; choose another with PORT=<port>, e.g. PORT=3010).',
    );
    expect(error.message).not.toContain('\n');
  });
});
