import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axeViolations, chatBrowserGateway, SCREENSHOT_DIR } from './chromium.js';
import { askInGeneral } from './pages.js';

/**
 * An agent console whose staff login ends while it is open (here: signed out in another tab;
 * `staff.maxLoginHours` and another login in the browser close it the same way, with 4401).
 */

const e2e = chatBrowserGateway();

describe('an agent console whose login ended', () => {
  it('says so in its language, offers to sign in again and leaves nothing to operate', async () => {
    const staff = await e2e.newContext('fi-FI');
    const agent = await staff.newPage();
    await agent.goto(`${e2e.gw.url}/staff/login?login_hint=alex-agent&returnTo=%2Fagent`);
    await expect.poll(() => agent.locator('#console-status').textContent()).toBe('Yhteys muodostettu.');
    const visitor = await (await e2e.browser.newContext({ locale: 'en-GB' })).newPage();
    await askInGeneral(visitor, e2e.gw.url, 'Is anyone there?');
    const take = agent.locator('li.queue-item').filter({ hasText: 'Is anyone there?' }).getByRole('button');
    await expect.poll(() => take.count()).toBe(1);

    // Signed out in another tab of the same browser.
    const other = await staff.newPage();
    await other.goto(`${e2e.gw.url}/agent`);
    await other.getByRole('button', { name: 'Kirjaudu ulos' }).click();

    await expect
      .poll(() => agent.locator('#console-status').textContent())
      .toBe(
        'Kirjautumisesi asiakaspalvelijan näkymään on päättynyt. Jatka kirjautumalla uudelleen. Kirjaudu uudelleen',
      );
    const again = agent.getByRole('link', { name: 'Kirjaudu uudelleen' });
    expect(await again.getAttribute('href')).toBe('/staff/login?returnTo=%2Fagent');
    // Nothing of the queues or the conversation can be operated: the grid is inert, so the
    // keyboard goes from "sign in again" past the queue's "take" button.
    expect(await take.evaluate((button) => button.closest('[inert]')?.id)).toBe('console-grid');
    await again.focus();
    await agent.keyboard.press('Tab');
    expect(
      await agent.evaluate(() => {
        const doc = (
          globalThis as unknown as { document: { activeElement: { closest(s: string): unknown } | null } }
        ).document;
        return doc.activeElement?.closest('#console-grid') != null;
      }),
    ).toBe(false);
    expect(await axeViolations(agent)).toEqual([]);
    await agent.screenshot({ path: join(SCREENSHOT_DIR, 'console-login-ended-fi.png'), fullPage: true });
    await staff.close();
  });
});
