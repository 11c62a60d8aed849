import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../src/chat/chat-feature.js';
import { type TestGateway, testTenant } from '../helpers/test-gateway.js';
import {
  axeViolations,
  type BrowserGateway,
  describedBy,
  focusedId,
  SCREENSHOT_DIR,
  startBrowserGateway,
} from './chromium.js';
import { askInGeneral, openConsole } from './pages.js';

/**
 * The widget's two forms sent over the chat socket (the offline message, the transcript by
 * e-mail), checked by the page before they are sent and answered with a refusal by the server
 * after: as on the server-rendered forms (form-errors.test.ts), a refused field is marked and
 * described by its error, which is next to it and takes the focus; a refusal of the whole form
 * is the form's own alert, not the chat's shared error line; a form being sent cannot be sent
 * twice, and a connection lost meanwhile is said in the form.
 */

let e2e: BrowserGateway;
let gw: TestGateway;
const newPage = (locale?: string) => e2e.newPage(locale);
const outbox = mkdtempSync(join(tmpdir(), 'gw-e2e-outbox-'));

const PHONE = { width: 375, height: 740 };

beforeAll(async () => {
  e2e = await startBrowserGateway({
    features: (deps) => [createChatFeature(deps)],
    tenants: [testTenant({ transcriptByEmail: true })],
    // One offline message per visitor: the second is refused (offline_message_limit).
    config: {
      chat: { offlineMessages: { perVisitor: 1, perAddress: 100, windowSeconds: 3600 } },
      mail: { from: 'Test Municipality <chat@test.invalid>', outboxDir: outbox },
    },
  });
  gw = e2e.gw;
});
afterAll(async () => {
  await e2e?.close();
  rmSync(outbox, { recursive: true, force: true });
});

/** Whether `locator`'s element has the focus. */
function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate(
    (element) =>
      (element as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement === element,
  );
}

