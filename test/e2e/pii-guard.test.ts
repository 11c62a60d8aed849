import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../src/chat/chat-feature.js';
import { findNationalIds } from '../../src/identity/national-id-text.js';
import { toScanText } from '../../src/identity/scan-text.js';
import { FI_TEST_HETU, NO_SYNTHETIC_DNR, NO_SYNTHETIC_FNR } from '../fixtures/national-ids.js';
import { inScript } from '../helpers/national-id-variants.js';
import { startTestGateway, type TestGateway, testTenant } from '../helpers/test-gateway.js';
import { launchChromium } from './chromium.js';
import { openConsole } from './pages.js';

/**
 * The PII guard as a visitor meets it in Chromium: numbers typed in disguise (no-break and
 * zero-width spaces, fullwidth and Arabic-Indic digits, a lower-case hetu glued to letters, a
 * number split over two messages) never reach the agent's console, and the visitor is told,
 * with the identification links at hand.
 */

const IDS = [NO_SYNTHETIC_FNR, NO_SYNTHETIC_DNR, FI_TEST_HETU];

let gw: TestGateway;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-GB' });
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  return context.newPage();
}

beforeAll(async () => {
  // The messages go out faster than a person types: lift the frame limits (tested elsewhere).
  gw = await startTestGateway({
    features: (deps) => [
      createChatFeature(deps, { rateLimits: { connectionPerSecond: 100, sessionPerSecond: 100 } }),
    ],
    tenants: [testTenant({ metadata: { ip: false, userAgent: true, pages: true, referrer: true } })],
  });
  browser = await launchChromium();
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await gw?.close();
});

/** True when `text` holds one of the ids in any form (the guard's finder, and squeezed digits). */
function holdsId(text: string): boolean {
  const squeezed = toScanText(text).scan.replace(/[ +-]/g, '');
  return findNationalIds(text).length > 0 || IDS.some((id) => squeezed.includes(id.replace(/[+-]/g, '')));
}

