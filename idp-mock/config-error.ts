/**
 * Invalid options or config of the mock IdP: the one error class for "you configured it
 * wrong", whose message names each bad key. A `TypeError`, as for any bad argument.
 */
export class MockIdpConfigError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'MockIdpConfigError';
  }
}
