import { z } from 'zod';

/** Ids appear in URLs and keys: lower-case letters, digits and dashes. */
export const slug = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected lower-case letters, digits and dashes, starting with a letter');
