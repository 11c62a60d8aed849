import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../src/chat/chat-feature.js';
import { findNationalIds } from '../../src/identity/national-id-text.js';
import { toScanText } from '../../src/identity/scan-text.js';
import { FI_TEST_HETU, NO_SYNTHETIC_DNR, NO_SYNTHETIC_FNR } from '../fixtures/national-ids.js';
import { inScript } from '../helpers/national-id-variants.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { launchChromium } from './chromium.js';

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
    const agent = await newPage();
    await agent.goto(`${gw.url}/staff/login?login_hint=alex-agent&returnTo=%2Fagent`);
    await expect.poll(() => agent.locator('#console-status').textContent()).toBe('Connected.');

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

    await agent.getByRole('button', { name: /^Take the conversation of/ }).click();
    const seen = agent.locator('li.msg-visitor .msg-text');
    await expect.poll(() => seen.count()).toBe(messages.length);
    const console = (await agent.locator('body').textContent()) ?? '';
    expect(holdsId(console)).toBe(false);
    expect(holdsId((await seen.allTextContents()).join(''))).toBe(false);
  });
});
