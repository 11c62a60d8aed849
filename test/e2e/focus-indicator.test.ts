import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatBrowserGateway } from './chromium.js';

/**
 * The keyboard focus must be seen by a low-vision user: the indicator of every control reached
 * with Tab has a contrast of at least 3:1 against what surrounds it (WCAG 2.2 SC 1.4.11 and
 * 2.4.13's measure). axe-core does not check this.
 */

const e2e = chatBrowserGateway();
let context: BrowserContext;

beforeAll(async () => {
  context = await e2e.newContext();
});

/** A focused control's indicator: its description, the outline's width and its contrast with the background. */
interface Indicator {
  control: string;
  width: number;
  contrast: number;
}

/** Tabs through `page` once and measures the focus indicator of each control reached. */
async function indicators(page: Page): Promise<Indicator[]> {
  const found: Indicator[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const indicator = await page.evaluate(() => {
      // This file compiles without DOM types; the page's own objects are read loosely.
      const doc = (globalThis as unknown as { document: { activeElement: unknown; body: unknown } }).document;
      const style = (globalThis as unknown as { getComputedStyle: (e: unknown) => Record<string, string> })
        .getComputedStyle;
      const element = doc.activeElement as {
        tagName: string;
        textContent: string;
        parentElement: unknown;
      } | null;
      if (!element || element === doc.body) return null;
      const rgb = (value: string) => (value.match(/[\d.]+/g) ?? []).map(Number);
      const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
        const channel = (c: number) => {
          const s = c / 255;
          return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
      };
      // The outline is drawn outside the control (outline-offset), on its parent's background.
      let around = element.parentElement as { parentElement: unknown } | null;
      let background = [255, 255, 255];
      while (around) {
        const colour = rgb(style(around).backgroundColor ?? '');
        if (colour.length === 3 || (colour.length === 4 && colour[3] !== 0)) {
          background = colour.slice(0, 3);
          break;
        }
        around = around.parentElement as { parentElement: unknown } | null;
      }
      const own = style(element);
      const [lighter, darker] = [luminance(rgb(own.outlineColor ?? '')), luminance(background)].sort(
        (a, b) => b - a,
      );
      return {
        control: `${element.tagName.toLowerCase()} ${element.textContent.trim().slice(0, 40)}`,
        width: own.outlineStyle === 'none' ? 0 : Number.parseFloat(own.outlineWidth ?? '0'),
        contrast: ((lighter ?? 0) + 0.05) / ((darker ?? 0) + 0.05),
      };
    });
    if (indicator === null || found.some((f) => f.control === indicator.control)) break;
    found.push(indicator);
  }
  return found;
}

describe('the focus indicator', () => {
  for (const path of ['/', '/chat', '/auth/bankid/login?login_hint=kari-nordmann']) {
    it(`is at least 2 px and 3:1 against its background on every control of ${path}`, async () => {
      const page = await context.newPage();
      await page.goto(`${e2e.gw.url}${path}`);
      await page.waitForLoadState('networkidle');
      const reached = await indicators(page);
      expect(reached.length).toBeGreaterThan(3);
      const weak = reached.filter((f) => f.width < 2 || f.contrast < 3);
      expect(weak).toEqual([]);
      await page.close();
    });
  }
});
