import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chatBrowserGateway, focusedId } from './chromium.js';
import { askInGeneral, openConsole } from './pages.js';

/** The console's lists, redrawn from every change, with a keyboard user's focus inside them. */

const e2e = chatBrowserGateway();

/** The `aria-label` of the element that has the keyboard focus (its accessible name here). */
function focusedLabel(page: Page): Promise<string | null | undefined> {
  return page.evaluate(() =>
    (
      globalThis as unknown as {
        document: { activeElement: { getAttribute(name: string): string | null } | null };
      }
    ).document.activeElement?.getAttribute('aria-label'),
  );
}

describe('the queue redrawn while a Take button has the focus', () => {
  it('keeps the focus on that button when another visitor starts a chat', async () => {
    const url = e2e.gw.url;
    const agent = await openConsole(await e2e.newPage(), url, 'alex-agent');
    await askInGeneral(await e2e.newPage(), url, 'The first question');
    const takes = agent.getByRole('button', { name: /^Take the conversation about General questions/ });
    await expect.poll(() => takes.count()).toBe(1);
    await takes.first().focus();
    const label = await focusedLabel(agent);

    await askInGeneral(await e2e.newPage(), url, 'The second question');
    await expect.poll(() => takes.count()).toBe(2);
    expect(await focusedLabel(agent)).toBe(label);
  });

  it('moves it to the Queues heading when another agent took that conversation', async () => {
    const url = e2e.gw.url;
    const agent = await openConsole(await e2e.newPage(), url, 'alex-agent');
    const supervisor = await openConsole(await e2e.newPage(), url, 'siri-supervisor');
    const takes = agent.getByRole('button', { name: /^Take the conversation about General questions/ });
    await expect.poll(() => takes.count()).toBe(2);
    await takes.first().focus();

    await supervisor
      .getByRole('button', { name: /^Take the conversation about General questions/ })
      .first()
      .click();
    await expect.poll(() => takes.count()).toBe(1);
    expect(await focusedId(agent)).toBe('queues-heading');
  });
});

describe('my conversations redrawn while an Open button has the focus', () => {
  it('keeps the focus on it when a message arrives in another of them', async () => {
    const url = e2e.gw.url;
    const agent = await openConsole(await e2e.newPage(), url, 'alex-agent');
    const visitor = await e2e.newPage();
    await askInGeneral(visitor, url, 'A third question');
    const takes = agent.getByRole('button', { name: /^Take the conversation about General questions/ });
    // This visitor's (the newest), then the one left from above: the one left is then open,
    // so this visitor's next message marks theirs unread and redraws the list.
    await expect.poll(() => takes.count()).toBe(2);
    await takes.last().click();
    await expect.poll(() => takes.count()).toBe(1);
    await takes.first().click();
    await expect.poll(() => takes.count()).toBe(0);
    const opens = agent.getByRole('button', { name: /^Open the conversation about General questions/ });
    await expect.poll(() => opens.count()).toBe(2);
    await opens.first().focus();
    const label = await focusedLabel(agent);

    await visitor.getByLabel('Your message').fill('Are you there?');
    await visitor.getByLabel('Your message').press('Enter');
    await expect.poll(() => agent.locator('#mine-list .badge-unread').count()).toBe(1);
    expect(await focusedLabel(agent)).toBe(label);
  });
});

