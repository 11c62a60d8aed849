import { GatewayError } from '../../src/http/errors.js';

/**
 * The `GatewayError` that `fn` throws, for assertions on its `code`, `status` and `message`.
 * Any other error is rethrown, and returning normally fails the test.
 */
export function errorOf(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}
