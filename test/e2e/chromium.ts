import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/web/asset-paths.js';

/** Debian's chromium; `.ci/run` installs it (apt-get install chromium) when missing. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots for a human to look at; `.tmp/` is git-ignored. */
export const SCREENSHOT_DIR = join(PROJECT_ROOT, '.tmp', 'screenshots');

/**
 * Launches headless chromium for the browser tests. A missing browser is a failure with the
 * fix in the message, never a skip: the suite must not pass without having run these tests.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it with "apt-get install -y chromium" (.ci/run does this) or set CHROMIUM_PATH.`,
    );
  }
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The part of an axe-core result this file reads. */
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** One axe-core finding, reduced to what a failure message needs. */
export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

const AXE_SOURCE = join(PROJECT_ROOT, 'node_modules', 'axe-core', 'axe.min.js');

/**
 * Runs axe-core (WCAG 2.x A/AA and best practices) in the page and returns the violations of
 * impact serious or critical. `page.addScriptTag` would insert axe as an inline script, which
 * the gateway's CSP (rightly) blocks; evaluating the source through the DevTools protocol is
 * not subject to CSP, so the pages are tested with their real policy in force.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  // The callbacks run in the page; `globalThis` is its window (this file compiles without DOM types).
  const hasAxe = await page.evaluate(() => 'axe' in globalThis);
  if (!hasAxe) await page.evaluate(await readFile(AXE_SOURCE, 'utf8'));
  const violations = await page.evaluate(async () => {
    const { axe } = globalThis as unknown as { axe: { run: () => Promise<{ violations: AxeViolation[] }> } };
    const result = await axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
