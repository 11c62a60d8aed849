import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, chatBrowserGateway, describedBy } from './chromium.js';

/**
 * A form the server answers again with an error: the error is the description of the fields
 * it is about (WCAG 3.3.1, 1.3.1), so a screen reader moving into the field hears why it was
 * refused, and it looks like an error, not like the page's other grey information panels.
 */

const e2e = chatBrowserGateway();
let context: BrowserContext;

beforeAll(async () => {
  context = await e2e.newContext();
});

/** Whether the page says it was refused where a screen reader starts: its title, and the focus on the alert. */
async function announcesTheError(page: Page): Promise<boolean> {
  const focusedAlert = await page
    .getByRole('alert')
    .evaluate(
      (element) =>
        (element as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement === element,
    );
  return focusedAlert && (await page.title()).startsWith('Error: ');
}

/** Whether the alert is drawn with the danger colour, unlike an information panel. */
async function looksLikeAnError(page: Page): Promise<boolean> {
  return page.getByRole('alert').evaluate((element) => {
    const style = (
      globalThis as unknown as { getComputedStyle: (e: unknown) => { borderLeftColor: string } }
    ).getComputedStyle(element);
    return style.borderLeftColor === 'rgb(164, 22, 26)';
  });
}

describe('the consent form refused with nothing ticked', () => {
  it('describes the group of details with the error and marks the error as one', async () => {
    const page = await context.newPage();
    await page.goto(`${e2e.gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    await page.getByRole('button', { name: 'Share the selected details' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBe(1);
    expect(await describedBy(page, 'fieldset')).toEqual([
      'Nothing is ticked. Tick the details to share, or choose “Share nothing”.',
    ]);
    expect(await looksLikeAnError(page)).toBe(true);
    expect(await announcesTheError(page)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('has no error description before anything was sent', async () => {
    const page = await context.newPage();
    await page.goto(`${e2e.gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    expect(await page.locator('fieldset').getAttribute('aria-describedby')).toBeNull();
    expect(await page.title()).not.toMatch(/^Error/);
    await page.close();
  });
});

describe('the staff forms refused for an unknown id', () => {
  for (const [form, field] of [
    ['/staff/conversations/delete', 'Conversation id'],
    ['/staff/conversations/hold', 'Conversation id'],
    ['/staff/offline-messages/delete', 'Message id'],
  ] as const) {
    it(`ties the error to the invalid field on ${form}`, async () => {
      const page = await context.newPage();
      await page.goto(`${e2e.gw.url}/staff/login?login_hint=ada-admin&returnTo=${encodeURIComponent(form)}`);
      await page.getByLabel(field, { exact: false }).first().fill('no-such-id');
      await page.locator('textarea').fill('A reason for the test');
      await page.locator('form button[type=submit]').first().click();
      const invalid = page.locator('[aria-invalid="true"]');
      await expect.poll(() => invalid.count()).toBe(1);
      const described = await describedBy(page, '[aria-invalid="true"]');
      expect(described).toHaveLength(1);
      expect(described[0]).toMatch(/^No such /);
      expect(await looksLikeAnError(page)).toBe(true);
      expect(await announcesTheError(page)).toBe(true);
      expect(await axeViolations(page)).toEqual([]);
      await page.close();
    });
  }
});

describe('the staff forms sent with a field left empty', () => {
  it('are refused by the server in the page’s language, the field tied to the error', async () => {
    const norwegian = await e2e.newContext('nb-NO');
    const page = await norwegian.newPage();
    const form = '/staff/conversations/hold';
    await page.goto(`${e2e.gw.url}/staff/login?login_hint=ada-admin&returnTo=${encodeURIComponent(form)}`);
    await page.locator('textarea').fill('En grunn for testen');
    await page.locator('form button[type=submit]').first().click();
    const invalid = page.locator('[aria-invalid="true"]');
    await expect.poll(() => invalid.count()).toBe(1);
    expect(await invalid.getAttribute('name')).toBe('conversationId');
    expect(await invalid.getAttribute('required')).toBe('');
    expect(await describedBy(page, '[aria-invalid="true"]')).toEqual(['Oppgi id-en til samtalen.']);
    expect(await page.title()).toMatch(/^Feil: /);
    expect(await axeViolations(page)).toEqual([]);
  });
});