/** Screenshots of the page as it is, at a desktop width and at a phone's. */
async function screenshots(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  const size = page.viewportSize();
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-phone.png`), fullPage: true });
  if (size) await page.setViewportSize(size);
}

/** Opens the chat with nobody online: the offline-message form is what it offers. */
async function offlineForm(page: Page, heading = 'No agent is available right now') {
  await page.goto(`${gw.url}/chat`);
  const region = page.getByRole('region', { name: heading });
  await expect.poll(() => region.isVisible()).toBe(true);
  return region;
}

/**
 * Routes `page`'s visitor socket through `decide`, which sees each frame the page sends and
 * forwards it (true) or holds it back (false); it gets the page's side of the route, to close.
 */
async function interceptVisitorFrames(
  page: Page,
  decide: (frame: Record<string, unknown>, route: WebSocketRoute) => boolean,
): Promise<void> {
  await page.routeWebSocket(/\/ws\/visitor/, (route) => {
    const server = route.connectToServer();
    route.onMessage((raw) => {
      if (decide(JSON.parse(String(raw)) as Record<string, unknown>, route)) server.send(raw);
    });
  });
}

describe('the offline-message form refused by the server (nobody online)', () => {
  it('puts each refused field’s error next to it, described, invalid and focused, until it is edited', async () => {
    const page = await newPage();
    const form = await offlineForm(page);
    const name = form.getByLabel('Name', { exact: true });
    const email = form.getByLabel('E-mail');
    const text = form.getByLabel('Message', { exact: true });
    const send = form.getByRole('button', { name: 'Send message' });
    // What `required` and `type=email` let through and the server refuses: a name of spaces,
    // an address without a domain the mail can reach, a message of spaces.
    for (const [field, values, error] of [
      ['offline-name', ['   ', 'vera@example.org', 'Call me.'], 'Give your name.'],
      ['offline-email', ['Vera', 'vera@localhost', 'Call me.'], 'Give a valid e-mail address.'],
      ['offline-text', ['Vera', 'vera@example.org', '   '], 'Write a message of at most 4000 characters.'],
    ] as const) {
      await name.fill(values[0]);
      await email.fill(values[1]);
      await text.fill(values[2]);
      await send.click();
      const control = page.locator(`#${field}`);
      await expect.poll(() => control.getAttribute('aria-invalid')).toBe('true');
      expect(await describedBy(page, `#${field}`)).toEqual([error]);
      expect(await focusedId(page)).toBe(field);
      // Only that field: the others are not marked, and the form's alert and the chat's shared
      // error line stay empty (the error is where the field is).
      expect(await form.locator('[aria-invalid="true"]').count()).toBe(1);
      expect(await page.locator('#offline-error').textContent()).toBe('');
      expect(await page.locator('#chat-error').textContent()).toBe('');
      expect(await send.getAttribute('aria-disabled')).toBeNull();
      expect(await axeViolations(page)).toEqual([]);
      if (field === 'offline-email') await screenshots(page, 'widget-offline-field-refused');
      // Editing the field takes its error away.
      await control.pressSequentially('x');
      expect(await control.getAttribute('aria-invalid')).toBeNull();
      expect(await control.getAttribute('aria-describedby')).toBeNull();
      expect(await page.locator(`#${field}-error`).count()).toBe(0);
    }
  });

  it('says it in the page’s language (Norwegian)', async () => {
    const page = await newPage('nb-NO');
    const form = await offlineForm(page, 'Ingen saksbehandler er tilgjengelig akkurat nå');
    await form.getByLabel('Navn').fill('Nora');
    await form.getByLabel('E-post').fill('nora@localhost');
    await form.getByLabel('Melding', { exact: true }).fill('Ring meg.');
    await form.getByRole('button', { name: 'Send melding' }).click();
    await expect.poll(() => describedBy(page, '#offline-email')).toEqual(['Oppgi en gyldig e-postadresse.']);
    expect(await focusedId(page)).toBe('offline-email');
    // Fixed and sent again: saved, and no error stays.
    await form.getByLabel('E-post').fill('nora@example.org');
    await form.getByRole('button', { name: 'Send melding' }).click();
    await expect
      .poll(() => page.locator('#offline-done').textContent())
      .toBe('Takk. Meldingen din er lagret, og vi svarer på e-post.');
    expect(await page.locator('[aria-invalid]').count()).toBe(0);
  });

  it('tells a refusal of the whole form (over the quota) in the form’s own alert', async () => {
    const page = await newPage();
    let form = await offlineForm(page);
    const fill = async () => {
      await form.getByLabel('Name', { exact: true }).fill('Vera');
      await form.getByLabel('E-mail').fill('vera@example.org');
      await form.getByLabel('Message', { exact: true }).fill('Call me.');
      await form.getByRole('button', { name: 'Send message' }).click();
    };
    await fill();
    await expect.poll(() => page.locator('#offline-done').isVisible()).toBe(true);
    // A second one in the hour is over this visitor's quota of one.
    form = await offlineForm(page);
    await fill();
    const alert = form.getByRole('alert');
    await expect
      .poll(() => alert.textContent())
      .toBe('Too many messages were left from here just now. Please try again later.');
    expect(await page.locator('#chat-error').textContent()).toBe('');
    expect(await form.locator('[aria-invalid]').count()).toBe(0);
    // The focus stays on the button pressed, which can be pressed again.
    const send = form.getByRole('button', { name: 'Send message' });
    expect(await hasFocus(send)).toBe(true);
    expect(await send.getAttribute('aria-disabled')).toBeNull();
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'widget-offline-form-refused');
  });

  it('sends once however often it is pressed, and says so when the connection is lost meanwhile', async () => {
    const page = await newPage();
    const sent: Array<Record<string, unknown>> = [];
    let first: WebSocketRoute | undefined;
    await interceptVisitorFrames(page, (frame, route) => {
      if (frame.type !== 'offline-message') return true;
      sent.push(frame);
      // The first connection never answers it (the gateway does not hear of it); after the
      // reconnection the frames go through.
      if (first === undefined) first = route;
      return route !== first;
    });
    const form = await offlineForm(page);
    await form.getByLabel('Name', { exact: true }).fill('Vera');
    await form.getByLabel('E-mail').fill('vera@example.org');
    await form.getByLabel('Message', { exact: true }).fill('Call me.');
    const send = form.getByRole('button', { name: 'Send message' });
    await send.click();
    await expect.poll(() => send.getAttribute('aria-disabled')).toBe('true');
    // Pressed again by mouse and by keyboard: nothing more goes out. (Playwright's own click
    // waits for an enabled button, as aria-disabled says it is not: forced, as a person would.)
    await send.click({ force: true });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    expect(sent).toHaveLength(1);
    expect(await page.locator('#offline-status').textContent()).toBe('Sending…');
    // Held with aria-disabled, not disabled: the focus stays on it rather than dropping to the body.
    expect(await hasFocus(send)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'widget-offline-sending');

    await first?.close({ code: 1001, reason: 'test: connection lost' });
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toBe(
        'Not confirmed: the connection was lost before the answer came, so this may not have been sent. Send it again once the chat has reconnected.',
      );
    expect(await send.getAttribute('aria-disabled')).toBeNull();
    expect(await page.locator('#offline-status').textContent()).toBe('');
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'widget-offline-connection-lost');

    await expect.poll(() => page.locator('#chat-status').textContent()).toBe('Connected.');
    await send.click();
    await expect
      .poll(() => page.locator('#offline-done').textContent())
      .toBe('Thank you. Your message has been saved and we will answer by e-mail.');
    expect(sent).toHaveLength(2);
  });
});

