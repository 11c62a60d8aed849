import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../src/chat/chat-feature.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { axeViolations, launchChromium, SCREENSHOT_DIR } from './chromium.js';

/**
 * The product's acceptance scenario in two real browsers, as a new user would go through it:
 * a visitor chats anonymously, is refused a topic that needs identification, an agent signed
 * in through the mock staff IdP answers and asks for identification, the visitor identifies as
 * a mock Suomi.fi persona in a new tab and shares name and national id, the agent sees exactly
 * those with a verified badge, and the visitor's withdrawal clears the agent's view.
 * Every step is done with the keyboard where a user would type or press Enter.
 */

const HETU = '010594Y9032';
const NAME = 'Matti Meikäläinen';

let gw: TestGateway;
let browser: Browser;
let visitorContext: BrowserContext;
let agentContext: BrowserContext;
let visitor: Page;
let agent: Page;

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  return context;
}

/** Presses Enter on a control focused by the keyboard's own means (focus + key, no mouse). */
async function activate(page: Page, locator: ReturnType<Page['locator']>): Promise<void> {
  await locator.focus();
  await page.keyboard.press('Enter');
}

beforeAll(async () => {
  gw = await startTestGateway({ features: (deps) => [createChatFeature(deps)] });
  browser = await launchChromium();
  agentContext = await newContext();
  visitorContext = await newContext();
  agent = await agentContext.newPage();
  visitor = await visitorContext.newPage();
});
afterAll(async () => {
  await browser?.close();
  await gw?.close();
});

