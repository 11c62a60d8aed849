import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../src/chat/chat-feature.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { axeViolations, focusedId, launchChromium, SCREENSHOT_DIR } from './chromium.js';
import { askInGeneral, openConsole } from './pages.js';

/** The visitor chat's other paths: no agent online, reload with resume, another language. */

let gw: TestGateway;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(locale = 'en-GB'): Promise<Page> {
  const context = await browser.newContext({ locale });
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  return context.newPage();
}

beforeAll(async () => {
  gw = await startTestGateway({ features: (deps) => [createChatFeature(deps)] });
  browser = await launchChromium();
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await gw?.close();
});

describe('visitor chat without an agent online', () => {
  it('offers the offline-message form and the console lists what was left, shown once opened', async () => {
    const visitor = await newPage();
    await visitor.goto(`${gw.url}/chat`);
    const form = visitor.getByRole('region', { name: 'No agent is available right now' });
    await expect.poll(() => form.isVisible()).toBe(true);
    await visitor.getByLabel('Name', { exact: true }).fill('Vera Visitor');
    await visitor.getByLabel('E-mail').fill('vera@example.org');
    await visitor.getByLabel('Message', { exact: true }).fill('Please call me back about <b>parking</b>.');
    await visitor.getByLabel('Message', { exact: true }).focus();
    await visitor.keyboard.press('Tab');
    await visitor.keyboard.press('Enter');
    await expect
      .poll(() => visitor.locator('#offline-done').textContent())
      .toBe('Thank you. Your message has been saved and we will answer by e-mail.');
    // The form and its send button are gone: the focus is on the confirmation, not the body.
    expect(await focusedId(visitor)).toBe('offline-done');

    const agent = await newPage();
    await agent.goto(`${gw.url}/staff/login?login_hint=alex-agent&returnTo=%2Fagent`);
    // Listed by its time only: what was left shows once an agent opens it (an audited read).
    const listed = agent.locator('#offline-list li.offline-item');
    await expect.poll(() => listed.count()).toBe(1);
    expect(await listed.textContent()).not.toContain('Vera Visitor');
    await listed.getByRole('button', { name: /^Read message left at / }).click();
    const item = agent.locator('#offline-list li').filter({ hasText: 'Vera Visitor' });
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.locator('.msg-text').textContent()).toBe('Please call me back about <b>parking</b>.');
    expect(await item.locator('b').count()).toBe(0);
    expect(await item.getByRole('link', { name: 'vera@example.org' }).getAttribute('href')).toBe(
      'mailto:vera@example.org',
    );
    // Agents get no deletion control; an admin (a conversationDeleter) gets the deletion page's link.
    expect(await listed.getByRole('link', { name: 'Delete message…' }).count()).toBe(0);
    const admin = await newPage();
    await admin.goto(`${gw.url}/staff/login?login_hint=ada-admin&returnTo=%2Fagent`);
    const remove = admin
      .locator('#offline-list li.offline-item')
      .getByRole('link', { name: 'Delete message…' });
    await expect.poll(() => remove.count()).toBe(1);
    const id = await admin.locator('#offline-list li.offline-item').getAttribute('data-offline-id');
    expect(await remove.getAttribute('href')).toBe(`/staff/offline-messages/delete?message=${id}`);

    // Marked handled in one console, shown so in every console with an Undo; the focus stays on it.
    await listed.getByRole('button', { name: /^Mark handled: message left at / }).click();
    const handledNote = /^Handled by Alex Agent at \d{2}:\d{2}/;
    await expect.poll(() => listed.locator('.offline-handled').textContent()).toMatch(handledNote);
    await expect
      .poll(() => admin.locator('#offline-list li.offline-item .offline-handled').textContent())
      .toMatch(handledNote);
    const undo = listed.getByRole('button', { name: /^Undo: message left at .* is not handled$/ });
    expect(await undo.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(await axeViolations(agent)).toEqual([]);
    // Handled ones can be hidden (this console only).
    await agent.getByLabel('Hide handled messages').check();
    await expect.poll(() => listed.count()).toBe(0);
    expect(await agent.locator('#offline-list').textContent()).toBe('Every offline message is handled.');
    expect(await admin.locator('#offline-list li.offline-item').count()).toBe(1);
    await agent.getByLabel('Hide handled messages').uncheck();
    await listed.getByRole('button', { name: /^Undo: / }).click();
    await expect.poll(() => admin.locator('#offline-list li.offline-item .offline-handled').count()).toBe(0);
    expect(
      await admin
        .locator('#offline-list li.offline-item')
        .getByRole('button', { name: /^Mark handled: / })
        .count(),
    ).toBe(1);
    expect(await axeViolations(admin)).toEqual([]);
  });
});