describe('the offline-message form checked before it is sent', () => {
  it('marks each field left empty or wrong next to it, in the page’s language, and sends nothing', async () => {
    const page = await newPage('fi-FI');
    const sent: string[] = [];
    await interceptVisitorFrames(page, (frame) => {
      if (typeof frame.type === 'string') sent.push(frame.type);
      return true;
    });
    const form = await offlineForm(page, 'Asiakaspalvelijoita ei ole juuri nyt tavoitettavissa');
    expect(await form.locator('p.hint').first().textContent()).toBe('Kaikki kentät ovat pakollisia.');
    const send = form.getByRole('button', { name: 'Lähetä viesti' });
    await send.focus();
    await page.keyboard.press('Enter');
    const marked = () => form.locator('[aria-invalid="true"]').evaluateAll((els) => els.map((el) => el.id));
    expect(await marked()).toEqual(['offline-name', 'offline-email', 'offline-text']);
    expect(await describedBy(page, '#offline-name')).toEqual(['Anna nimesi.']);
    expect(await describedBy(page, '#offline-email')).toEqual(['Anna toimiva sähköpostiosoite.']);
    expect(await describedBy(page, '#offline-text')).toEqual([
      'Kirjoita viesti, jossa on enintään 4000 merkkiä.',
    ]);
    expect(await focusedId(page)).toBe('offline-name');
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'widget-offline-fields-checked');

    await form.getByLabel('Nimi').fill('Vera');
    await form.getByLabel('Sähköposti').fill('ei osoite');
    await form.getByLabel('Viesti', { exact: true }).fill('Soittakaa minulle.');
    await send.click();
    expect(await marked()).toEqual(['offline-email']);
    expect(await focusedId(page)).toBe('offline-email');
    expect(sent).not.toContain('offline-message');

    await form.getByLabel('Sähköposti').fill('vera@example.org');
    await send.click();
    await expect.poll(() => page.locator('#offline-done').isVisible()).toBe(true);
    expect(sent.filter((type) => type === 'offline-message')).toHaveLength(1);
  });
});