describe('identification inside a chat (two browsers)', () => {
  it('signs the agent in through the mock staff IdP onto the console', async () => {
    await agent.goto(`${gw.url}/agent`);
    // The mock's own login page: pick the agent persona, sign in.
    await agent.getByLabel(/Alex Agent/).check();
    await activate(agent, agent.getByRole('button', { name: 'Sign in' }));
    await agent.waitForURL(`${gw.url}/agent`);
    await expect.poll(() => agent.locator('#console-status').textContent()).toBe('Connected.');
    await expect.poll(() => agent.getByRole('heading', { name: 'General questions (0)' }).count()).toBe(1);
    expect(await agent.getByText('Signed in as Alex Agent (agent)').count()).toBe(1);
  });

  it("refuses the anonymous visitor 'My tax case' and offers identification in a new tab", async () => {
    await visitor.goto(`${gw.url}/chat`);
    const tax = visitor.getByRole('button', { name: /My tax case/ });
    expect(await tax.getAttribute('aria-describedby')).toBe('topic-hint-tax-case');
    expect(await visitor.locator('#topic-hint-tax-case').textContent()).toBe('Identification required');
    await activate(visitor, tax);
    const panel = visitor.getByRole('region', { name: 'Identification required' });
    await expect.poll(() => panel.isVisible()).toBe(true);
    expect(await panel.textContent()).toContain('“My tax case” concerns your personal matters');
    const suomifi = panel.getByRole('link', { name: 'Identify with Suomi.fi (opens in a new tab)' });
    expect(await suomifi.getAttribute('target')).toBe('_blank');
    expect(await suomifi.getAttribute('rel')).toContain('noopener');
    // Focus moved to the panel so keyboard and screen reader users land on the explanation.
    expect(
      await visitor.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement
            .id,
      ),
    ).toBe('chat-idreq');
    expect(await visitor.locator('#chat-conversation').isHidden()).toBe(true);
  });

  it("lets the visitor chat anonymously in 'General questions', every message as text", async () => {
    await activate(visitor, visitor.getByRole('button', { name: /General questions/ }));
    const box = visitor.getByLabel('Your message');
    await expect.poll(() => box.isVisible()).toBe(true);
    await box.focus();
    await visitor.keyboard.type('Hello, when is the waste collected?');
    await visitor.keyboard.press('Shift+Enter');
    await visitor.keyboard.type('I live in the centre.');
    await visitor.keyboard.press('Enter');
    await box.focus();
    await visitor.keyboard.type('<img src=x onerror=alert(1)><b>not bold</b>');
    await visitor.keyboard.press('Enter');
    const log = visitor.getByRole('log');
    await expect.poll(() => log.locator('li.msg-visitor:not(.msg-pending)').count()).toBe(2);
    expect(await log.locator('li.msg-visitor .msg-text').first().textContent()).toBe(
      'Hello, when is the waste collected?\nI live in the centre.',
    );
    expect(await log.locator('img, b').count()).toBe(0);
    expect(await log.textContent()).toContain('<img src=x onerror=alert(1)><b>not bold</b>');
    expect(await visitor.locator('#chat-status').textContent()).toBe(
      'Waiting for an agent. You can already write your question.',
    );
  });

  it('lets the agent take the conversation from the queue and answer', async () => {
    await expect.poll(() => agent.getByRole('heading', { name: 'General questions (1)' }).count()).toBe(1);
    await activate(
      agent,
      agent.getByRole('button', { name: /^Take the conversation about General questions from/ }),
    );
    await expect
      .poll(() => agent.locator('#conversation-heading').textContent())
      .toBe('Conversation: General questions');
    const log = agent.getByRole('log');
    await expect.poll(() => log.locator('li.msg-visitor').count()).toBe(2);
    expect(await log.locator('img, b').count()).toBe(0);
    expect(await agent.locator('#identity-body').textContent()).toBe('The visitor is anonymous.');
    await agent.getByLabel('Reply').focus();
    await agent.keyboard.type('Hi! I can help with that. May I see your details?');
    await agent.keyboard.press('Enter');
    const reply = visitor.getByRole('log').locator('li.msg-agent');
    await expect.poll(() => reply.count()).toBe(1);
    expect(await reply.locator('.msg-author').textContent()).toBe('Alex Agent');
    expect(await reply.locator('.msg-text').textContent()).toBe(
      'Hi! I can help with that. May I see your details?',
    );
    await expect
      .poll(() => visitor.locator('#chat-status').textContent())
      .toBe('You are chatting with Alex Agent.');
  });

  it('delivers the agent’s identification request as an in-chat link; the visitor identifies and shares name and id', async () => {
    await activate(agent, agent.getByRole('button', { name: 'Request identification' }));
    const link = visitor
      .getByRole('log')
      .getByRole('link', { name: 'Identify yourself (opens in a new tab)' });
    await expect.poll(() => link.count()).toBe(1);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('href')).toMatch(/^\/chat\/identify\/[A-Za-z0-9_-]+$/);

    const [tab] = await Promise.all([visitorContext.waitForEvent('page'), activate(visitor, link)]);
    await tab.waitForLoadState();
    await activate(tab, tab.getByRole('link', { name: 'Suomi.fi' }));
    // The mock Suomi.fi (FTN) login page: choose the test persona.
    await tab.getByLabel(new RegExp(NAME)).check();
    await activate(tab, tab.getByRole('button', { name: 'Sign in' }));
    await tab.waitForURL(`${gw.url}/consent`);
    await tab.getByLabel('Name').check();
    await tab.getByLabel('National identity number').check();
    await activate(tab, tab.getByRole('button', { name: 'Share the selected details' }));
    await tab.waitForURL(`${gw.url}/chat/identified`);
    expect(await tab.getByRole('heading', { level: 1 }).textContent()).toBe('You are identified');
    await tab.close();

    // The chat window updated by itself: verified from here on, and what is shared.
    await expect.poll(() => visitor.getByRole('log').textContent()).toContain('Verified from here on');
    const sharing = visitor.locator('#sharing-text');
    await expect.poll(() => sharing.isVisible()).toBe(true);
    expect(await sharing.textContent()).toBe(
      `You share with Test Municipality: Name ${NAME}, National identity number ${HETU}.`,
    );
    expect(await visitor.getByRole('button', { name: 'Stop sharing' }).isVisible()).toBe(true);
  });

  it('shows the agent exactly the shared claims with a verified badge', async () => {
    const panel = agent.getByRole('complementary', { name: 'Identity of the visitor' });
    await expect.poll(() => panel.locator('dd').allTextContents()).toEqual([NAME, HETU]);
    expect(await panel.locator('dt').allTextContents()).toEqual(['Name', 'National identity number']);
    expect(await panel.locator('.badge-verified').textContent()).toBe('Verified');
    expect(await panel.textContent()).toContain('Verified with Suomi.fi (level substantial)');
    // Not shared, so never shown: the birth date the broker also sent.
    expect(await panel.textContent()).not.toContain('1994');
    // The console's own notice of the event, which stands for the stored line (one line, read once).
    await expect
      .poll(() => agent.getByRole('log').locator('li[data-system-code="verified"]').textContent())
      .toMatch(/^Verified The visitor shared their identity: Name, National identity number\. \d/);

    await visitor.getByLabel('Your message').focus();
    await visitor.keyboard.type('Here I am, identified.');
    await visitor.keyboard.press('Enter');
    const verifiedMessage = agent
      .getByRole('log')
      .locator('li.msg-visitor')
      .filter({ hasText: 'Here I am, identified.' });
    await expect.poll(() => verifiedMessage.count()).toBe(1);
    expect(await verifiedMessage.locator('.badge-verified').textContent()).toBe('Verified');
    // Messages from before the identification stay unverified.
    expect(
      await agent.getByRole('log').locator('li.msg-visitor').first().locator('.badge-verified').count(),
    ).toBe(0);
  });

  it("drops the identity from the agent's view when the visitor stops sharing", async () => {
    // The login in the other tab rotated the session and its CSRF token: the widget reads the
    // new one first instead of being refused once.
    const refused: string[] = [];
    visitor.on('response', (response) => {
      if (response.status() === 403) refused.push(response.url());
    });
    // Its answer is read to its end, so the request finishes instead of staying open until the
    // page is left (and then being reported as failed, "canceled").
    const finished: string[] = [];
    visitor.on('requestfinished', (request) => {
      if (request.url().endsWith('/api/identity/withdraw')) finished.push(request.method());
    });
    await activate(visitor, visitor.getByRole('button', { name: 'Stop sharing' }));
    const panel = agent.getByRole('complementary', { name: 'Identity of the visitor' });
    await expect.poll(() => panel.locator('#identity-body').textContent()).toBe('The visitor is anonymous.');
    expect(await panel.textContent()).not.toContain(HETU);
    expect(await panel.textContent()).not.toContain(NAME);
    await expect
      .poll(() => agent.getByRole('log').textContent())
      .toContain('The visitor stopped sharing their identity.');
    // Nor does the transcript keep the shared name on earlier messages.
    expect(await agent.getByRole('log').textContent()).not.toContain(NAME);
    await expect.poll(() => visitor.locator('#sharing').isHidden()).toBe(true);
    expect(await visitor.getByRole('log').textContent()).toContain('You stopped sharing your identity.');
    expect(refused).toEqual([]);
    await expect.poll(() => finished).toEqual(['POST']);
  });

  it('has no axe-core violations, of any impact, on the widget and the console', async () => {
    const widget = await visitorContext.newPage();
    await widget.goto(`${gw.url}/chat/widget`);
    await expect.poll(() => widget.locator('#chat-status').textContent()).not.toBe('Loading the chat…');
    await widget.setViewportSize({ width: 420, height: 760 });
    await widget.screenshot({ path: join(SCREENSHOT_DIR, 'widget.png'), fullPage: true });
    await visitor.screenshot({ path: join(SCREENSHOT_DIR, 'chat-page.png'), fullPage: true });
    await agent.screenshot({ path: join(SCREENSHOT_DIR, 'console.png'), fullPage: true });

    expect(await axeViolations(widget)).toEqual([]);
    expect(await axeViolations(visitor)).toEqual([]);
    expect(await axeViolations(agent)).toEqual([]);
  });
});
