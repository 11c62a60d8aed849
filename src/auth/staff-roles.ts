import type { StaffConfig, StaffRole } from '../config/schema.js';
import { ROLES } from '../config/schema.js';
import { GatewayError } from '../http/errors.js';

/** Roles that may use the agent console (answer chats); security officers (CERT) have their own tools. */
export const CONSOLE_ROLES: readonly StaffRole[] = ['agent', 'supervisor', 'admin'];

/**
 * Reads the gateway roles from the staff IdP's ID token: the `roleClaim` holds one value or an
 * array (Entra ID app roles); each value goes through `roleMap` when one is configured (then
 * only mapped values count, so a broad IdP role cannot turn into a console role by accident),
 * otherwise a value counts when it is a gateway role name itself.
 */
export function mapStaffRoles(
  claims: Record<string, unknown>,
  staff: Pick<StaffConfig, 'roleClaim' | 'roleMap'>,
): StaffRole[] {
  const raw = claims[staff.roleClaim];
  const values =
    typeof raw === 'string'
      ? [raw]
      : Array.isArray(raw)
        ? raw.filter((v): v is string => typeof v === 'string')
        : [];
  const roles = new Set<StaffRole>();
  for (const value of values) {
    // Own properties only: an IdP role named `constructor` maps to nothing, not to Object.
    const role = staff.roleMap
      ? Object.hasOwn(staff.roleMap, value)
        ? staff.roleMap[value]
        : undefined
      : (ROLES as readonly string[]).includes(value)
        ? (value as StaffRole)
        : undefined;
    if (role) roles.add(role);
  }
  return ROLES.filter((role) => roles.has(role));
}

/**
 * Checks that the employee belongs to this tenant (multi-tenant staff IdPs put the
 * organisation in a claim) and holds at least one gateway role.
 * @throws {GatewayError} `staff_wrong_tenant` (403), `staff_no_role` (403).
 */
export function authorizeStaff(
  claims: Record<string, unknown>,
  staff: Pick<StaffConfig, 'roleClaim' | 'roleMap' | 'tenantClaim'>,
  tenantId: string,
): StaffRole[] {
  if (staff.tenantClaim && claims[staff.tenantClaim] !== tenantId) {
    throw new GatewayError('staff_wrong_tenant', 'This account belongs to another organisation.', {
      status: 403,
    });
  }
  const roles = mapStaffRoles(claims, staff);
  if (roles.length === 0) {
    throw new GatewayError('staff_no_role', 'This account has no role in the chat service.', { status: 403 });
  }
  return roles;
}
