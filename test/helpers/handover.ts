import { expect } from 'vitest';
import type { BrowserSession } from './browser-session.js';

/** The widget's CSRF token, as `GET /api/session` gives it. */
export async function sessionCsrf(browser: BrowserSession, baseUrl: string): Promise<string> {
  return (JSON.parse((await browser.get(`${baseUrl}/api/session`)).text) as { csrfToken: string }).csrfToken;
}

/** Opens a login hand-over from `widget`'s session, as the embedded widget does; returns H. */
export async function createHandover(widget: BrowserSession, baseUrl: string): Promise<string> {
  const created = await widget.postJson(
    `${baseUrl}/api/identity/handover`,
    {},
    { 'x-csrf-token': await sessionCsrf(widget, baseUrl) },
  );
  expect(created.status).toBe(201);
  const h = (JSON.parse(created.text) as { handover: string }).handover;
  expect(h).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return h;
}
