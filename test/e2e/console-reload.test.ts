import { describe, expect, it } from 'vitest';
import { axeViolations, chatBrowserGateway } from './chromium.js';
import { askInGeneral, openConsole } from './pages.js';

/**
 * An agent reloading the console in the middle of a conversation (a frozen tab, F5 by habit)
 * finds it open again, as a visitor reloading the chat does; the next login in the tab does not.
 */

const e2e = chatBrowserGateway();

describe('reloading the agent console', () => {
  it('opens the conversation the tab showed, with its transcript and reply box, and keeps no error', async () => {
    const agent = await openConsole(await e2e.newPage(), e2e.gw.url, 'alex-agent');
    const visitor = await e2e.newPage();
    await askInGeneral(visitor, e2e.gw.url, 'Where do I renew a parking permit?');
    const take = agent.locator('li.queue-item').filter({ hasText: 'parking permit' }).getByRole('button');
    await take.click();
    await agent.getByLabel('Reply').fill('At the service point, or here.');
    await agent.getByLabel('Reply').press('Enter');
    const log = agent.getByRole('log');
    await expect.poll(() => log.locator('li.msg-agent:not(.msg-pending)').count()).toBe(1);

    await agent.reload();
    await expect.poll(() => agent.locator('#console-status').textContent()).toBe('Connected.');
    await expect
      .poll(() => agent.locator('#conversation-heading').textContent())
      .toBe('Conversation: General questions');
    expect(await log.locator('li.msg-visitor .msg-text').textContent()).toBe(
      'Where do I renew a parking permit?',
    );
    expect(await log.locator('li.msg-agent .msg-text').textContent()).toBe('At the service point, or here.');
    expect(await agent.locator('#console-error').textContent()).toBe('');
    expect(await axeViolations(agent)).toEqual([]);

    // And it is the live conversation, not a copy: the reply reaches the visitor.
    await agent.getByLabel('Reply').fill('Anything else?');
    await agent.getByLabel('Reply').press('Enter');
    await expect
      .poll(() => visitor.getByRole('log').locator('li.msg-agent .msg-text').allTextContents())
      .toEqual(['At the service point, or here.', 'Anything else?']);
  });

  it('opens nothing for the next login in the tab, and says nothing of it', async () => {
    const page = await e2e.newPage();
    const agent = await openConsole(page, e2e.gw.url, 'alex-agent');
    const visitor = await e2e.newPage();
    await askInGeneral(visitor, e2e.gw.url, 'A question about school meals');
    await agent.locator('li.queue-item').filter({ hasText: 'school meals' }).getByRole('button').click();
    await expect
      .poll(() => agent.locator('#conversation-heading').textContent())
      .toBe('Conversation: General questions');

    await agent.getByRole('button', { name: 'Sign out' }).click();
    await openConsole(page, e2e.gw.url, 'siri-supervisor');
    expect(await page.locator('#conversation-heading').textContent()).toBe('Conversation');
    expect(await page.locator('#conversation-empty').isVisible()).toBe(true);
    expect(await page.locator('#console-error').textContent()).toBe('');
  });

  it('starts without a conversation the store no longer has, and forgets it', async () => {
    const agent = await openConsole(await e2e.newPage(), e2e.gw.url, 'alex-agent');
    const visitor = await e2e.newPage();
    await askInGeneral(visitor, e2e.gw.url, 'About my library card');
    await agent.locator('li.queue-item').filter({ hasText: 'library card' }).getByRole('button').click();
    await expect
      .poll(() => agent.locator('#conversation-heading').textContent())
      .toBe('Conversation: General questions');
    // The tab remembered it; here it is swapped for an id the store no longer has, as after a
    // deletion by staff or the citizen while the tab was away (the reload then asks for it).
    const id = await agent.evaluate(() =>
      (
        globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }
      ).sessionStorage.getItem('eidchat.console.open'),
    );
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await agent.evaluate(
      (value) =>
        (
          globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }
        ).sessionStorage.setItem('eidchat.console.open', value),
      '00000000-0000-4000-8000-000000000000',
    );
    await agent.reload();
    await expect.poll(() => agent.locator('#console-status').textContent()).toBe('Connected.');
    await expect
      .poll(() =>
        agent.evaluate(() =>
          (
            globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }
          ).sessionStorage.getItem('eidchat.console.open'),
        ),
      )
      .toBeNull();
    expect(await agent.locator('#conversation-empty').isVisible()).toBe(true);
    expect(await agent.locator('#console-error').textContent()).toBe('');
  });
});
