import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatSystemRp, RP_REDIRECT } from '../helpers/chat-system-rp.js';
import { startTestGateway, type TestGateway, testTenant } from '../helpers/test-gateway.js';
import { axeViolations, launchChromium } from './chromium.js';

/**
 * A chat system (an openid-client relying party) logs a citizen in through the gateway as its
 * OpenID Provider, in Chromium: the broker choice, the mock broker, the consent page naming the
 * chat system, and the redirect back to the chat system with a code, under the gateway's CSP
 * (its `form-action` must let the consent form's redirect chain reach the chat system).
 */

const SECRET = 'puzzel-client-secret-0123456789abcdef';
let gw: TestGateway;
let browser: Browser;

beforeAll(async () => {
  gw = await startTestGateway({
    tenants: [
      testTenant({
        handoff: {
          oidcClients: [
            {
              clientId: 'puzzel',
              label: 'Puzzel Secure Chat',
              clientSecret: SECRET,
              redirectUris: [RP_REDIRECT],
              releasableClaims: ['name', 'birthDate'],
            },
          ],
        },
      }),
    ],
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await gw?.close();
});

describe('a chat system logs the citizen in through the gateway (Chromium)', () => {
  it('picks a broker, consents to the name only, and returns a code the chat system redeems', async () => {
    const rp = await ChatSystemRp.discover(`${gw.url}/oidc`, 'puzzel', SECRET);
    const context = await browser.newContext({ locale: 'en-GB' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();

    await page.goto((await rp.authorizationUrl({ login_hint: 'kari-nordmann' })).href);
    await expect.poll(() => page.textContent('body')).toContain('Puzzel Secure Chat');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'BankID' }).click();

    await page.getByRole('checkbox', { name: 'Name' }).waitFor();
    expect(await page.textContent('body')).toContain('Test Municipality');
    expect(await page.getByRole('checkbox', { name: 'National identity number' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('checkbox', { name: 'Name' }).check();
    // The browser's request to the chat system's callback (nothing listens there; the request
    // itself, let through the CSP's form-action, is what the chat system would receive).
    const arrival = page.waitForRequest((request) => request.url().startsWith(RP_REDIRECT));
    await page.getByRole('button', { name: 'Share the selected details' }).click();
    const arrived = new URL((await arrival).url());
    expect(arrived.searchParams.get('code')).toBeTruthy();
    const tokens = await rp.redeem(arrived);
    expect(tokens.claims()).toMatchObject({ name: 'Kari Nordmann', acr: 'urn:grn:authn:no:bankid' });
    expect(tokens.claims()).not.toHaveProperty('birthdate');
    await context.close();
  });
});
