import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chatBrowserGateway } from './chromium.js';
import { askInGeneral, openConsole } from './pages.js';

/**
 * The conversation logs are `aria-live` regions: a screen reader announces what is added to
 * them. A line added while the log is `aria-busy` is not announced, which is how a history put
 * in at once (a conversation opened, or resumed after a reload) stays quiet while a new message
 * is read out.
 */

const e2e = chatBrowserGateway();

/** One line added to a `role="log"` region: its text, and whether the log was busy then. */
interface LoggedLine {
  text: string;
  busy: boolean;
}

/**
 * Records, on every page of `context`, each line added to a `role="log"` region with the log's
 * `aria-busy` as the mutation observer sees it (right after the script that added it, before any
 * timer of the page's runs). A string, since this file compiles without DOM types.
 */
async function recordLogLines(context: BrowserContext): Promise<void> {
  await context.addInitScript(`
    window.__loggedLines = [];
    new MutationObserver((records) => {
      for (const record of records) {
        const log = record.target.closest?.('[role="log"]');
        if (!log) continue;
        for (const node of record.addedNodes) {
          if (node.nodeName !== 'LI') continue;
          window.__loggedLines.push({
            text: node.querySelector('.msg-text')?.textContent ?? '',
            busy: log.getAttribute('aria-busy') === 'true',
          });
        }
      }
    }).observe(document, { childList: true, subtree: true });
  `);
}

function loggedLines(page: Page): Promise<LoggedLine[]> {
  return page.evaluate(() => (globalThis as unknown as { __loggedLines: LoggedLine[] }).__loggedLines);
}

function clearLoggedLines(page: Page): Promise<void> {
  return page.evaluate(() => {
    (globalThis as unknown as { __loggedLines: LoggedLine[] }).__loggedLines = [];
  });
}

describe('the console opening a conversation', () => {
  it('puts its history in while the log is busy, and a new message in while it is not', async () => {
    const url = e2e.gw.url;
    const staff = await e2e.newContext();
    await recordLogLines(staff);
    const agent = await openConsole(await staff.newPage(), url, 'alex-agent');
    const first = await e2e.newPage();
    await askInGeneral(first, url, 'History line one');
    await first.getByLabel('Your message').fill('History line two');
    await first.getByLabel('Your message').press('Enter');
    const takes = agent.getByRole('button', { name: /^Take the conversation about General questions/ });
    await expect.poll(() => takes.count()).toBe(1);
    await takes.first().click();
    await expect.poll(() => agent.locator('#console-messages li').count()).toBe(2);
    await askInGeneral(await e2e.newPage(), url, 'Another visitor');
    await expect.poll(() => takes.count()).toBe(1);
    await takes.first().click();
    await expect.poll(() => agent.locator('#console-messages').textContent()).toContain('Another visitor');

    // Back to the first conversation: two lines the agent has read before.
    await clearLoggedLines(agent);
    await agent
      .getByRole('button', { name: /^Open the conversation about General questions/ })
      .first()
      .click();
    await expect.poll(() => agent.locator('#console-messages').textContent()).toContain('History line two');
    expect(await loggedLines(agent)).toEqual([
      { text: 'History line one', busy: true },
      { text: 'History line two', busy: true },
    ]);

    await clearLoggedLines(agent);
    await first.getByLabel('Your message').fill('A new line');
    await first.getByLabel('Your message').press('Enter');
    await expect.poll(() => loggedLines(agent)).toEqual([{ text: 'A new line', busy: false }]);
    expect(await agent.locator('#console-log').getAttribute('aria-busy')).toBeNull();
  });
});

describe('the widget resuming a conversation after a reload', () => {
  it('puts the history in while the log is busy, and the agent’s next reply in while it is not', async () => {
    const url = e2e.gw.url;
    const agent = await openConsole(await e2e.newPage(), url, 'alex-agent');
    const visitors = await e2e.newContext();
    await recordLogLines(visitors);
    const visitor = await visitors.newPage();
    await askInGeneral(visitor, url, 'Before the reload');
    const takes = agent.getByRole('button', { name: /^Take the conversation about General questions/ });
    await expect.poll(() => takes.count()).toBe(1);
    await takes.first().click();

    await visitor.reload();
    await expect.poll(() => visitor.locator('#chat-messages').textContent()).toContain('Before the reload');
    expect(await loggedLines(visitor)).toEqual([{ text: 'Before the reload', busy: true }]);

    await clearLoggedLines(visitor);
    await agent.getByLabel('Reply').fill('After the reload');
    await agent.getByLabel('Reply').press('Enter');
    await expect.poll(() => loggedLines(visitor)).toEqual([{ text: 'After the reload', busy: false }]);
  });
});

describe('a message the visitor sends', () => {
  it('is put into the log once: the line written becomes the stored message in place', async () => {
    const visitors = await e2e.newContext();
    await recordLogLines(visitors);
    const visitor = await visitors.newPage();
    await askInGeneral(visitor, e2e.gw.url, 'Only once, please');
    const line = visitor.locator('#chat-messages li.msg-visitor');
    await expect.poll(() => line.locator('time').count()).toBe(1);
    expect(await line.locator('.msg-state').count()).toBe(0);
    expect(await line.getAttribute('class')).toBe('msg msg-visitor msg-own');
    expect((await loggedLines(visitor)).filter((l) => l.text === 'Only once, please')).toHaveLength(1);

    // A number the server redacts: the same line, its text replaced by the stored one.
    await clearLoggedLines(visitor);
    await visitor.getByLabel('Your message').fill('My number is 010594Y9032');
    await visitor.getByLabel('Your message').press('Enter');
    await expect.poll(() => line.count()).toBe(2);
    await expect.poll(() => line.nth(1).locator('time').count()).toBe(1);
    expect(await line.nth(1).locator('.msg-text').textContent()).not.toContain('010594Y9032');
    expect((await loggedLines(visitor)).filter((l) => l.text.startsWith('My number is'))).toHaveLength(1);
  });
});

describe('a notice the page shows at once for an event the server also stores', () => {
  it('stands for the stored line: one line put into the log, which gets the stored line’s time', async () => {
    const staff = await e2e.newContext();
    await recordLogLines(staff);
    const agent = await openConsole(await staff.newPage(), e2e.gw.url, 'alex-agent');
    await askInGeneral(await e2e.newPage(), e2e.gw.url, 'Please check my case');
    // Earlier tests' visitors may wait in the queue too: take them all, then open this one.
    const takes = agent.getByRole('button', { name: /^Take the conversation about General questions/ });
    await expect.poll(() => takes.count()).toBeGreaterThan(0);
    while ((await takes.count()) > 0) {
      const waiting = await takes.count();
      await takes.first().click();
      await expect.poll(() => takes.count()).toBe(waiting - 1);
    }
    const opens = agent.getByRole('button', { name: /^Open the conversation about General questions/ });
    const log = agent.locator('#console-messages');
    for (let i = 0; !((await log.textContent()) ?? '').includes('Please check my case'); i++) {
      const before = await log.textContent();
      await opens.nth(i).click();
      await expect.poll(() => log.textContent()).not.toBe(before);
    }
    await clearLoggedLines(agent);

    await agent.getByRole('button', { name: 'Request identification' }).click();
    const line = agent.locator('#console-messages li[data-system-code="identification-requested"]');
    await expect.poll(() => line.locator('time').count()).toBe(1);
    expect(await line.count()).toBe(1);
    expect(await loggedLines(agent)).toEqual([
      { text: 'An identification link was sent to the visitor.', busy: false },
    ]);
  });
});
