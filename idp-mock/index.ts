/**
 * Mock OpenID Provider for offline development and tests: one HTTP server hosting the issuers
 * `bankid-no`, `ftn-fi`, `signicat`, `idporten` and `staff` under `${baseUrl}/${id}`.
 */

export { MockIdpConfigError } from './config-error.js';
export { DEFAULT_CONFIG_PATH, loadMockIdpConfig } from './config-loader.js';
export { ISSUER_IDS, type IssuerId } from './issuer-ids.js';
export { createMockIdp, type MockIdp } from './mock-idp.js';
export { startMockIdpThread } from './mock-idp-thread.js';
export {
  CLIENT_AUTH_METHODS,
  type MockClient,
  type MockIdpConfig,
  type MockIdpLogger,
  type MockIdpOptions,
  parseMockIdpConfig,
} from './options.js';
export { BUILTIN_PERSONAS, type Persona, STAFF_ROLES, type StaffRole } from './personas.js';
