import { sameOriginPath } from '../http/safe-redirect.js';

/**
 * A login's or withdrawal's `returnTo`: a same-origin path as decided by
 * {@link sameOriginPath} (the same check runs again where it becomes a `Location`). A missing
 * value becomes `fallback`; anything else that is not such a path is refused, not repaired.
 * @throws {GatewayError} `return_to_invalid` (400).
 */
export function safeReturnTo(value: unknown, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  return sameOriginPath(value);
}
