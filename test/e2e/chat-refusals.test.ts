import type { Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../src/chat/chat-feature.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import {
  axeViolations,
  type BrowserGateway,
  describedBy,
  focusedId,
  SCREENSHOT_DIR,
  startBrowserGateway,
} from './chromium.js';
import { openConsole } from './pages.js';

/**
 * What the chat pages show when the server refuses what the person did: a message beyond the
 * conversation's length, a message the store could not take, a start into a full queue. Each
 * refusal must leave the page saying what happened and what can be done, never "sending…" for
 * ever, and the page must stay free of axe findings while it says so.
 */

let e2e: BrowserGateway;
let gw: TestGateway;
const newPage = (locale?: string) => e2e.newPage(locale);

/** The visitor's own message lines, stored or not. */
function ownLines(page: Page) {
  return page.locator('#chat-messages li.msg-own');
}

async function send(page: Page, label: string, text: string): Promise<void> {
  await page.getByLabel(label).fill(text);
  await page.getByLabel(label).press('Enter');
}

/**
 * Routes `page`'s chat socket through `decide`, which sees each frame the page sends and either
 * forwards it (returns true) or answers it itself; frames from the server pass unchanged.
 */
async function interceptFrames(
  page: Page,
  path: RegExp,
  decide: (frame: Record<string, unknown>, route: WebSocketRoute) => boolean,
): Promise<void> {
  await page.routeWebSocket(path, (route) => {
    const server = route.connectToServer();
    route.onMessage((raw) => {
      const frame = JSON.parse(String(raw)) as Record<string, unknown>;
      if (decide(frame, route)) server.send(raw);
    });
  });
}

beforeAll(async () => {
  e2e = await startBrowserGateway({
    features: (deps) => [createChatFeature(deps)],
    config: { chat: { messagesPerConversation: 2 } },
  });
  gw = e2e.gw;
});
afterAll(() => e2e?.close());

describe('a visitor message the server refuses', () => {
  it('says "not sent" beyond the length of the conversation (Finnish), not "sending…"', async () => {
    const agent = await openConsole(await newPage(), gw.url, 'alex-agent');
    const visitor = await newPage('fi-FI');
    await visitor.goto(`${gw.url}/chat`);
    await visitor.getByRole('button', { name: /General questions/ }).click();
    await send(visitor, 'Viestisi', 'yksi');
    await send(visitor, 'Viestisi', 'kaksi');
    await expect.poll(() => visitor.locator('#chat-messages li.msg-own:not(.msg-pending)').count()).toBe(2);
    await send(visitor, 'Viestisi', 'kolme');
    const refused = ownLines(visitor).filter({ hasText: 'kolme' });
    await expect.poll(() => refused.locator('.msg-state').textContent()).toBe('ei lähetetty');
    // Why, in the message's own line (the log announces it), not in the error line above.
    expect(await refused.locator('.msg-error').textContent()).toBe(
      'Tämä keskustelu on saavuttanut enimmäispituutensa. Lopeta se ja aloita uusi jatkaaksesi.',
    );
    expect(await visitor.locator('#chat-error').textContent()).toBe('');
    // Resending cannot help: no "send again" is offered for it.
    expect(await refused.getByRole('button').count()).toBe(0);
    expect(await visitor.getByText('lähetetään…').count()).toBe(0);
    await visitor.screenshot({ path: `${SCREENSHOT_DIR}/chat-refused-full-fi.png`, fullPage: true });
    expect(await axeViolations(visitor)).toEqual([]);
    await visitor.getByRole('button', { name: 'Lopeta chat' }).click();
    await agent.close();
  });

  it('offers to send again after the store failed, and the resend is stored once', async () => {
    const agent = await openConsole(await newPage(), gw.url, 'alex-agent');
    const visitor = await newPage();
    let refusedOnce = false;
    await interceptFrames(visitor, /\/ws\/visitor/, (frame, route) => {
      if (frame.type !== 'message' || refusedOnce) return true;
      refusedOnce = true;
      route.send(
        JSON.stringify({
          type: 'error',
          code: 'store_unavailable',
          message: 'The store cannot be reached.',
          clientId: frame.clientId,
        }),
      );
      return false;
    });
    await visitor.goto(`${gw.url}/chat`);
    await visitor.getByRole('button', { name: /General questions/ }).click();
    await send(visitor, 'Your message', 'hello once');
    const line = ownLines(visitor).filter({ hasText: 'hello once' });
    await expect.poll(() => line.locator('.msg-state').textContent()).toBe('not sent');
    // "Send again" is described by why it was not sent.
    expect(await describedBy(visitor, line.getByRole('button', { name: 'Send again' }))).toEqual([
      'The chat is briefly unavailable; your message was not sent. Please send it again in a moment.',
    ]);
    await visitor.screenshot({ path: `${SCREENSHOT_DIR}/chat-refused-store.png`, fullPage: true });
    expect(await axeViolations(visitor)).toEqual([]);
    // By keyboard, as anyone would.
    await line.getByRole('button', { name: 'Send again' }).focus();
    await visitor.keyboard.press('Enter');
    // The pressed button is gone: the focus goes on in the message field, not the page's start.
    expect(await focusedId(visitor)).toBe('composer-text');
    await expect.poll(() => line.locator('.msg-state').count()).toBe(0);
    expect(await line.locator('.msg-error').count()).toBe(0);
    expect(await line.getAttribute('data-seq')).toBe('1');
    expect(await visitor.locator('#chat-error').textContent()).toBe('');
    await visitor.getByRole('button', { name: 'End chat' }).click();
    await agent.close();
  });

  it('shows a message waiting for its acknowledgement legibly (no axe finding)', async () => {
    const agent = await openConsole(await newPage(), gw.url, 'alex-agent');
    const visitor = await newPage('sv-SE');
    // The server never hears of the message: it stays pending.
    await interceptFrames(visitor, /\/ws\/visitor/, (frame) => frame.type !== 'message');
    await visitor.goto(`${gw.url}/chat`);
    await visitor.getByRole('button', { name: /General questions/ }).click();
    await send(visitor, 'Ditt meddelande', 'väntar');
    await expect
      .poll(() => ownLines(visitor).filter({ hasText: 'väntar' }).locator('.msg-state').textContent())
      .toBe('skickas …');
    expect(await axeViolations(visitor)).toEqual([]);
    await visitor.getByRole('button', { name: 'Avsluta chatten' }).click();
    await agent.close();
  });
});

describe('an agent reply the server refuses', () => {
  it('says "not sent" with "Send again" instead of "sending…"', async () => {
    const visitor = await newPage();
    const agent = await newPage('nb-NO');
    let refusedOnce = false;
    await interceptFrames(agent, /\/ws\/agent/, (frame, route) => {
      if (frame.type !== 'message' || refusedOnce) return true;
      refusedOnce = true;
      route.send(
        JSON.stringify({ type: 'error', code: 'internal_error', message: 'x', clientId: frame.clientId }),
      );
      return false;
    });
    await agent.goto(`${gw.url}/staff/login?login_hint=alex-agent&returnTo=%2Fagent`);
    await expect.poll(() => agent.locator('#console-status').textContent()).toBe('Tilkoblet.');
    await visitor.goto(`${gw.url}/chat`);
    await visitor.getByRole('button', { name: /General questions/ }).click();
    await send(visitor, 'Your message', 'a question');
    const queued = agent.locator('#queue-list li').filter({ hasText: 'a question' });
    await expect.poll(() => queued.count()).toBe(1);
    await queued.getByRole('button').click();
    await send(agent, 'Svar', 'et svar');
    const line = agent.locator('#console-messages li.msg-own').filter({ hasText: 'et svar' });
    await expect.poll(() => line.locator('.msg-state').textContent()).toBe('ikke sendt');
    expect(await describedBy(agent, line.getByRole('button', { name: 'Send på nytt' }))).toEqual([
      'Noe gikk galt. Prøv igjen.',
    ]);
    expect(await agent.locator('#console-error').textContent()).toBe('');
    expect(await axeViolations(agent)).toEqual([]);
    await line.getByRole('button', { name: 'Send på nytt' }).click();
    expect(await focusedId(agent)).toBe('reply-text');
    await expect.poll(() => line.locator('.msg-state').count()).toBe(0);
    await expect
      .poll(() => visitor.locator('#chat-messages li.msg-agent').allTextContents())
      .toEqual([expect.stringContaining('et svar')]);
  });
});

describe('a console action the server refuses', () => {
  it('is told below the open conversation’s buttons (transfer), not at the top of the page', async () => {
    const visitor = await newPage();
    const agent = await newPage();
    // The conversation is closed under the agent's hands (the answer the server gives then).
    await interceptFrames(agent, /\/ws\/agent/, (frame, route) => {
      if (frame.type !== 'transfer') return true;
      route.send(JSON.stringify({ type: 'error', code: 'conversation_closed', message: 'x' }));
      return false;
    });
    await openConsole(agent, gw.url, 'alex-agent');
    await visitor.goto(`${gw.url}/chat`);
    await visitor.getByRole('button', { name: /General questions/ }).click();
    await send(visitor, 'Your message', 'transfer me');
    const queued = agent.locator('#queue-list li').filter({ hasText: 'transfer me' });
    await expect.poll(() => queued.count()).toBe(1);
    await queued.getByRole('button').click();
    await agent.getByRole('button', { name: 'Transfer', exact: true }).click();
    const line = agent.locator('#conversation-error');
    await expect.poll(() => line.textContent()).toBe('The conversation has ended.');
    expect(await line.getAttribute('role')).toBe('alert');
    expect(await agent.locator('#console-error').textContent()).toBe('');
    expect(await axeViolations(agent)).toEqual([]);
    await agent.screenshot({ path: `${SCREENSHOT_DIR}/console-action-refused.png`, fullPage: true });
    // The next action takes the old refusal away.
    await agent.getByRole('button', { name: 'Close conversation' }).click();
    await expect.poll(() => line.textContent()).toBe('');
    await visitor.close();
  });

  it('takes back "identification link sent" when the request is refused', async () => {
    const visitor = await newPage();
    const agent = await newPage();
    await interceptFrames(agent, /\/ws\/agent/, (frame, route) => {
      if (frame.type !== 'request-identification') return true;
      route.send(JSON.stringify({ type: 'error', code: 'conversation_closed', message: 'x' }));
      return false;
    });
    await openConsole(agent, gw.url, 'alex-agent');
    await visitor.goto(`${gw.url}/chat`);
    await visitor.getByRole('button', { name: /General questions/ }).click();
    await send(visitor, 'Your message', 'identify me');
    const queued = agent.locator('#queue-list li').filter({ hasText: 'identify me' });
    await expect.poll(() => queued.count()).toBe(1);
    await queued.getByRole('button').click();
    await agent.getByRole('button', { name: 'Request identification' }).click();
    await expect
      .poll(() => agent.locator('#conversation-error').textContent())
      .toBe('The conversation has ended.');
    expect(await agent.getByText('An identification link was sent to the visitor.').count()).toBe(0);
    await visitor.close();
  });

  it('is told in the offline messages’ section when the message is gone', async () => {
    const agent = await newPage();
    // The list names a message that no longer exists (deleted meanwhile): opening it is refused
    // by the gateway itself (offline_message_not_found).
    let listed = false;
    await agent.routeWebSocket(/\/ws\/agent/, (route) => {
      const server = route.connectToServer();
      server.onMessage((raw) => {
        route.send(raw);
        if (listed || (JSON.parse(String(raw)) as { type: string }).type !== 'welcome') return;
        listed = true;
        route.send(
          JSON.stringify({
            type: 'offline-message',
            message: { id: 'gone-offline-message', createdAt: new Date().toISOString(), redacted: false },
          }),
        );
      });
    });
    await openConsole(agent, gw.url, 'alex-agent');
    const item = agent.locator('#offline-list li[data-offline-id="gone-offline-message"]');
    await item.getByRole('button', { name: /^Read message left at / }).click();
    const line = agent.locator('#offline-error');
    await expect.poll(() => line.textContent()).toBe('This offline message no longer exists.');
    expect(await agent.locator('#console-error').textContent()).toBe('');
    expect(await axeViolations(agent)).toEqual([]);
    await agent.setViewportSize({ width: 375, height: 740 });
    await agent.screenshot({ path: `${SCREENSHOT_DIR}/console-offline-refused-phone.png`, fullPage: true });
  });
});

describe('a start into a full queue', () => {
  let full: TestGateway;
  beforeAll(async () => {
    full = await startTestGateway({
      features: (deps) => [createChatFeature(deps)],
      config: { chat: { maxQueued: 1 } },
    });
  });
  afterAll(async () => {
    await full?.close();
  });

  it('offers the offline-message form its refusal speaks of, and the message is saved', async () => {
    const base = full.url;
    const agent = await openConsole(await newPage(), base, 'alex-agent');
    const first = await newPage();
    await first.goto(`${base}/chat`);
    await first.getByRole('button', { name: /General questions/ }).click();
    await expect.poll(() => first.locator('#chat-conversation').isVisible()).toBe(true);

    const second = await newPage('nb-NO');
    await second.goto(`${base}/chat`);
    await second.getByRole('button', { name: /Anonym chat/ }).click();
    await expect
      .poll(() => second.locator('#chat-error').textContent())
      .toBe('For mange venter akkurat nå. Prøv igjen senere, eller legg igjen en melding.');
    const form = second.getByRole('region', { name: 'Ingen saksbehandler er tilgjengelig akkurat nå' });
    await expect.poll(() => form.isVisible()).toBe(true);
    await second.screenshot({ path: `${SCREENSHOT_DIR}/chat-queue-full-nb.png`, fullPage: true });
    expect(await axeViolations(second)).toEqual([]);
    await second.getByLabel('Navn').fill('Nora Nordmann');
    await second.getByLabel('E-post').fill('nora@example.org');
    await second.getByLabel('Melding', { exact: true }).fill('Ring meg.');
    await second.getByRole('button', { name: 'Send melding' }).click();
    await expect
      .poll(() => second.locator('#offline-done').textContent())
      .toBe('Takk. Meldingen din er lagret, og vi svarer på e-post.');
    await agent.close();
  });
});

describe('a start while too many from the same network wait', () => {
  let bounded: TestGateway;
  beforeAll(async () => {
    // Every page of the test is 127.0.0.1: one network, with one place.
    bounded = await startTestGateway({
      features: (deps) => [createChatFeature(deps)],
      // The bounds apply once the queue is half full: from the first conversation here.
      config: { chat: { maxQueued: 2, maxQueuedPerVisitor: 1, maxQueuedPerAddress: 1 } },
    });
  });
  afterAll(async () => {
    await bounded?.close();
  });

  it('says so in the page’s language and offers the offline-message form', async () => {
    const base = bounded.url;
    const agent = await openConsole(await newPage(), base, 'alex-agent');
    const first = await newPage();
    await first.goto(`${base}/chat`);
    await first.getByRole('button', { name: /General questions/ }).click();
    await expect.poll(() => first.locator('#chat-conversation').isVisible()).toBe(true);

    const second = await newPage('nb-NO');
    await second.goto(`${base}/chat`);
    await second.getByRole('button', { name: /Anonym chat/ }).click();
    await expect
      .poll(() => second.locator('#chat-error').textContent())
      .toBe(
        'For mange samtaler herfra venter allerede. Vent på svar, prøv igjen senere, eller legg igjen en melding.',
      );
    const form = second.getByRole('region', { name: 'Ingen saksbehandler er tilgjengelig akkurat nå' });
    await expect.poll(() => form.isVisible()).toBe(true);
    expect(await axeViolations(second)).toEqual([]);
    await agent.close();
  });
});