describe('visitor chat across a reload', () => {
  it('resumes the conversation with every message exactly once', async () => {
    const visitor = await newPage();
    await visitor.goto(`${gw.url}/chat`);
    await visitor.getByRole('button', { name: /General questions/ }).click();
    for (const text of ['first', 'second']) {
      await visitor.getByLabel('Your message').fill(text);
      await visitor.getByLabel('Your message').press('Enter');
    }
    const sent = visitor.locator('#chat-messages li.msg-visitor:not(.msg-pending)');
    await expect.poll(() => sent.count()).toBe(2);
    await visitor.reload();
    await expect
      .poll(() => sent.allTextContents())
      .toEqual([expect.stringContaining('first'), expect.stringContaining('second')]);
    expect(await visitor.locator('#chat-topics').isHidden()).toBe(true);
    await visitor.getByLabel('Your message').fill('third');
    await visitor.getByLabel('Your message').press('Enter');
    await expect.poll(() => sent.count()).toBe(3);
  });
});

describe('a conversation deleted by an admin', () => {
  it("goes from the admin console to the deletion page and out of the visitor's window", async () => {
    const visitor = await newPage();
    await askInGeneral(visitor, gw.url, 'My doctor says I have …');
    await expect
      .poll(() => visitor.locator('#chat-messages li.msg-visitor:not(.msg-pending)').count())
      .toBe(1);

    const desk = await openConsole(await newPage(), gw.url, 'ada-admin');
    await desk.locator('li.queue-item').filter({ hasText: 'My doctor says' }).getByRole('button').click();
    const link = desk.getByRole('link', { name: 'Delete conversation…' });
    await expect
      .poll(() => link.getAttribute('href'))
      .toMatch(/\/staff\/conversations\/delete\?conversation=/);
    // The admin deletes in a second tab while the console keeps the reply box focused.
    await desk.getByLabel('Reply').focus();
    const admin = await desk.context().newPage();
    await admin.goto(new URL((await link.getAttribute('href')) ?? '', gw.url).href);
    expect(await admin.getByLabel('Conversation id').inputValue()).toMatch(/^[\w-]+$/);
    expect(await axeViolations(admin)).toEqual([]);
    await admin.getByLabel(/^Reason/).fill('Health data written unprompted');
    await admin.screenshot({ path: `${SCREENSHOT_DIR}/deletion-form.png`, fullPage: true });
    await admin.getByRole('button', { name: 'Delete permanently' }).click();
    expect(await admin.getByRole('heading', { level: 1 }).textContent()).toBe('Conversation deleted');

    await expect
      .poll(() => visitor.locator('#chat-error').textContent())
      .toBe('The service deleted this conversation, with everything written in it. You can start a new one.');
    expect(await visitor.locator('#chat-messages li').count()).toBe(0);
    expect(await visitor.getByRole('button', { name: /General questions/ }).isVisible()).toBe(true);
    // The composer that had the focus is gone: the focus is on what replaced it, not the body.
    expect(await focusedId(visitor)).toBe('topics-heading');
    await expect.poll(() => desk.locator('#conversation-body').isHidden()).toBe(true);
    expect(await focusedId(desk)).toBe('conversation-heading');
    expect(await axeViolations(visitor)).toEqual([]);
    await visitor.screenshot({ path: `${SCREENSHOT_DIR}/deleted-visitor.png`, fullPage: true });
    // After a reload nothing comes back either.
    await visitor.reload();
    await expect
      .poll(() => visitor.getByRole('button', { name: /General questions/ }).isVisible())
      .toBe(true);
    expect(await visitor.locator('#chat-messages li.msg-visitor').count()).toBe(0);
  });
});

