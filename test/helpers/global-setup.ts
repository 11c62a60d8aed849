import { buildAssets } from '../../src/web/build-assets.js';
import { resolveChromium } from '../e2e/chromium.js';

/**
 * Vitest global setup: builds the browser bundles once before any test file runs, so the
 * browser tests (and any test fetching `/static/*.js`) get the current client code, and finds
 * (or extracts, on first use) the Chromium the browser tests launch, once, before the test
 * files run in parallel workers that would otherwise race to extract it.
 */
export async function setup(): Promise<void> {
  await buildAssets({ production: false });
  await resolveChromium();
}