describe('the offline form when the chat ends for good', () => {
  it('says a reload sends it again, not a reconnection that will not come', async () => {
    const page = await newPage();
    let route: WebSocketRoute | undefined;
    await interceptVisitorFrames(page, (frame, current) => {
      if (frame.type !== 'offline-message') return true;
      route = current;
      return false;
    });
    const form = await offlineForm(page);
    await form.getByLabel('Name', { exact: true }).fill('Vera');
    await form.getByLabel('E-mail').fill('vera@example.org');
    await form.getByLabel('Message', { exact: true }).fill('Call me.');
    await form.getByRole('button', { name: 'Send message' }).click();
    await expect.poll(() => route !== undefined).toBe(true);
    // The session ended meanwhile (4401): the widget does not reconnect.
    await route?.close({ code: 4401, reason: 'test: session ended' });
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toBe(
        'Not confirmed: the chat was cut off before the answer came, so this may not have been sent. Reload the page to send it again.',
      );
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe('the transcript form refused by the server', () => {
  /** A visitor's chat that an agent answered and the visitor ended: the transcript is offered. */
  async function endedChat(): Promise<Page> {
    const agent = await openConsole(await newPage(), gw.url, 'alex-agent');
    const visitor = await newPage();
    await askInGeneral(visitor, gw.url, 'When does the pool open?');
    await agent.getByRole('button', { name: /^Take the conversation about General questions from/ }).click();
    await agent.getByLabel('Reply').fill('At seven.');
    await agent.getByLabel('Reply').press('Enter');
    await expect.poll(() => visitor.getByRole('log').locator('li.msg-agent').count()).toBe(1);
    await visitor.getByRole('button', { name: 'End chat' }).click();
    await expect
      .poll(() => visitor.getByLabel('Your address for a copy of this conversation').isVisible())
      .toBe(true);
    await agent.close();
    return visitor;
  }

  it('marks the address refused, next to it, until it is edited; a good one is sent', async () => {
    const page = await endedChat();
    const email = page.getByLabel('Your address for a copy of this conversation');
    const send = page.getByRole('button', { name: 'E-mail me the transcript' });
    await email.fill('vera@localhost');
    await send.click();
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    expect(await describedBy(page, '#transcript-email')).toEqual(['Give a valid e-mail address.']);
    expect(await focusedId(page)).toBe('transcript-email');
    expect(await page.locator('#transcript-error').textContent()).toBe('');
    expect(await page.locator('#chat-error').textContent()).toBe('');
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'widget-transcript-field-refused');

    await email.fill('vera@example.org');
    expect(await email.getAttribute('aria-invalid')).toBeNull();
    await send.click();
    await expect
      .poll(() => page.locator('#transcript-status').textContent())
      .toBe('The transcript was sent. The address was not stored.');
    expect(await page.locator('[aria-invalid]').count()).toBe(0);
  });

  it('marks an address left empty before anything is sent', async () => {
    const page = await endedChat();
    await page.getByRole('button', { name: 'E-mail me the transcript' }).click();
    const email = page.getByLabel('Your address for a copy of this conversation');
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(await describedBy(page, '#transcript-email')).toEqual(['Give a valid e-mail address.']);
    expect(await focusedId(page)).toBe('transcript-email');
    expect(await page.locator('#transcript-status').textContent()).toBe('');
  });

  it('tells a refusal of the whole form (no more transcripts) in the form’s own alert', async () => {
    const page = await endedChat();
    const email = page.getByLabel('Your address for a copy of this conversation');
    const send = page.getByRole('button', { name: 'E-mail me the transcript' });
    const status = page.locator('#transcript-status');
    // Three of one conversation are sent; the fourth is refused.
    for (let sent = 0; sent < 3; sent++) {
      await email.fill(`copy${sent}@example.org`);
      await send.click();
      await expect
        .poll(() => status.textContent())
        .toBe('The transcript was sent. The address was not stored.');
    }
    await email.fill('copy3@example.org');
    await send.click();
    const alert = page.locator('#transcript-form').getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/^No more transcripts can be sent now/);
    expect(await page.locator('#chat-error').textContent()).toBe('');
    expect(await email.getAttribute('aria-invalid')).toBeNull();
    expect(await send.getAttribute('aria-disabled')).toBeNull();
    expect(await hasFocus(send)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'widget-transcript-form-refused');
  });
});
