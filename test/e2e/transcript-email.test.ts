import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, testTenant } from '../helpers/test-gateway.js';
import { axeViolations, type BrowserGateway, SCREENSHOT_DIR, startBrowserGateway } from './chromium.js';
import { askInGeneral, openConsole } from './pages.js';

/** The visitor orders the transcript of a finished chat to their e-mail (development outbox). */

let e2e: BrowserGateway;
let gw: TestGateway;
const newPage = () => e2e.newPage();
const outbox = mkdtempSync(join(tmpdir(), 'gw-e2e-outbox-'));

beforeAll(async () => {
  e2e = await startBrowserGateway({
    tenants: [testTenant({ transcriptByEmail: true })],
    config: { mail: { from: 'Test Municipality <chat@test.invalid>', outboxDir: outbox } },
  });
  gw = e2e.gw;
});
afterAll(async () => {
  await e2e?.close();
  rmSync(outbox, { recursive: true, force: true });
});

describe('the transcript by e-mail', () => {
  it('is offered once the chat has ended, and sent to the address the visitor types', async () => {
    const agent = await openConsole(await newPage(), gw.url, 'alex-agent');
    const visitor = await newPage();
    await askInGeneral(visitor, gw.url, 'How do I apply for a parking permit?');
    await agent.getByRole('button', { name: /^Take the conversation about General questions from/ }).click();
    await agent.getByLabel('Reply').fill('On the city web shop, under Parking.');
    await agent.getByLabel('Reply').press('Enter');
    await expect.poll(() => visitor.getByRole('log').locator('li.msg-agent').count()).toBe(1);
    const email = visitor.getByLabel('Your address for a copy of this conversation');
    expect(await email.isVisible()).toBe(false);

    await visitor.getByRole('button', { name: 'End chat' }).click();
    await expect.poll(() => email.isVisible()).toBe(true);
    expect(await axeViolations(visitor)).toEqual([]);
    await email.fill('vera@example.org');
    await visitor.getByRole('button', { name: 'E-mail me the transcript' }).click();
    await expect
      .poll(() => visitor.locator('#transcript-status').textContent())
      .toBe('The transcript was sent. The address was not stored.');
    await visitor.screenshot({ path: join(SCREENSHOT_DIR, 'transcript-email.png'), fullPage: true });
    const mails = readdirSync(outbox).map((f) => readFileSync(join(outbox, f), 'utf8'));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('To: vera@example.org');
    expect(mails[0]).toContain('You: How do I apply for a parking permit?');
    expect(mails[0]).toContain('Alex Agent: On the city web shop, under Parking.');

    // A new chat does not offer the old transcript.
    await visitor.getByRole('button', { name: 'Start a new chat' }).click();
    expect(await email.isVisible()).toBe(false);
  });

  it('is not offered for a chat that ended before an agent answered (it could not be sent)', async () => {
    await openConsole(await newPage(), gw.url, 'alex-agent');
    const visitor = await newPage();
    await askInGeneral(visitor, gw.url, 'Is the library open on Sundays?');
    await expect
      .poll(() => visitor.getByRole('log').locator('li.msg-visitor:not(.msg-pending)').count())
      .toBe(1);
    await visitor.getByRole('button', { name: 'End chat' }).click();
    await expect.poll(() => visitor.getByRole('button', { name: 'Start a new chat' }).isVisible()).toBe(true);
    expect(await visitor.getByLabel('Your address for a copy of this conversation').count()).toBe(0);
  });
});
