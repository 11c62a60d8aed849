import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/runtime/clock.js';
import { BrowserSession, inputValue, type PageResult } from '../../helpers/browser-session.js';
import { createHandover as createHandoverOf, sessionCsrf } from '../../helpers/handover.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';

/**
 * The login hand-over to a widget embedded on another site: two cookie jars, as a partitioned
 * frame (the widget) and the login tab have. The widget creates H, the tab logs in with H and
 * shares, its confirmation page carries R for the opener, the widget redeems H and R.
 */

// Starts at the real time: the mock IdP's ID tokens carry real `iat`s, checked against this clock.
const clock = new ManualClock(Date.now());
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ clock });
});
afterAll(async () => {
  await gw?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: test-side view of a JSON body
type Json = Record<string, any>;
const json = (page: PageResult): Json => JSON.parse(page.text) as Json;

const csrf = (browser: BrowserSession) => sessionCsrf(browser, gw.url);
const createHandover = (widget: BrowserSession) => createHandoverOf(widget, gw.url);

/** Logs in the tab with hand-over `h` and answers the consent page; returns the page it lands on. */
async function loginInTab(tab: BrowserSession, h: string, decision: 'share' | 'decline' = 'share') {
  const consent = await tab.get(
    `${gw.url}/auth/bankid/login?login_hint=kari-nordmann&handover=${encodeURIComponent(h)}`,
  );
  expect(consent.status).toBe(200);
  expect(consent.url).toBe(`${gw.url}/consent`);
  // The consent page of a hand-over keeps the opener (the widget's window).
  expect(consent.headers.get('cross-origin-opener-policy')).toBe('unsafe-none');
  return tab.post(`${gw.url}/consent`, {
    _csrf: inputValue(consent.text, '_csrf'),
    claims: 'name',
    decision,
  });
}

function delivered(page: PageResult): { h: string; r: string; origin: string } | undefined {
  const match = /<div id="handover" data-h="([^"]+)" data-r="([^"]+)" data-origin="([^"]+)"/.exec(page.text);
  return match ? { h: match[1] as string, r: match[2] as string, origin: match[3] as string } : undefined;
}

async function redeem(widget: BrowserSession, h: string, r: string) {
  return widget.postJson(
    `${gw.url}/api/identity/handover/redeem`,
    { h, r },
    { 'x-csrf-token': await csrf(widget) },
  );
}

async function state(browser: BrowserSession): Promise<Json> {
  return json(await browser.get(`${gw.url}/api/session`));
}

/** A complete hand-over: widget session, H, and the R the tab's page delivered. */
async function completed() {
  const widget = new BrowserSession();
  const h = await createHandover(widget);
  const tab = new BrowserSession();
  const page = await loginInTab(tab, h);
  expect(page.url).toBe(`${gw.url}/consent/handover`);
  const delivery = delivered(page);
  expect(delivery).toBeDefined();
  return { widget, tab, h, r: delivery?.r as string, page };
}

describe('POST /api/identity/handover', () => {
  it('refuses a request without the CSRF token and stores nothing', async () => {
    const widget = new BrowserSession();
    await widget.get(`${gw.url}/api/session`);
    const refused = await widget.postJson(`${gw.url}/api/identity/handover`, {});
    expect(refused.status).toBe(403);
    expect(json(refused).error.code).toBe('csrf_invalid');
  });

  it('refuses a request from another site', async () => {
    const widget = new BrowserSession();
    const token = await csrf(widget);
    const refused = await widget.postJson(
      `${gw.url}/api/identity/handover`,
      {},
      { 'x-csrf-token': token, origin: 'https://attacker.example' },
    );
    expect(refused.status).toBe(403);
  });
});

describe('GET /auth/:provider/login?handover=', () => {
  for (const [label, value] of [
    ['an unknown id', 'A'.repeat(43)],
    ['a malformed id', 'not-a-handover'],
    ['a too long id', 'A'.repeat(44)],
    ['an empty id', ''],
  ] as const) {
    it(`refuses ${label} with handover_invalid`, async () => {
      const page = await new BrowserSession().get(`${gw.url}/auth/bankid/login?handover=${value}`, {
        follow: false,
      });
      expect(page.status).toBe(400);
      expect(page.text).toContain('handover_invalid');
    });
  }
});

