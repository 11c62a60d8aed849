import { describe, expect, it } from 'vitest';
import { authorizeStaff, mapStaffRoles } from '../../../src/auth/staff-roles.js';
import { errorOf } from '../../helpers/gateway-error.js';

/**
 * The staff IdP's role and tenant claims as an attacker or a misconfigured IdP may send them:
 * only a value that is (or maps to) a gateway role counts, in the employee's own tenant.
 */
const plain = { roleClaim: 'roles' } as const;
const mapped = { roleClaim: 'roles', roleMap: { 'Chat.Agent': 'agent', 'Chat.Admin': 'admin' } } as const;

describe('mapStaffRoles', () => {
  it('reads one role or an array of roles, in the gateway’s order, each once', () => {
    expect(mapStaffRoles({ roles: 'agent' }, plain)).toEqual(['agent']);
    expect(mapStaffRoles({ roles: ['admin', 'agent', 'agent'] }, plain)).toEqual(['agent', 'admin']);
  });

  it.each([
    ['missing', {}],
    ['null', { roles: null }],
    ['an object', { roles: { agent: true } }],
    ['a number', { roles: 1 }],
    ['nested arrays', { roles: [['admin']] }],
    ['unknown values only', { roles: ['superuser', 'root', 'Agent', ' agent', 'agent '] }],
    ['names of Object.prototype', { roles: ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] }],
  ])('gives no role for a role claim that is %s', (_what, claims) => {
    expect(mapStaffRoles(claims, plain)).toEqual([]);
    expect(mapStaffRoles(claims, mapped)).toEqual([]);
  });

  it('keeps the known roles of a claim that also holds unknown ones', () => {
    expect(mapStaffRoles({ roles: ['superuser', 'supervisor', 42, null] }, plain)).toEqual(['supervisor']);
  });

  it('with roleMap counts mapped values only, not gateway role names the map does not list', () => {
    expect(mapStaffRoles({ roles: ['Chat.Agent'] }, mapped)).toEqual(['agent']);
    expect(mapStaffRoles({ roles: ['admin', 'security'] }, mapped)).toEqual([]);
  });
});

describe('authorizeStaff', () => {
  const tenanted = { ...plain, tenantClaim: 'tenant' };

  it('answers staff_no_role (403) for an employee without a gateway role', () => {
    const error = errorOf(() => authorizeStaff({ roles: ['reader'] }, plain, 'demo'));
    expect(error.code).toBe('staff_no_role');
    expect(error.status).toBe(403);
  });

  it.each([
    ['another tenant', { tenant: 'other' }],
    ['no tenant claim', {}],
    ['the tenant in another case', { tenant: 'DEMO' }],
    ['the tenant in an array with another', { tenant: ['demo', 'other'] }],
    ['the tenant with whitespace', { tenant: 'demo ' }],
  ])('answers staff_wrong_tenant (403) for %s, whatever its roles', (_what, claims) => {
    const error = errorOf(() => authorizeStaff({ ...claims, roles: ['admin'] }, tenanted, 'demo'));
    expect(error.code).toBe('staff_wrong_tenant');
    expect(error.status).toBe(403);
  });

  it('signs in an employee of this tenant with their roles', () => {
    expect(authorizeStaff({ tenant: 'demo', roles: ['agent'] }, tenanted, 'demo')).toEqual(['agent']);
  });
});
