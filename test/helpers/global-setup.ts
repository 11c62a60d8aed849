import { buildAssets } from '../../src/web/build-assets.js';

/**
 * Vitest global setup: builds the browser bundles once before any test file runs, so the
 * browser tests (and any test fetching `/static/*.js`) get the current client code.
 */
export async function setup(): Promise<void> {
  await buildAssets({ production: false });
}
