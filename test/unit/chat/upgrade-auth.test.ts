import { describe, expect, it } from 'vitest';
import { matchEndpoint } from '../../../src/chat/upgrade-auth.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { buildTenants } from '../../../src/tenants/tenant-context.js';
import { testTenant } from '../../helpers/test-gateway.js';

const config = (tenants: Record<string, unknown>[]) =>
  parseConfig({ publicUrl: 'http://localhost:3000', mockIdp: { enabled: true }, tenants }, { env: {} })
    .config;

describe('matchEndpoint', () => {
  it('finds the sockets at the root with one tenant, ignoring the query', () => {
    const tenants = buildTenants(config([testTenant()]));
    expect(matchEndpoint(tenants, '/ws/visitor?lang=fi')?.endpoint).toBe('visitor');
    expect(matchEndpoint(tenants, '/ws/agent')?.endpoint).toBe('agent');
    expect(matchEndpoint(tenants, '/ws/visitor/')).toBeUndefined();
    expect(matchEndpoint(tenants, 'http://evil.example/ws/visitor')).toBeUndefined();
  });

  it('finds each tenant’s sockets under /t/{id} with several tenants', () => {
    const tenants = buildTenants(config([testTenant(), testTenant({ id: 'other' })]));
    expect(matchEndpoint(tenants, '/t/other/ws/agent')?.tenant.config.id).toBe('other');
    expect(matchEndpoint(tenants, '/t/demo/ws/visitor')?.tenant.config.id).toBe('demo');
    expect(matchEndpoint(tenants, '/ws/visitor')).toBeUndefined();
    expect(matchEndpoint(tenants, '/t/nope/ws/visitor')).toBeUndefined();
  });
});
