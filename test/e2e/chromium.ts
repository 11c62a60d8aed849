import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createChatFeature } from '../../src/chat/chat-feature.js';
import { PROJECT_ROOT } from '../../src/web/asset-paths.js';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from '../helpers/test-gateway.js';

/** Screenshots for a human to look at; `.tmp/` is git-ignored. */
export const SCREENSHOT_DIR = join(PROJECT_ROOT, '.tmp', 'screenshots');

/** Where a distribution's own Chromium or Chrome is installed, in the order they are tried. */
const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
] as const;

/** The browser the tests run, and where it came from (for the failure message and the log). */
export interface ChromiumBinary {
  path: string;
  source: 'CHROMIUM_PATH' | 'system' | '@sparticuz/chromium';
}

/**
 * Finds a Chromium for the browser tests: `CHROMIUM_PATH` when set (and then only that one),
 * else a system Chromium/Chrome, else the binary that the `@sparticuz/chromium` dev dependency
 * ships inside its npm package. That one is brotli-compressed and extracted to the temporary
 * directory on first use (about 190 MB, a second or two), so `npm install && npm test` works
 * on a machine with no browser and no apt-get. Vitest's global setup calls this once before
 * the test files run in parallel, so two workers never extract at the same time.
 */
export async function resolveChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumBinary> {
  const configured = env.CHROMIUM_PATH;
  if (configured !== undefined && configured !== '') {
    if (!existsSync(configured)) {
      throw new Error(
        `CHROMIUM_PATH is set to ${configured}, but no file is there. Unset it to use the bundled Chromium.`,
      );
    }
    return { path: configured, source: 'CHROMIUM_PATH' };
  }
  const system = SYSTEM_BROWSERS.find((path) => existsSync(path));
  if (system !== undefined) return { path: system, source: 'system' };
  const { default: bundled } = await import('@sparticuz/chromium');
  try {
    return { path: await bundled.executablePath(), source: '@sparticuz/chromium' };
  } catch (err) {
    throw new Error(
      `Chromium not found: no CHROMIUM_PATH, no system browser (${SYSTEM_BROWSERS.join(', ')}), and the bundled @sparticuz/chromium could not be extracted (${(err as Error).message}). Run "npm install" or set CHROMIUM_PATH.`,
    );
  }
}

/**
 * The bundled build carries its own fonts (Open Sans, extracted beside the binary); they are
 * used only on a machine without a system fontconfig, where text would otherwise render as
 * empty boxes. A system with fonts keeps its own, which cover more scripts.
 */
function browserEnv(binary: ChromiumBinary): Record<string, string> | undefined {
  if (binary.source !== '@sparticuz/chromium' || existsSync('/etc/fonts/fonts.conf')) return undefined;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  env.FONTCONFIG_PATH = join(tmpdir(), 'fonts');
  return env;
}

/**
 * Launches headless chromium for the browser tests. A missing browser is a failure with the
 * fix in the message, never a skip: the suite must not pass without having run these tests.
 */
export async function launchChromium(): Promise<Browser> {
  const binary = await resolveChromium();
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const env = browserEnv(binary);
  return chromium.launch({
    executablePath: binary.path,
    ...(env === undefined ? {} : { env }),
    args: [
      '--headless',
      // The tests run as root in containers, where Chromium's sandbox cannot start.
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
 * Runs axe-core (WCAG 2.x A/AA and best practices) in the page and returns every violation,
 * whatever its impact: the pages are held to zero findings, minor and moderate included.
 * `page.addScriptTag` would insert axe as an inline script, which the gateway's CSP (rightly)
 * blocks; evaluating the source through the DevTools protocol is not subject to CSP, so the
 * pages are tested with their real policy in force.
 */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  // The callbacks run in the page; `globalThis` is its window (this file compiles without DOM types).
  const hasAxe = await page.evaluate(() => 'axe' in globalThis);
  if (!hasAxe) await page.evaluate(await readFile(AXE_SOURCE, 'utf8'));
  return page.evaluate(async () => {
    const { axe } = globalThis as unknown as { axe: { run: () => Promise<{ violations: AxeViolation[] }> } };
    const result = await axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
}

/** The texts of the elements `target`'s `aria-describedby` names, in order: what a screen reader reads with it. */
export async function describedBy(page: Page, target: string | Locator): Promise<string[]> {
  const element = typeof target === 'string' ? page.locator(target) : target;
  const ids = (await element.getAttribute('aria-describedby')) ?? '';
  const texts: string[] = [];
  for (const id of ids.split(/\s+/).filter(Boolean)) {
    texts.push(((await page.locator(`[id="${id}"]`).textContent()) ?? '').trim());
  }
  return texts;
}

/** The id of the element that has the keyboard focus on `page` (the tests compile without DOM types). */
export function focusedId(page: Page): Promise<string | undefined> {
  return page.evaluate(
    () =>
      (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement
        ?.id,
  );
}

/** A browser test file's gateway and Chromium, and the contexts its tests open. */
export interface BrowserGateway {
  readonly gw: TestGateway;
  readonly browser: Browser;
  /** A context in `locale` whose actions wait 10 s at most; `close` closes it. */
  newContext(locale?: string): Promise<BrowserContext>;
  /** A page in a context of its own (a browser of its own: its own cookies), as {@link newContext}. */
  newPage(locale?: string): Promise<Page>;
  /** Closes the contexts, Chromium and the gateway. */
  close(): Promise<void>;
}

/** Starts the real gateway in-process (`startTestGateway`) and Chromium, for a browser test file's `beforeAll`. */
export async function startBrowserGateway(options: TestGatewayOptions = {}): Promise<BrowserGateway> {
  const gw = await startTestGateway(options);
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const newContext = async (locale = 'en-GB') => {
    const context = await browser.newContext({ locale });
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    return context;
  };
  return {
    gw,
    browser,
    newContext,
    newPage: async (locale) => (await newContext(locale)).newPage(),
    close: async () => {
      for (const context of contexts) await context.close();
      await browser.close();
      await gw.close();
    },
  };
}

/**
 * The gateway with the chat, and Chromium, for a browser test file: started in the file's
 * `beforeAll`, closed in its `afterAll`. Call it at the top of the file; its members answer
 * once the file's tests run.
 */
export function chatBrowserGateway(): BrowserGateway {
  let started: BrowserGateway | undefined;
  const current = (): BrowserGateway => {
    if (!started) throw new Error('the browser gateway starts in beforeAll');
    return started;
  };
  beforeAll(async () => {
    started = await startBrowserGateway({ features: (deps) => [createChatFeature(deps)] });
  });
  afterAll(() => started?.close());
  return {
    get gw() {
      return current().gw;
    },
    get browser() {
      return current().browser;
    },
    newContext: (locale) => current().newContext(locale),
    newPage: (locale) => current().newPage(locale),
    close: () => current().close(),
  };
}