describe('the hand-over from the login tab to the widget', () => {
  it('shares the identity with the widget session only, once, with a receipt', async () => {
    const { widget, tab, h, r, page } = await completed();
    expect(page.headers.get('cross-origin-opener-policy')).toBe('unsafe-none');
    expect(page.text).toContain('src="/static/handover.js"');
    expect(delivered(page)).toEqual({ h, r, origin: new URL(gw.url).origin });
    expect(r).not.toBe(h);
    // The tab's own session shares nothing.
    expect((await state(tab)).state).toBe('anonymous');
    expect((await state(widget)).state).toBe('anonymous');
    const before = widget.cookie(gw.url, 'gw.sid');

    const redeemed = await redeem(widget, h, r);
    expect(redeemed.status).toBe(200);
    expect(json(redeemed)).toMatchObject({ shared: true, csrfToken: expect.any(String) });
    const after = await state(widget);
    expect(after.state).toBe('verified');
    expect(after.identity.claims).toMatchObject({ name: 'Kari Nordmann' });
    expect(after.identity.claims.nationalId).toBeUndefined();
    expect(after.identity.receiptId).toEqual(expect.any(String));
    // The session gained an identity: a new id.
    expect(widget.cookie(gw.url, 'gw.sid')).not.toBe(before);

    // Replay: used once.
    const again = await redeem(widget, h, r);
    expect(again.status).toBe(400);
    expect(json(again).error.code).toBe('handover_invalid');
  });

  it('keeps COOP same-origin on a login without hand-over', async () => {
    const start = await new BrowserSession().get(`${gw.url}/auth/bankid/login`, { follow: false });
    expect(start.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    const withHandover = await new BrowserSession().get(
      `${gw.url}/auth/bankid/login?handover=${await createHandover(new BrowserSession())}`,
      { follow: false },
    );
    expect(withHandover.headers.get('cross-origin-opener-policy')).toBe('unsafe-none');
  });

  it('delivers the secret on the confirmation page once', async () => {
    const { tab } = await completed();
    const reload = await tab.get(`${gw.url}/consent/handover`);
    expect(reload.status).toBe(200);
    expect(delivered(reload)).toBeUndefined();
    expect(reload.text).not.toContain('handover.js');
  });

  it('refuses another session holding H and R (the attacker who sent the link) and changes nothing', async () => {
    const { widget, h, r } = await completed();
    const other = new BrowserSession();
    const refused = await redeem(other, h, r);
    expect(refused.status).toBe(400);
    expect(json(refused).error.code).toBe('handover_invalid');
    expect((await state(other)).state).toBe('anonymous');
    // The widget that created it still can.
    expect((await redeem(widget, h, r)).status).toBe(200);
  });

  for (const [label, wrong] of [
    ['another well-formed secret', 'B'.repeat(43)],
    ['H itself as the secret', undefined],
    ['a secret of the wrong shape', 'short'],
    ['no secret', ''],
  ] as const) {
    it(`refuses ${label} and keeps the hand-over for the right one`, async () => {
      const { widget, h, r } = await completed();
      const refused = await redeem(widget, h, wrong ?? h);
      expect(refused.status).toBe(400);
      expect(json(refused).error.code).toBe('handover_invalid');
      expect((await state(widget)).state).toBe('anonymous');
      expect((await redeem(widget, h, r)).status).toBe(200);
    });
  }

  it('answers handover_pending while the tab has not shared yet', async () => {
    const widget = new BrowserSession();
    const h = await createHandover(widget);
    const refused = await redeem(widget, h, 'C'.repeat(43));
    expect(refused.status).toBe(409);
    expect(json(refused).error.code).toBe('handover_pending');
  });

  it('transfers nothing when the citizen shares nothing in the tab', async () => {
    const widget = new BrowserSession();
    const h = await createHandover(widget);
    const tab = new BrowserSession();
    const page = await loginInTab(tab, h, 'decline');
    expect(page.url).not.toContain('/consent/handover');
    expect(delivered(page)).toBeUndefined();
    const refused = await redeem(widget, h, 'C'.repeat(43));
    expect(json(refused).error.code).toBe('handover_invalid');
    expect((await state(widget)).state).toBe('anonymous');
    // And a login can no longer start with it.
    const start = await new BrowserSession().get(`${gw.url}/auth/bankid/login?handover=${h}`, {
      follow: false,
    });
    expect(start.status).toBe(400);
  });

  it('refuses a hand-over redeemed after the login timeout', async () => {
    const { widget, h, r } = await completed();
    clock.advance(gw.config.session.loginTimeoutMinutes * 60_000);
    const refused = await redeem(widget, h, r);
    expect(refused.status).toBe(400);
    expect(json(refused).error.code).toBe('handover_invalid');
    expect((await state(widget)).state).toBe('anonymous');
  });

  it('refuses a login started with a hand-over already completed', async () => {
    const { h } = await completed();
    const start = await new BrowserSession().get(`${gw.url}/auth/bankid/login?handover=${h}`, {
      follow: false,
    });
    expect(start.status).toBe(400);
    expect(start.text).toContain('handover_invalid');
  });

  it('replaces the open hand-over of a session by its next one', async () => {
    const widget = new BrowserSession();
    const first = await createHandover(widget);
    await createHandover(widget);
    const start = await new BrowserSession().get(`${gw.url}/auth/bankid/login?handover=${first}`, {
      follow: false,
    });
    expect(start.status).toBe(400);
  });

  it('follows the widget session when the login runs in the same cookie jar (same site)', async () => {
    const browser = new BrowserSession();
    const h = await createHandover(browser);
    const page = await loginInTab(browser, h);
    const delivery = delivered(page);
    expect(delivery?.h).toBe(h);
    expect((await redeem(browser, h, delivery?.r as string)).status).toBe(200);
    expect((await state(browser)).state).toBe('verified');
  });

  it('writes neither H nor R into the logs', async () => {
    const { widget, h, r } = await completed();
    await redeem(widget, h, r);
    expect(gw.logs()).not.toContain(h);
    expect(gw.logs()).not.toContain(r);
  });
});