describe('a restricted topic after sharing too little', () => {
  it('tells the visitor which details the topic needs, instead of asking them to identify as if they had not', async () => {
    const visitor = await newPage();
    await visitor.goto(`${gw.url}/chat`);
    await visitor.getByRole('button', { name: /My tax case/ }).click();
    const panel = visitor.getByRole('region', { name: 'Identification required' });
    await expect.poll(() => panel.isVisible()).toBe(true);
    const [tab] = await Promise.all([
      visitor.context().waitForEvent('page'),
      panel.getByRole('link', { name: 'Identify with Suomi.fi (opens in a new tab)' }).click(),
    ]);
    await tab.getByLabel(/Matti Meikäläinen/).check();
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.waitForURL(`${gw.url}/consent`);
    await tab.getByLabel('Name').check();
    await tab.getByRole('button', { name: 'Share the selected details' }).click();
    await tab.waitForURL(`${gw.url}/chat/identified`);
    await tab.close();
    // The widget tries the topic again by itself and now says what is missing.
    await expect
      .poll(() => visitor.locator('#idreq-text').textContent())
      .toBe(
        '“My tax case” needs these details from you: Name, National identity number. You have not shared all of them. Identify again and tick them on the page that asks what to share; the chat then continues with “My tax case” by itself.',
      );
    expect(await panel.isVisible()).toBe(true);
    await visitor.screenshot({ path: `${SCREENSHOT_DIR}/claims-missing.png`, fullPage: true });
  });
});

describe('ending a chat with the keyboard', () => {
  it('moves focus to "Start a new chat" when the End chat button disappears', async () => {
    // An agent online, so the visitor gets the topics rather than the offline form.
    await openConsole(await newPage(), gw.url, 'alex-agent');
    const visitor = await newPage();
    await askInGeneral(visitor, gw.url, 'bye');
    await visitor.getByRole('button', { name: 'End chat' }).focus();
    await visitor.keyboard.press('Enter');
    const newChat = visitor.getByRole('button', { name: 'Start a new chat' });
    await expect.poll(() => newChat.isVisible()).toBe(true);
    await expect
      .poll(() => newChat.evaluate((button) => button === button.ownerDocument.activeElement))
      .toBe(true);
  });
});

describe('a supervisor’s console', () => {
  it('lists the conversations other agents have and opens one to read, without the reply box', async () => {
    const agent = await openConsole(await newPage(), gw.url, 'alex-agent');
    await askInGeneral(await newPage(), gw.url, 'Where do I renew my parking permit?');
    await agent.locator('li.queue-item').filter({ hasText: 'parking permit' }).getByRole('button').click();
    await expect.poll(() => agent.locator('#conversation-body').isVisible()).toBe(true);

    const supervisor = await newPage();
    await supervisor.goto(`${gw.url}/staff/login?login_hint=siri-supervisor&returnTo=%2Fagent`);
    const others = supervisor.getByRole('list', { name: 'Other agents’ conversations' });
    const item = others.getByRole('listitem').filter({ hasText: 'Alex Agent' }).last();
    await expect.poll(() => item.count()).toBe(1);
    await item.getByRole('button', { name: /^Open the conversation about General questions/ }).click();
    await expect
      .poll(() => supervisor.getByRole('log').textContent())
      .toContain('Where do I renew my parking permit?');
    expect(await supervisor.getByLabel('Reply').isDisabled()).toBe(true);
    expect(await supervisor.getByRole('button', { name: 'Request identification' }).isDisabled()).toBe(true);
    // Supervisors may close or transfer it; reading it sends no read mark (no not_assigned error).
    expect(await supervisor.getByRole('button', { name: 'Close conversation' }).isEnabled()).toBe(true);
    expect(await supervisor.locator('#console-error').textContent()).toBe('');
    expect(await axeViolations(supervisor)).toEqual([]);
    await supervisor.screenshot({ path: `${SCREENSHOT_DIR}/supervisor-console.png`, fullPage: true });
  });
});

describe('visitor chat in Norwegian', () => {
  it('takes the language from the page (lang attribute, labels, topics, status)', async () => {
    const visitor = await newPage('nb-NO');
    await visitor.goto(`${gw.url}/chat/widget?lang=nb`);
    expect(await visitor.locator('html').getAttribute('lang')).toBe('nb');
    expect(await visitor.getByRole('heading', { level: 1 }).textContent()).toBe('Chat med Testkommune');
    await expect.poll(() => visitor.getByRole('button', { name: /Generelle spørsmål/ }).count()).toBe(1);
    expect(await visitor.getByLabel('Din melding').count()).toBe(1);
    expect(await visitor.locator('#topic-hint-tax-case').textContent()).toBe('Krever identifisering');
  });
});
