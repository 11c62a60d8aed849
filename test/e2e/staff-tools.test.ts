import { describe, expect, it } from 'vitest';
import { axeViolations, chatBrowserGateway } from './chromium.js';

/**
 * Security staff have no console role: signed in at `/agent` they land on the staff tools their
 * role allows (legal hold, deleting a conversation or an offline message), not on a dead end.
 */

const e2e = chatBrowserGateway();

describe('a security officer signing in at /agent', () => {
  for (const [locale, title, signedIn, deleteLink, field] of [
    [
      'en-GB',
      'Staff tools',
      'Signed in as Sigurd Security (security officer)',
      'Delete conversation…',
      'Conversation id',
    ],
    [
      'nb-NO',
      'Verktøy for ansatte',
      'Logget inn som Sigurd Security (sikkerhetsansvarlig)',
      'Slett samtalen…',
      'Samtalens id',
    ],
  ] as const) {
    it(`lands on the staff tools and reaches the deletion form from them (${locale})`, async () => {
      const context = await e2e.newContext(locale);
      const page = await context.newPage();
      await page.goto(
        `${e2e.gw.url}/staff/login?login_hint=sigurd-security&returnTo=${encodeURIComponent('/agent')}`,
      );
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
      expect(await page.title()).toContain(title);
      // The role in the page's language too, not the role's identifier ("security").
      expect(await page.getByText(signedIn).count()).toBe(1);
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('link', { name: deleteLink }).click();
      await expect.poll(() => page.getByLabel(field, { exact: false }).count()).toBeGreaterThan(0);
      await context.close();
    });
  }
});
