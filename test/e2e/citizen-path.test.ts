import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../src/chat/chat-feature.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { axeViolations, launchChromium } from './chromium.js';

/** The citizen's path in Chromium: no agent online, consent without ticks, withdrawal. */

let gw: TestGateway;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  gw = await startTestGateway({ features: (deps) => [createChatFeature(deps)] });
  browser = await launchChromium();
  context = await browser.newContext({ locale: 'en-GB' });
  context.setDefaultTimeout(10_000);
});
afterAll(async () => {
  await browser?.close();
  await gw?.close();
});

describe('the citizen with no agent online', () => {
  it('sees one choice: leave a message, answered by e-mail (no topic buttons)', async () => {
    const page = await context.newPage();
    await page.goto(`${gw.url}/chat`);
    const offline = page.getByRole('region', { name: 'No agent is available right now' });
    await expect.poll(() => offline.isVisible()).toBe(true);
    expect(await offline.textContent()).toContain('We will answer it by e-mail.');
    expect(await page.locator('#chat-topics').isHidden()).toBe(true);
    expect(await page.getByRole('button', { name: /General questions/ }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});

describe('consent and withdrawal on the landing page', () => {
  it('asks to tick something or choose "Share nothing", then confirms a withdrawal and still offers logout', async () => {
    const page = await context.newPage();
    await page.goto(`${gw.url}/`);
    await page.getByRole('link', { name: 'Identify with BankID' }).click();
    await page.getByLabel(/Kari Nordmann/).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Share the selected details' }).click();
    const alert = page.getByRole('alert');
    await expect
      .poll(() => alert.textContent())
      .toBe('Nothing is ticked. Tick the details to share, or choose “Share nothing”.');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Name').check();
    await page.getByRole('button', { name: 'Share the selected details' }).click();
    await page.getByRole('button', { name: 'Stop sharing' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('You stopped sharing.');
    expect(
      await page.getByText('You are still logged in with BankID, but share no personal details.').count(),
    ).toBe(1);
    expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Stop sharing' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});
