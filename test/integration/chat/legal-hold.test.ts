import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/runtime/clock.js';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import { identifiedConversation, staffBrowser, submitStaffForm } from './chat-clients.js';

const DAY = 24 * 60 * 60 * 1000;
// Starts at the real time: the mock IdP's ID tokens carry real `iat`s, checked against this clock.
const clock = new ManualClock(Date.now());
const HOLD = '/staff/conversations/hold';
const CASE = 'Case 2026/17, district court';

const submit = (browser: BrowserSession, gw: TestGateway, path: string, form: Record<string, string>) =>
  submitStaffForm(browser, gw.url, path, form);

describe('legal hold (tenants[].legalHolders)', () => {
  let gw: TestGateway;
  let ada: BrowserSession;
  beforeAll(async () => {
    gw = await startTestGateway({
      clock,
      // The admin's login outlives the days the clock moves (a login of the mock IdP cannot be
      // made later: its ID tokens carry the real time), so she can release the hold; her
      // session, idle for at most a day, is used each day (below).
      tenants: [
        testTenant({
          retention: { deleteAfterDays: 3 },
          staff: { ...(testTenant().staff as object), maxLoginHours: 168 },
        }),
      ],
      config: {
        session: { secret: 'test-session-secret-0123456789abcdef0123', idleMinutes: 60 * 24 },
      },
    });
    ada = await staffBrowser(gw.url, 'ada-admin');
  });
  afterAll(async () => {
    await gw?.close();
  });
  const audit = async (id: string) =>
    (await gw.gateway.deps.store.chat.transcriptReads.list('demo', id)).map((e) => [
      e.action,
      e.role,
      e.reason,
    ]);

  it('answers bad input on the form with 400/404 and holds nothing; agents may not hold', async () => {
    const { visitor, conversationId } = await identifiedConversation(gw.url);
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ conversationId, reason: 'abc', action: 'hold' }, 400, 'hold_reason_invalid'],
      [{ conversationId, action: 'hold' }, 400, 'hold_reason_invalid'],
      [{ conversationId: 'not an id!', reason: CASE, action: 'hold' }, 400, 'conversation_id_invalid'],
      [
        { conversationId: 'no-such-conversation', reason: CASE, action: 'hold' },
        404,
        'conversation_not_found',
      ],
      [{ conversationId, reason: CASE, action: 'freeze' }, 400, 'request_invalid'],
      [{ conversationId, reason: CASE }, 400, 'request_invalid'],
    ];
    for (const [form, status, code] of cases) {
      const page = await submit(ada, gw, HOLD, form);
      expect(page.status, code).toBe(status);
      expect(page.text).toContain(code);
    }
    // The page says so for an id given in its address too.
    const unknown = await ada.get(`${gw.url}${HOLD}?conversation=no-such-conversation`);
    expect([unknown.status, unknown.text.includes('conversation_not_found')]).toEqual([404, true]);
    const bad = await ada.get(`${gw.url}${HOLD}?conversation=${encodeURIComponent('bad id!')}`);
    expect([bad.status, bad.text.includes('conversation_id_invalid')]).toEqual([400, true]);
    expect(
      (await gw.gateway.deps.store.chat.conversations.get('demo', conversationId))?.legalHold,
    ).toBeUndefined();
    expect(await audit(conversationId)).toEqual([]);
    const alex = await staffBrowser(gw.url, 'alex-agent');
    expect((await alex.get(`${gw.url}${HOLD}`)).status).toBe(403);
    const forged = await alex.post(`${gw.url}${HOLD}`, { conversationId, reason: CASE, action: 'hold' });
    expect(forged.status).toBe(403);
    visitor.close();
  });
  it('keeps no national identity number the reason of a hold names, on the record or in the audit trail', async () => {
    const { visitor, conversationId } = await identifiedConversation(gw.url);
    const reason = 'Complaint by 12838540056, case 2026/18';
    expect((await submit(ada, gw, HOLD, { conversationId, reason, action: 'hold' })).status).toBe(200);
    const record = await gw.gateway.deps.store.chat.conversations.get('demo', conversationId);
    expect(record?.legalHold?.reason).toBe('Complaint by [redacted], case 2026/18');
    expect(await audit(conversationId)).toEqual([['hold', 'admin', 'Complaint by [redacted], case 2026/18']]);
    await submit(ada, gw, HOLD, { conversationId, reason: 'Released 12838540056', action: 'release' });
    expect((await audit(conversationId)).at(-1)).toEqual(['release', 'admin', 'Released [redacted]']);
    visitor.close();
  });
  it('keeps the conversation in the language links of the hold and deletion forms', async () => {
    const { visitor, conversationId } = await identifiedConversation(gw.url);
    for (const path of [HOLD, '/staff/conversations/delete']) {
      const page = await ada.get(`${gw.url}${path}?conversation=${conversationId}`);
      expect(page.status).toBe(200);
      // A query-only reference: the browser keeps the form's path.
      expect(page.text).toContain(`href="?conversation=${conversationId}&amp;lang=fi"`);
      // Refused after a POST, the page's URL names no conversation: the links still do, and
      // not the reason typed (which may name a person).
      const refused = await submit(ada, gw, path, { conversationId, reason: 'x', action: 'hold' });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain(`href="?conversation=${conversationId}&amp;lang=fi"`);
    }
    visitor.close();
  });
  it('keeps a conversation held while the citizen’s erasure was under way, tells them so, and erases it when the hold is released', async () => {
    const { visitor, conversationId } = await identifiedConversation(gw.url, { firstText: 'the lease' });
    const { store } = gw.gateway.deps;
    // The admin's hold lands after the erasure checked the conversation, as its audit entry is written.
    const trail = store.chat.transcriptReads;
    const append = trail.append.bind(trail);
    trail.append = async (entry) => {
      await append(entry);
      if (entry.action === 'erase' && entry.conversationId === conversationId) {
        trail.append = append;
        expect((await submit(ada, gw, HOLD, { conversationId, reason: CASE, action: 'hold' })).status).toBe(
          200,
        );
      }
    };
    try {
      const citizen = new BrowserSession();
      const mine = await citizen.get(`${gw.url}/privacy/my-data/login/bankid?login_hint=kari-nordmann`);
      const erased = await citizen.post(`${gw.url}/privacy/my-data/erase`, {
        _csrf: inputValue(mine.text, '_csrf'),
        confirm: 'yes',
      });
      expect(erased.text).toContain('Kept under legal hold, not erased yet: 1.');
      expect(await store.chat.conversations.get('demo', conversationId)).toMatchObject({
        legalHold: { reason: CASE },
        erasureRequestedAt: clock.now(),
      });
      expect((await store.chat.messages.list('demo', conversationId)).length).toBeGreaterThan(0);
      // Nobody was told it went.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(visitor.frames.some((f) => f.type === 'deleted')).toBe(false);
    } finally {
      trail.append = append;
    }
    // Released: the erasure the citizen asked for is carried out at once, audited as its own.
    const day = new Date(clock.now()).toISOString().slice(0, 10);
    const released = await submit(ada, gw, HOLD, {
      conversationId,
      reason: 'Case closed',
      action: 'release',
    });
    expect(released.text).toContain('it has been erased, as the citizen asked while it was held');
    expect(await store.chat.conversations.get('demo', conversationId)).toBeUndefined();
    expect(await store.chat.messages.list('demo', conversationId)).toEqual([]);
    await visitor.next('deleted');
    expect(await audit(conversationId)).toEqual([
      ['erase', 'data-subject', 'Erasure requested by the citizen, identified with bankid.'],
      ['hold', 'admin', CASE],
      ['release', 'admin', 'Case closed'],
      [
        'erase',
        'data-subject',
        `Erasure requested by the citizen on ${day}, carried out when the legal hold was released.`,
      ],
    ]);
    expect(gw.logs()).toContain("erasure at the citizen's request waits for a legal hold's release");
    visitor.close();
  });

  it('keeps a held conversation from staff deletion, the citizen’s erasure and retention; released, it is erased as the citizen asked', async () => {
    const { visitor, conversationId } = await identifiedConversation(gw.url, { firstText: 'the contract' });
    visitor.send({ type: 'end' });
    await visitor.next('status', (f) => f.status === 'closed');
    const { store } = gw.gateway.deps;

    const before = await ada.get(`${gw.url}${HOLD}?conversation=${conversationId}`);
    expect(before.text).toContain('Not under legal hold.');
    const held = await submit(ada, gw, HOLD, { conversationId, reason: CASE, action: 'hold' });
    expect(held.status).toBe(200);
    expect(held.text).toContain('Conversation under legal hold');
    const shown = await ada.get(`${gw.url}${HOLD}?conversation=${conversationId}`);
    expect(shown.text).toContain('set by Ada Admin (administrator): Case 2026/17, district court');
    // Holding it again changes nothing and audits nothing.
    expect((await submit(ada, gw, HOLD, { conversationId, reason: CASE, action: 'hold' })).text).toContain(
      'already was under legal hold',
    );

    // Staff deletion is refused, on the form, with nothing deleted.
    const deletion = await submit(ada, gw, '/staff/conversations/delete', {
      conversationId,
      reason: 'Visitor pasted a card number',
    });
    expect(deletion.status).toBe(409);
    expect(deletion.text).toContain('conversation_on_hold');

    // The citizen sees it kept, and their erasure passes it by, saying so.
    const citizen = new BrowserSession();
    const mine = await citizen.get(`${gw.url}/privacy/my-data/login/bankid?login_hint=kari-nordmann`);
    expect(mine.text).toContain('(kept under legal hold)');
    const erased = await citizen.post(`${gw.url}/privacy/my-data/erase`, {
      _csrf: inputValue(mine.text, '_csrf'),
      confirm: 'yes',
    });
    // Her conversations of the tests before are gone already; the held one stays.
    expect(erased.text).toContain('Conversations erased: 0.');
    expect(erased.text).toContain('Kept under legal hold, not erased yet: 1.');
    const requestedAt = new Date(clock.now()).toISOString();
    expect(JSON.parse((await citizen.get(`${gw.url}/privacy/my-data/export`)).text)).toMatchObject({
      // Held now, and no more: the hold is not staff access of theirs to list.
      conversations: [
        { id: conversationId, legalHold: true, erasureRequestedAt: requestedAt, staffAccess: [] },
      ],
    });
    expect((await citizen.get(`${gw.url}/privacy/my-data`)).text).toContain(
      '(kept under legal hold; erased when it ends, as you asked)',
    );
    // Asking again notes nothing new.
    await citizen.post(`${gw.url}/privacy/my-data/erase`, {
      _csrf: inputValue((await citizen.get(`${gw.url}/privacy/my-data`)).text, '_csrf'),
      confirm: 'yes',
    });

    // Past its retention: the sweep passes it by while held. Ada looks at the hold every day.
    for (let day = 0; day < 4; day++) {
      clock.advance(DAY - 60_000);
      expect((await ada.get(`${gw.url}${HOLD}?conversation=${conversationId}`)).status).toBe(200);
    }
    clock.advance(4 * 60_000);
    expect((await gw.gateway.retention.sweep()).conversations).toBe(0);
    expect(await store.chat.conversations.get('demo', conversationId)).toMatchObject({
      legalHold: { reason: CASE, role: 'admin', by: { name: 'Ada Admin' } },
      erasureRequestedAt: Date.parse(requestedAt),
    });
    // The admin deciding on the release sees that the citizen asked.
    expect((await ada.get(`${gw.url}${HOLD}?conversation=${conversationId}`)).text).toContain(
      'The citizen asked for its erasure on',
    );

    const released = await submit(ada, gw, HOLD, {
      conversationId,
      reason: 'Case closed',
      action: 'release',
    });
    expect(released.text).toContain('Legal hold released');
    expect(await store.chat.conversations.get('demo', conversationId)).toBeUndefined();
    expect((await gw.gateway.retention.sweep()).conversations).toBe(0);
    expect((await audit(conversationId)).map(([action, role]) => [action, role])).toEqual([
      ['hold', 'admin'],
      ['release', 'admin'],
      ['erase', 'data-subject'],
    ]);
    expect(gw.logs()).toContain('conversation put under legal hold');
    expect(gw.logs()).not.toContain('district court');
    visitor.close();
  });
});
