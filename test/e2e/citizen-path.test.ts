import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, chatBrowserGateway, describedBy, SCREENSHOT_DIR } from './chromium.js';

/** The citizen's path in Chromium: no agent online, consent without ticks, withdrawal. */

const e2e = chatBrowserGateway();
let context: BrowserContext;

beforeAll(async () => {
  context = await e2e.newContext();
});

describe('the citizen with no agent online', () => {
  it('sees one choice: leave a message, answered by e-mail (no topic buttons)', async () => {
    const page = await context.newPage();
    await page.goto(`${e2e.gw.url}/chat`);
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
    await page.goto(`${e2e.gw.url}/`);
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

describe('logging out while the chat is open', () => {
  it('stops saying "You share …" in the chat once the session has ended', async () => {
    const own = await e2e.newContext('en-GB');
    const start = await own.newPage();
    await start.goto(`${e2e.gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    await start.getByLabel('Name').check();
    await start.getByRole('button', { name: 'Share the selected details' }).click();
    const chat = await own.newPage();
    await chat.goto(`${e2e.gw.url}/chat`);
    const sharing = chat.locator('#sharing');
    await expect.poll(() => sharing.isVisible()).toBe(true);
    expect(await sharing.textContent()).toContain('Kari Nordmann');

    await start.goto(`${e2e.gw.url}/`);
    await start.getByRole('button', { name: 'Log out' }).click();
    await expect
      .poll(() => chat.locator('#chat-status').textContent())
      .toBe('The chat session has ended. Reload the page to start again.');
    expect(await sharing.isHidden()).toBe(true);
    expect(await chat.getByText('Kari Nordmann').count()).toBe(0);
    expect(await chat.locator('#chat-privacy').isVisible()).toBe(true);
    // No agent is online, so the offline form is what the chat offered: its sending went through
    // the socket that has ended, so it is disabled rather than answering "Reconnecting…".
    expect(await chat.getByRole('button', { name: 'Send message' }).isDisabled()).toBe(true);
    expect(await chat.getByLabel('Message', { exact: true }).isDisabled()).toBe(true);
    expect(await axeViolations(chat)).toEqual([]);
    await own.close();
  });
});

describe("the citizen's own data", () => {
  it('identifies for it from the start page, sees the conversation, downloads a copy and erases it', async () => {
    // A conversation Kari shared her name into.
    const chat = await context.newPage();
    await chat.goto(`${e2e.gw.url}/`);
    await chat.getByRole('link', { name: 'Identify with BankID' }).click();
    await chat.getByLabel(/Kari Nordmann/).check();
    await chat.getByRole('button', { name: 'Sign in' }).click();
    await chat.getByLabel('Name').check();
    await chat.getByRole('button', { name: 'Share the selected details' }).click();
    await chat.goto(`${e2e.gw.url}/chat`);
    const ws = await chat.evaluate(async (base) => {
      const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/visitor`);
      return new Promise<string>((resolve) => {
        socket.onmessage = (event) => {
          const frame = JSON.parse(String(event.data)) as { type: string; conversation?: { id: string } };
          if (frame.type === 'welcome') socket.send(JSON.stringify({ type: 'start', topic: 'general' }));
          if (frame.type === 'conversation' && frame.conversation) resolve(frame.conversation.id);
        };
      });
    }, e2e.gw.url);
    expect(ws).toMatch(/^[A-Za-z0-9_-]+$/);
    await chat.close();

    // Another browser: the citizen asks for their data.
    const own = await e2e.browser.newContext({ locale: 'en-GB', acceptDownloads: true });
    const page = await own.newPage();
    await page.goto(`${e2e.gw.url}/`);
    await page.getByRole('link', { name: 'Your data in the chat: a copy, or erasure' }).click();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Identify with BankID' }).click();
    await page.getByLabel(/Kari Nordmann/).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Your data in the chat');
    expect(await page.getByText('You are identified as Kari Nordmann.').count()).toBe(1);
    expect(await page.getByRole('table').getByRole('row').count()).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'my-data.png'), fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download a copy' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^my-data-demo-\d{4}-\d\d-\d\d\.json$/);
    const copy = JSON.parse(readFileSync((await download.path()) as string, 'utf8')) as {
      conversations: Array<{ id: string }>;
    };
    expect(copy.conversations.map((c) => c.id)).toEqual([ws]);
    // Without the box ticked: the page's own refusal by the box (not the browser's bubble, in
    // the browser's language and tied to nothing), read first, and nothing erased.
    await page.getByRole('button', { name: 'Erase' }).click();
    const refusal = page.getByRole('alert');
    await expect.poll(() => refusal.textContent()).toContain('Tick the box to confirm the erasure.');
    expect(await page.title()).toMatch(/^Error: /);
    const focusedRole = () =>
      page.evaluate(() =>
        (
          globalThis as unknown as {
            document: { activeElement: { getAttribute(name: string): string | null } | null };
          }
        ).document.activeElement?.getAttribute('role'),
      );
    await expect.poll(focusedRole).toBe('alert');
    const box = page.getByLabel('Yes, erase these conversations (1)');
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    expect(await describedBy(page, box)).toEqual([
      'Tick the box to confirm the erasure. Nothing was erased.',
    ]);
    expect(await page.getByRole('table').getByRole('row').count()).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Yes, erase these conversations (1)').check();
    await page.getByRole('button', { name: 'Erase' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Conversations erased: 1.');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Back to your data' }).click();
    expect(await page.getByText('There is no conversation in which you shared your identity.').count()).toBe(
      1,
    );
    await own.close();
  });
});

describe('reloading the chat after the identified session ended', () => {
  it('says why the identified conversation is no longer shown, not that it was not found', async () => {
    const staff = await e2e.newContext('en-GB');
    const agent = await staff.newPage();
    await agent.goto(`${e2e.gw.url}/staff/login?login_hint=alex-agent&returnTo=%2Fagent`);
    await expect.poll(() => agent.locator('#console-status').textContent()).toBe('Connected.');

    const own = await e2e.newContext('sv-SE');
    const start = await own.newPage();
    await start.goto(`${e2e.gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    await start.getByLabel('Namn').check();
    await start.getByLabel('Personnummer').check();
    await start.getByRole('button', { name: 'Dela de valda uppgifterna' }).click();
    const chat = await own.newPage();
    await chat.goto(`${e2e.gw.url}/chat`);
    await chat.getByRole('button', { name: /My tax case/ }).click();
    await chat.getByLabel('Ditt meddelande').fill('Min deklaration');
    await chat.getByLabel('Ditt meddelande').press('Enter');
    await expect.poll(() => chat.locator('#chat-messages li.msg-own:not(.msg-pending)').count()).toBe(1);

    await start.goto(`${e2e.gw.url}/`);
    await start.getByRole('button', { name: 'Logga ut' }).click();
    await expect
      .poll(() => chat.locator('#chat-status').textContent())
      .toBe('Chattsessionen har avslutats. Ladda om sidan för att börja om.');
    await chat.reload();
    await expect
      .poll(() => chat.locator('#chat-error').textContent())
      .toBe(
        'Din tidigare chatt kan inte längre visas här, till exempel för att inloggningen som du delade dina uppgifter från har avslutats. Du kan starta en ny chatt.',
      );
    expect(await chat.getByRole('heading', { name: 'Vad gäller din fråga?' }).isVisible()).toBe(true);
    expect(await chat.getByText('Kari Nordmann').count()).toBe(0);
    expect(await axeViolations(chat)).toEqual([]);
    await chat.screenshot({ path: join(SCREENSHOT_DIR, 'chat-resume-after-logout-sv.png'), fullPage: true });
    await own.close();
    await staff.close();
  });
});