describe('the console at 320 px wide (400 % zoom)', () => {
  it('needs no sideways scrolling in Norwegian, whose title is one long word', async () => {
    const agent = await e2e.newPage('nb-NO');
    await agent.setViewportSize({ width: 320, height: 640 });
    await agent.goto(`${e2e.gw.url}/staff/login?login_hint=alex-agent&returnTo=%2Fagent%3Flang%3Dnb`);
    await expect.poll(() => agent.locator('#console-status').textContent()).toBe('Tilkoblet.');
    expect(await agent.getByRole('heading', { level: 1 }).textContent()).toBe('Saksbehandlerkonsoll');
    const widths = await agent.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
        .document.documentElement;
      return {
        scroll: root.scrollWidth,
        viewport: (globalThis as unknown as { innerWidth: number }).innerWidth,
      };
    });
    expect(widths.scroll).toBeLessThanOrEqual(widths.viewport);
  });

  it('keeps an offline message read at 320 px within the width: a long e-mail address breaks', async () => {
    const email = 'kari.nordmann.with.a.long.address@kommune-eksempel.example.org';
    const visitor = await e2e.newPage();
    await visitor.goto(`${e2e.gw.url}/chat`);
    const saved = await visitor.evaluate(
      async ({ base, email }) => {
        const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/visitor`);
        return new Promise<string>((resolve) => {
          socket.onmessage = (event) => {
            const frame = JSON.parse(String(event.data)) as { type: string };
            if (frame.type === 'welcome') {
              socket.send(JSON.stringify({ type: 'offline-message', name: 'Kari', email, text: 'Call me' }));
            }
            if (frame.type === 'offline-message-saved') resolve(frame.type);
          };
        });
      },
      { base: e2e.gw.url, email },
    );
    expect(saved).toBe('offline-message-saved');
    const agent = await openConsole(await e2e.newPage(), e2e.gw.url, 'siri-supervisor');
    await agent.setViewportSize({ width: 320, height: 640 });
    await agent.getByRole('button', { name: /^Read/ }).last().click();
    await expect.poll(() => agent.getByRole('link', { name: email }).count()).toBe(1);
    const overflow = await agent.evaluate(() => {
      const root = (
        globalThis as unknown as {
          document: { documentElement: { scrollWidth: number; clientWidth: number } };
        }
      ).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBe(0);
  });
});

describe('what arrives outside the open conversation', () => {
  it('is said in the console’s status region: a visitor in a queue, a message in another of mine', async () => {
    const url = e2e.gw.url;
    const agent = await openConsole(await e2e.newPage(), url, 'alex-agent');
    const news = agent.locator('#console-news');
    expect(await news.getAttribute('role')).toBe('status');
    const visitor = await e2e.newPage();
    await askInGeneral(visitor, url, 'Is anyone there?');
    await expect
      .poll(() => news.textContent())
      .toBe('A visitor is waiting in General questions (1 in the queue).');

    const other = await e2e.newPage();
    await askInGeneral(other, url, 'Me too');
    const takes = agent.getByRole('button', { name: /^Take the conversation about General questions/ });
    await expect.poll(() => takes.count()).toBe(2);
    await takes.first().click();
    await expect.poll(() => takes.count()).toBe(1);
    await takes.first().click();
    await expect.poll(() => takes.count()).toBe(0);
    // The second one is open: the first visitor writes into the other.
    await visitor.getByLabel('Your message').fill('Hello?');
    await visitor.getByLabel('Your message').press('Enter');
    await expect
      .poll(() => news.textContent())
      .toMatch(/^New message in your conversation about General questions of /);
  });
});

describe('closing the open conversation with the keyboard', () => {
  it('leaves the focus on the conversation’s heading, not the page’s start', async () => {
    const url = e2e.gw.url;
    const agent = await openConsole(await e2e.newPage(), url, 'alex-agent');
    await askInGeneral(await e2e.newPage(), url, 'One last thing');
    const takes = agent.getByRole('button', { name: /^Take the conversation about General questions/ });
    await expect.poll(() => takes.count()).toBe(1);
    await takes.first().click();
    const close = agent.getByRole('button', { name: 'Close conversation' });
    await expect.poll(() => close.isEnabled()).toBe(true);
    await close.focus();
    await agent.keyboard.press('Enter');
    await expect.poll(() => close.isDisabled()).toBe(true);
    await expect.poll(() => focusedId(agent)).toBe('conversation-heading');
  });
});
