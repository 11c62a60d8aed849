import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../src/chat/chat-feature.js';
import {
  axeViolations,
  type BrowserGateway,
  focusedId,
  SCREENSHOT_DIR,
  startBrowserGateway,
} from './chromium.js';
import { openConsole } from './pages.js';

/**
 * The visitor page follows agents coming and going (the `agents` frame) without a reload: the
 * offline form becomes the topic choice and back, and a half-written offline message is kept.
 */

let e2e: BrowserGateway;

beforeAll(async () => {
  e2e = await startBrowserGateway({
    features: (deps) => [createChatFeature(deps)],
    config: { chat: { availabilityCheckSeconds: 0.2 } },
  });
});
afterAll(() => e2e?.close());

describe('the visitor page while agents log in and out', () => {
  it('keeps a half-written offline message when an agent logs in, offers the chat beside it, and the form again once they leave', async () => {
    const url = e2e.gw.url;
    const visitor = await e2e.newPage();
    await visitor.goto(`${url}/chat`);
    const offline = visitor.locator('#chat-offline');
    const heading = () => visitor.locator('#offline-heading').textContent();
    await expect.poll(() => offline.isVisible()).toBe(true);
    expect(await visitor.getByRole('region', { name: 'No agent is available right now' }).isVisible()).toBe(
      true,
    );
    // A second visitor who has typed nothing is simply shown the topics.
    const idle = await e2e.newPage();
    await idle.goto(`${url}/chat`);
    await expect.poll(() => idle.locator('#chat-offline').isVisible()).toBe(true);

    await visitor.getByLabel('Name', { exact: true }).fill('Vera Visitor');
    await visitor.getByLabel('E-mail').fill('vera@example.org');
    const text = visitor.getByLabel('Message', { exact: true });
    await text.fill('About my parking permit, I would like to');
    expect(await focusedId(visitor)).toBe('offline-text');

    const agent = await openConsole(await e2e.newPage(), url, 'alex-agent');

    const news = visitor.locator('#chat-news');
    await expect.poll(() => news.textContent()).toBe('An agent is now available for a live chat.');
    expect(await news.getAttribute('role')).toBe('status');
    // The form stays with what was typed, and the focus where the visitor is writing.
    expect(await offline.isVisible()).toBe(true);
    // Beside the live chat on offer, the form no longer says no agent is available.
    expect(await heading()).toBe('Leave a message');
    expect(await text.inputValue()).toBe('About my parking permit, I would like to');
    expect(await visitor.getByLabel('Name', { exact: true }).inputValue()).toBe('Vera Visitor');
    expect(await focusedId(visitor)).toBe('offline-text');
    expect(await visitor.locator('#chat-topics').isVisible()).toBe(false);
    const startLive = visitor.getByRole('button', { name: 'Start a live chat instead' });
    expect(await startLive.isVisible()).toBe(true);
    expect(await axeViolations(visitor)).toEqual([]);
    await visitor.screenshot({ path: `${SCREENSHOT_DIR}/widget-agents-back.png`, fullPage: true });

    // The idle visitor's page switched to the topic choice by itself.
    await expect.poll(() => idle.getByRole('button', { name: /General questions/ }).isVisible()).toBe(true);
    expect(await idle.locator('#chat-offline').isVisible()).toBe(false);
    expect(await idle.locator('#chat-news').textContent()).toBe('An agent is now available for a live chat.');

    await startLive.click();
    await expect
      .poll(() => visitor.getByRole('button', { name: /General questions/ }).isVisible())
      .toBe(true);
    expect(await offline.isVisible()).toBe(false);
    expect(await focusedId(visitor)).toBe('topics-heading');

    // The agent leaves while the visitor chooses a topic: the offline form again, with their text.
    await visitor.getByRole('button', { name: /General questions/ }).focus();
    await agent.close();
    await expect
      .poll(() => news.textContent())
      .toBe('No agent is available any more. You can leave a message instead.');
    expect(await offline.isVisible()).toBe(true);
    expect(await visitor.locator('#chat-topics').isVisible()).toBe(false);
    expect(await visitor.locator('#agents-back').isVisible()).toBe(false);
    expect(await heading()).toBe('No agent is available right now');
    expect(await text.inputValue()).toBe('About my parking permit, I would like to');
    // The topic button with the focus went away: the focus is on the form's heading, not the body.
    expect(await focusedId(visitor)).toBe('offline-heading');
  });

  it('says it in the page’s language', async () => {
    const url = e2e.gw.url;
    const visitor = await e2e.newPage('fi-FI');
    await visitor.goto(`${url}/chat?lang=fi`);
    await expect.poll(() => visitor.locator('#chat-offline').isVisible()).toBe(true);
    const agent = await openConsole(await e2e.newPage(), url, 'alex-agent');
    await expect
      .poll(() => visitor.locator('#chat-news').textContent())
      .toBe('Asiakaspalvelija on nyt tavoitettavissa chattiin.');
    await agent.close();
  });
});
