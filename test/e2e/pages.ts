import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Opens the agent console on `page`, signed in as `persona` through the mock staff IdP, once connected. */
export async function openConsole(page: Page, base: string, persona: string): Promise<Page> {
  await page.goto(`${base}/staff/login?login_hint=${persona}&returnTo=%2Fagent`);
  await expect.poll(() => page.locator('#console-status').textContent()).toBe('Connected.');
  return page;
}

/** Opens the visitor chat on `page`, starts "General questions" and sends `text` with Enter. */
export async function askInGeneral(page: Page, base: string, text: string): Promise<void> {
  await page.goto(`${base}/chat`);
  await page.getByRole('button', { name: /General questions/ }).click();
  await page.getByLabel('Your message').fill(text);
  await page.getByLabel('Your message').press('Enter');
}
