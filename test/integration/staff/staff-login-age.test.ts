import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../../src/chat/chat-feature.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { connectAs, rawUpgrade, staffBrowser } from '../chat/chat-clients.js';

// Starts at the real time: the mock IdP's ID tokens carry real `iat`s, checked against this clock.
const clock = new ManualClock(Date.now());
const IDLE_MINUTES = 30;

/**
 * Roles come from the staff IdP at login only: a role taken away there (an admin moved to
 * another job) reaches the gateway at the next login. A session kept busy never idles out, so
 * without a maximum age a staff login would keep its roles for as long as it is used.
 */
describe('a staff login older than staff.maxLoginHours (default 12)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      clock,
      config: { session: { secret: 'test-session-secret-0123456789abcdef0123', idleMinutes: IDLE_MINUTES } },
      features: (deps) => [
        createChatFeature(deps, {
          heartbeatMs: 100,
          rateLimits: { connectionPerSecond: 100, sessionPerSecond: 100 },
        }),
      ],
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('ends although the session was kept busy: the console closes (4401), pages and sockets ask for a new login', async () => {
    const ada = await staffBrowser(gw.url, 'ada-admin');
    const console = await connectAs(ada, gw.url, 'agent');
    await console.next('welcome');
    // Busy all along: a request every 25 minutes keeps the session from idling out.
    for (let minutes = 0; minutes + 25 < 12 * 60; minutes += 25) {
      clock.advance(25 * 60_000);
      expect((await ada.get(`${gw.url}/agent`, { follow: false })).status).toBe(200);
    }
    // 700 minutes so far: 29 more pass the 12 hours, within the 30-minute idle timeout.
    clock.advance(29 * 60_000);
    const closed = await Promise.race([
      console.closed,
      new Promise((resolve) => setTimeout(() => resolve('still open after 3 s of heartbeats'), 3_000)),
    ]);
    expect(closed).toEqual({ code: 4401, reason: 'session ended' });
    const page = await ada.get(`${gw.url}/agent`, { follow: false });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toContain('/staff/login');
    const form = await ada.get(`${gw.url}/staff/conversations/delete`, { follow: false });
    expect(form.status).toBe(303);
    const url = `${gw.url}/ws/agent`;
    expect(await rawUpgrade(url, { origin: gw.url, cookie: ada.cookieHeader(url) })).toBe(401);
    // Nothing of the login is left in the session for a later request to find.
    expect(JSON.parse((await ada.get(`${gw.url}/api/chat/bootstrap`)).text).staff).toBeUndefined();
  });
});
