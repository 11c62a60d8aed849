import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../src/chat/chat-feature.js';
import { PROJECT_ROOT } from '../../src/web/asset-paths.js';
import { testTenant } from '../helpers/test-gateway.js';
import { axeViolations, type BrowserGateway, chatBrowserGateway, startBrowserGateway } from './chromium.js';

/**
 * Every page a citizen or a staff member can land on, in each page language, as a browser at
 * 320 CSS px (WCAG 1.4.10: the width of 1280 px at 400 % zoom): the document's `lang` is the
 * page's language, axe finds nothing, and nothing makes the page scroll sideways.
 */

const e2e = chatBrowserGateway();

const LOCALES = { nb: 'nb-NO', fi: 'fi-FI', sv: 'sv-SE', en: 'en-GB' } as const;

/**
 * Where the pages are: the landing and chat pages, the own-data page, the mock IdP's login page
 * (citizen and staff, in the language the gateway names in `ui_locales`), and error pages.
 */
const PATHS = [
  '/',
  '/chat',
  '/privacy/my-data',
  '/auth/bankid/login',
  '/agent',
  '/no-such-page',
  '/auth/bankid/callback?code=c&state=not-this-browsers',
  '/chat/identify/AAAAAAAAAAAAAAAAAAAAAAAA',
  '/chat/identify',
] as const;

/** The document's `lang` and its width beyond the viewport's. */
async function layoutOf(page: Page): Promise<{ lang: string; overflow: number }> {
  await page.setViewportSize({ width: 320, height: 640 });
  return page.evaluate(() => {
    const root = (
      globalThis as unknown as {
        document: { documentElement: { lang: string; scrollWidth: number; clientWidth: number } };
      }
    ).document.documentElement;
    return { lang: root.lang, overflow: root.scrollWidth - root.clientWidth };
  });
}

/** The words of the table's cells that the layout split over two lines ("Päätt|ynyt"). */
function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    interface TextNode {
      data: string;
    }
    const doc = (
      globalThis as unknown as {
        document: {
          querySelectorAll(s: string): Iterable<{ firstChild: TextNode | null }>;
          createRange(): {
            setStart(n: TextNode, o: number): void;
            setEnd(n: TextNode, o: number): void;
            getClientRects(): { length: number };
          };
        };
      }
    ).document;
    const broken: string[] = [];
    for (const cell of doc.querySelectorAll('table th, table td')) {
      const text = cell.firstChild;
      if (text === null || typeof text.data !== 'string') continue;
      for (const match of text.data.matchAll(/\S+/g)) {
        const range = doc.createRange();
        range.setStart(text, match.index);
        range.setEnd(text, match.index + match[0].length);
        if (range.getClientRects().length > 1) broken.push(match[0]);
      }
    }
    return broken;
  });
}

describe.each(Object.entries(LOCALES))('the pages in %s', (lang, locale) => {
  it.each(PATHS)(`%s is in ${lang}, axe-clean and fits 320 px`, async (path) => {
    const page = await e2e.newPage(locale);
    await page.goto(`${e2e.gw.url}${path}`);
    expect(await layoutOf(page)).toEqual({ lang, overflow: 0 });
    expect(await axeViolations(page)).toEqual([]);
  });
});

/**
 * WCAG 1.4.12's text spacing (line height 1.5, letters 0.12 em, words 0.16 em, paragraphs 2 em),
 * as a reader's style sheet sets it: adopted through the DOM, which the pages' CSP allows.
 */
function setTextSpacing(page: Page): Promise<void> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { adoptedStyleSheets: unknown[] } }).document;
    const { CSSStyleSheet } = globalThis as unknown as {
      CSSStyleSheet: new () => { replaceSync(css: string): void };
    };
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(
      '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }',
    );
    doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  });
}

/** Opens `path`, once the chat page (if it is that) shows what it offers with no agent online. */
async function open(page: Page, path: string): Promise<void> {
  await page.goto(`${e2e.gw.url}${path}`);
  if (path === '/chat') await page.locator('#offline-name').waitFor();
}

