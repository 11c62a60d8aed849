import { z } from 'zod';

/**
 * Ids appear in URLs and keys: lower-case letters, digits and dashes. Not `constructor`: tenant
 * ids key plain objects in the session (`citizens[tenantId]`), where it would find Object's.
 */
export const slug = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected lower-case letters, digits and dashes, starting with a letter')
  .refine((id) => !(id in Object.prototype), 'a name JavaScript objects already have');
