import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../src/chat/chat-feature.js';
import { axeViolations, type BrowserGateway, startBrowserGateway } from './chromium.js';

/**
 * Every page a citizen or a staff member can land on, in each page language, as a browser at
 * 320 CSS px (WCAG 1.4.10: the width of 1280 px at 400 % zoom): the document's `lang` is the
 * page's language, axe finds nothing, and nothing makes the page scroll sideways.
 */

let e2e: BrowserGateway;

beforeAll(async () => {
  e2e = await startBrowserGateway({ features: (deps) => [createChatFeature(deps)] });
});
afterAll(() => e2e?.close());

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

describe.each(Object.entries(LOCALES))('the pages in %s', (lang, locale) => {
  it.each(PATHS)(`%s is in ${lang}, axe-clean and fits 320 px`, async (path) => {
    const page = await e2e.newPage(locale);
    await page.goto(`${e2e.gw.url}${path}`);
    expect(await layoutOf(page)).toEqual({ lang, overflow: 0 });
    expect(await axeViolations(page)).toEqual([]);
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