describe('the pages at 320 px as a reader has set the text (WCAG 1.4.10 with 1.4.12)', () => {
  it.each(PATHS)('%s keeps its width with the text spacing of WCAG 1.4.12', async (path) => {
    const page = await e2e.newPage('fi-FI');
    await open(page, path);
    await setTextSpacing(page);
    expect(await layoutOf(page)).toEqual({ lang: 'fi', overflow: 0 });
  });

  it.each(PATHS)('%s keeps its width with the browser’s largest default font (24 px)', async (path) => {
    const page = await e2e.newPage('fi-FI');
    // Chrome's "Font size: very large" (Settings, Appearance): the size 1 rem stands for.
    const devtools = await page.context().newCDPSession(page);
    await devtools.send('Page.enable');
    await devtools.send('Page.setFontSizes', { fontSizes: { standard: 24, fixed: 24 } });
    await open(page, path);
    expect(await layoutOf(page)).toEqual({ lang: 'fi', overflow: 0 });
  });
});

describe('the page for a request the HTTP parser refused (431, a huge callback URL)', () => {
  it('says it in every page language, each part marked with its lang, axe-clean at 320 px', async () => {
    const page = await e2e.newPage('fi-FI');
    const response = await page.goto(`${e2e.gw.url}/auth/bankid/callback?code=${'c'.repeat(20_000)}`);
    expect(response?.status()).toBe(431);
    expect(await layoutOf(page)).toEqual({ lang: 'en', overflow: 0 });
    expect(await page.locator('h1').textContent()).toBe('Something went wrong');
    for (const [lang, text] of [
      ['nb', 'Feilkode: request_too_large'],
      ['fi', 'Virhekoodi: request_too_large'],
      ['sv', 'Felkod: request_too_large'],
    ] as const) {
      expect(await page.locator(`main [lang="${lang}"]`).textContent()).toContain(text);
    }
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe('the mock IdP’s login page in the dark colour scheme (prefers-color-scheme: dark)', () => {
  it.each(['/auth/bankid/login', '/agent'])('%s keeps its text contrast (axe)', async (path) => {
    const context = await e2e.browser.newContext({ locale: 'sv-SE', colorScheme: 'dark' });
    try {
      const page = await context.newPage();
      await page.goto(`${e2e.gw.url}${path}`);
      expect(await page.locator('html').getAttribute('lang')).toBe('sv');
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the mock IdP’s logout confirmation after a citizen logs out', () => {
  it.each(Object.entries(LOCALES))('asks in %s, axe-clean and fits 320 px', async (lang, locale) => {
    const page = await e2e.newPage(locale);
    await page.goto(`${e2e.gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    await page.locator('form[action$="/consent"] button[value="decline"]').click();
    await page.locator('form[action$="/auth/logout"] button').click();
    await page.waitForURL(/\/session\/end/);
    expect(await layoutOf(page)).toEqual({ lang, overflow: 0 });
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe('the citizen’s own data listing a conversation, with the demo’s topic titles', () => {
  let demo: BrowserGateway;

  beforeAll(async () => {
    // The demo tenant's topics, titled in each language ("Oma verotusasiani"): the list's widest
    // words are the topic's and the state's ("Päättynyt").
    const { tenants } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'default.json'), 'utf8')) as {
      tenants: Array<{ topics: unknown }>;
    };
    demo = await startBrowserGateway({
      tenants: [testTenant({ topics: tenants[0]?.topics })],
      features: (deps) => [createChatFeature(deps)],
    });
    // A conversation about "My tax case" Kari shared her identity into and ended, started on the
    // widget's socket.
    const page = await demo.newPage('en-GB');
    await page.goto(`${demo.gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    await page.getByLabel('Name').check();
    await page.getByLabel('National identity number').check();
    await page.getByRole('button', { name: 'Share the selected details' }).click();
    await page.goto(`${demo.gw.url}/chat`);
    const ended = await page.evaluate(async (base) => {
      const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/visitor`);
      return new Promise<boolean>((resolve) => {
        socket.onmessage = (event) => {
          const frame = JSON.parse(String(event.data)) as { type: string };
          if (frame.type === 'welcome') socket.send(JSON.stringify({ type: 'start', topic: 'tax-case' }));
          if (frame.type === 'conversation') socket.send(JSON.stringify({ type: 'end' }));
          if (frame.type === 'status') resolve(true);
        };
      });
    }, demo.gw.url);
    expect(ended).toBe(true);
  });
  afterAll(() => demo?.close());

  it.each(Object.entries(LOCALES))(
    'lists it in %s, axe-clean and within 320 px, no word split',
    async (lang, locale) => {
      const page = await demo.newPage(locale);
      await page.goto(`${demo.gw.url}/privacy/my-data/login/bankid?login_hint=kari-nordmann`);
      await expect.poll(() => page.getByRole('table').getByRole('row').count()).toBe(2);
      expect(await layoutOf(page)).toEqual({ lang, overflow: 0 });
      expect(await brokenWords(page)).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
    },
  );
});