describe('national ids typed into the visitor widget', () => {
  it('reach the agent console only as [redacted], and the visitor is offered identification', async () => {
    const agent = await openConsole(await newPage(), gw.url, 'alex-agent');

    const visitor = await newPage();
    await visitor.goto(`${gw.url}/chat`);
    await visitor.getByRole('button', { name: /General questions/ }).click();
    const box = visitor.getByLabel('Your message');
    const messages = [
      `My number is ${NO_SYNTHETIC_FNR.slice(0, 6)}\u00A0${NO_SYNTHETIC_FNR.slice(6)}`,
      `Or ${Array.from(inScript(NO_SYNTHETIC_DNR, 0xff10)).join('\u200B')}`,
      `hetu ${inScript(FI_TEST_HETU.toLowerCase(), 0x660)}abc`,
      `Split: ${NO_SYNTHETIC_FNR.slice(0, 6)} -`,
      `${NO_SYNTHETIC_FNR.slice(6)} thanks`,
    ];
    for (const text of messages) {
      await box.fill(text);
      await box.press('Enter');
    }
    const sent = visitor.locator('#chat-messages li.msg-visitor:not(.msg-pending) .msg-text');
    await expect.poll(() => sent.count()).toBe(messages.length);
    expect(await sent.allTextContents()).toEqual([
      'My number is [redacted]',
      'Or [redacted]',
      'hetu [redacted]abc',
      `Split: ${NO_SYNTHETIC_FNR.slice(0, 6)} -`,
      '[redacted] thanks',
    ]);
    // The notice names what happened and puts the identify links at hand.
    const notice = visitor.locator('#chat-messages li.msg-notice.notice-warning').last();
    expect(await notice.textContent()).toContain('national identity number');
    expect(await notice.getByRole('link', { name: /Identify with BankID/ }).count()).toBe(1);

    await agent.getByRole('button', { name: /^Take the conversation (of|about)/ }).click();
    const seen = agent.locator('li.msg-visitor .msg-text');
    await expect.poll(() => seen.count()).toBe(messages.length);
    const console = (await agent.locator('body').textContent()) ?? '';
    expect(holdsId(console)).toBe(false);
    expect(holdsId((await seen.allTextContents()).join(''))).toBe(false);
  });

  it('keeps an id in the page URL out of the stored metadata, as the browser encodes it', async () => {
    const visitor = await newPage();
    const query = `fnr=${NO_SYNTHETIC_DNR.slice(0, 6)}\u00A0${NO_SYNTHETIC_DNR.slice(6)}&hetu=${FI_TEST_HETU.toLowerCase()}`;
    await visitor.goto(`${gw.url}/chat?${query}`);
    await visitor.getByRole('button', { name: /General questions/ }).click();
    await expect.poll(() => visitor.getByLabel('Your message').isVisible()).toBe(true);
    const id = await visitor.evaluate(() =>
      (
        globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }
      ).sessionStorage.getItem('eidchat.conversation'),
    );
    const stored = id ? await gw.gateway.deps.store.chat.conversations.get('demo', id) : undefined;
    const pages = stored?.metadata.pages ?? [];
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatch(/\?fnr=\[redacted\]&hetu=\[redacted\]$/);
    expect(holdsId(pages.join(' '))).toBe(false);

    // The agent who opens it sees where the chat was started, as stored, and the browser.
    const agent = await openConsole(await newPage(), gw.url, 'alex-agent');
    await agent
      .getByRole('button', { name: /^Take the conversation (of|about)/ })
      .last()
      .click();
    const visit = agent.getByRole('region', { name: 'About the visit' });
    await expect.poll(() => visit.isVisible()).toBe(true);
    expect(await visit.locator('dt').allTextContents()).toEqual(['Pages visited', 'Browser']);
    expect(await visit.locator('dd').first().textContent()).toBe(pages[0]);
    expect(await visit.locator('dd').last().textContent()).toContain('Mozilla/5.0');

    // The visitor goes on to another page with the chat open: the console adds it at once.
    await visitor.goto(`${gw.url}/chat?step=2`);
    await expect.poll(() => visitor.locator('#chat-conversation').isVisible()).toBe(true);
    await expect.poll(() => visit.locator('dd').count()).toBe(3);
    expect(await visit.locator('dd').nth(1).textContent()).toBe(`${gw.url}/chat?step=2`);
  });

  it('redacts ids in the offline message form before the console shows it', async () => {
    // The form shows only while no agent is online: close the consoles of the tests before.
    for (const context of contexts.splice(0)) await context.close();
    const visitor = await newPage();
    await visitor.goto(`${gw.url}/chat`);
    await visitor
      .getByLabel('Name', { exact: true })
      .fill(`Vera ${NO_SYNTHETIC_FNR.slice(0, 6)}-${NO_SYNTHETIC_FNR.slice(6)}`);
    await visitor.getByLabel('E-mail').fill(`${NO_SYNTHETIC_DNR}@example.org`);
    await visitor
      .getByLabel('Message', { exact: true })
      .fill(`Hetu ${inScript(FI_TEST_HETU, 0x966)}, please call.`);
    await visitor.getByRole('button', { name: 'Send message' }).click();
    await expect.poll(() => visitor.locator('#offline-done').isVisible()).toBe(true);
    expect(await visitor.locator('#offline-done').textContent()).toContain('national identity number');
    expect(await visitor.getByRole('link', { name: /Identify with BankID/ }).count()).toBe(1);

    const agent = await newPage();
    await agent.goto(`${gw.url}/staff/login?login_hint=alex-agent&returnTo=%2Fagent`);
    // Listed by its time (and that a number was removed); its fields show once opened.
    const listed = agent.locator('#offline-list li.offline-item');
    await expect.poll(() => listed.count()).toBe(1);
    expect(await listed.textContent()).toContain('A national identity number was removed from it.');
    await listed.getByRole('button', { name: /^Read message left at / }).click();
    const item = agent.locator('#offline-list li').filter({ hasText: 'Vera' });
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.locator('.msg-text').textContent()).toBe('Hetu [redacted], please call.');
    const shown = (await item.textContent()) ?? '';
    expect(shown).toContain('Vera [redacted]');
    expect(shown).toContain('[redacted]@example.org');
    expect(holdsId(shown)).toBe(false);
  });
});
