import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../src/chat/chat-feature.js';
import { axeViolations, type BrowserGateway, startBrowserGateway } from './chromium.js';
import { openConsole } from './pages.js';

/** The widget once the agent ended the chat: what it still offers, and in the page's language. */

let e2e: BrowserGateway;
/** Its step-up links last 3 s, so one expires while the test watches. */
let shortLinks: BrowserGateway;

beforeAll(async () => {
  [e2e, shortLinks] = await Promise.all([
    startBrowserGateway({ features: (deps) => [createChatFeature(deps)] }),
    startBrowserGateway({ features: (deps) => [createChatFeature(deps, { stepUpTtlMs: 3_000 })] }),
  ]);
});
afterAll(() => Promise.all([e2e?.close(), shortLinks?.close()]));

/**
 * A visitor (browser language `locale`) asks on the topic named `topic` (in the page's language),
 * Alex takes it and sends an identification link: both pages, once the link is shown.
 */
async function linkSent(on: BrowserGateway, locale: string, topic: RegExp, composer: string) {
  const url = on.gw.url;
  const agent = await openConsole(await on.newPage(), url, 'alex-agent');
  const visitor = await on.newPage(locale);
  await visitor.goto(`${url}/chat`);
  await visitor.getByRole('button', { name: topic }).click();
  await visitor.getByLabel(composer).fill('Hei');
  await visitor.getByLabel(composer).press('Enter');
  await agent.getByRole('button', { name: /^Take the conversation about General questions/ }).click();
  await agent.getByRole('button', { name: 'Request identification' }).click();
  await expect.poll(() => visitor.locator('a.identify-link').count()).toBe(1);
  return { agent, visitor };
}

describe('an identification link the agent sent, once the chat has ended', () => {
  it('is no longer offered: a disabled line saying the chat has ended, in the page’s language', async () => {
    const { agent, visitor } = await linkSent(e2e, 'nb-NO', /Generelle spørsmål/, 'Din melding');
    const offered = visitor.getByRole('link', { name: 'Identifiser deg (åpnes i ny fane)' });
    await expect.poll(() => offered.count()).toBe(1);

    await agent.getByRole('button', { name: 'Close conversation' }).click();
    await expect.poll(() => visitor.locator('#new-chat').isVisible()).toBe(true);
    expect(await offered.count()).toBe(0);
    const retired = visitor.locator('a.identify-link');
    expect(await retired.getAttribute('href')).toBeNull();
    expect(await retired.getAttribute('aria-disabled')).toBe('true');
    expect((await retired.textContent())?.trim()).toBe('Identifiser deg (chatten er avsluttet)');
    expect(await axeViolations(visitor)).toEqual([]);
  });
});

describe('an identification link the agent sent, once its time is up', () => {
  it('is no longer offered: a disabled line saying the link has expired, in the page’s language', async () => {
    // The test tenant's topic has no Finnish title: the page shows its English one.
    const { visitor } = await linkSent(shortLinks, 'fi-FI', /General questions/, 'Viestisi');
    const link = visitor.locator('a.identify-link');

    await expect.poll(() => link.getAttribute('aria-disabled'), { timeout: 10_000 }).toBe('true');
    expect(await link.getAttribute('href')).toBeNull();
    expect((await link.textContent())?.trim()).toBe('Tunnistaudu (linkki on vanhentunut)');
    // The chat itself goes on.
    expect(await visitor.getByLabel('Viestisi').isVisible()).toBe(true);
    expect(await axeViolations(visitor)).toEqual([]);
  });
});

describe('an identification link the agent sent, when the visitor reloads or opens another page', () => {
  it('is offered again until it is used, and not after', async () => {
    const { visitor } = await linkSent(e2e, 'en-GB', /General questions/, 'Your message');
    const link = visitor.locator('a.identify-link');
    const href = await link.getAttribute('href');

    // The gateway keeps only the link's hash: the tab offers it again, once.
    await visitor.goto(`${e2e.gw.url}/chat?page=2`);
    await expect.poll(() => visitor.getByText('Hei').count()).toBe(1);
    await expect.poll(() => link.count()).toBe(1);
    expect(await link.getAttribute('href')).toBe(href);
    expect(await link.getAttribute('aria-disabled')).toBeNull();
    await visitor.reload();
    await expect.poll(() => visitor.getByText('Hei').count()).toBe(1);
    await expect.poll(() => link.count()).toBe(1);

    // Used (opened in a new tab): a reload offers it no more.
    const [tab] = await Promise.all([visitor.context().waitForEvent('page'), link.click()]);
    await tab.close();
    await expect.poll(() => link.getAttribute('aria-disabled')).toBe('true');
    await visitor.reload();
    await expect.poll(() => visitor.getByText('Hei').count()).toBe(1);
    expect(await link.count()).toBe(0);
  });
});
