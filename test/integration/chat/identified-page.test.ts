import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputValue } from '../../helpers/browser-session.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { identifyAndShare, visitorBrowser } from './chat-clients.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.close();
});

const heading = (page: string) => /<h1>([^<]*)<\/h1>/.exec(page)?.[1];

describe('GET /chat/identified (where a login from the chat ends)', () => {
  it('says "not identified" to a visitor who never completed a login', async () => {
    const browser = await visitorBrowser(gw.url);
    const page = await browser.get(`${gw.url}/chat/identified`);
    expect(page.status).toBe(200);
    expect(heading(page.text)).toBe('You are not identified');
    expect(page.text).toContain('No identification was completed in this browser.');
  });

  it('says "identified" after sharing, and "nothing was shared" after declining', async () => {
    const sharing = await visitorBrowser(gw.url);
    await identifyAndShare(sharing, gw.url, '/auth/bankid/login?returnTo=/chat/identified', 'kari-nordmann', [
      'name',
    ]);
    const shared = await sharing.get(`${gw.url}/chat/identified`);
    expect(heading(shared.text)).toBe('You are identified');
    expect(shared.text).toContain('You can close this window and return to the chat.');

    const declining = await visitorBrowser(gw.url);
    const consent = await declining.get(
      `${gw.url}/auth/bankid/login?login_hint=kari-nordmann&returnTo=/chat/identified`,
    );
    const declined = await declining.post(consent.url, {
      _csrf: inputValue(consent.text, '_csrf'),
      decision: 'decline',
    });
    expect(declined.url).toBe(`${gw.url}/chat/identified`);
    // Declining discards the identity: the tab must not say "You are identified" over it.
    expect(heading(declined.text)).toBe('Nothing was shared');
    expect(declined.text).toContain('You chose not to share anything.');
  });
});
