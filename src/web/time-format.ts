/** `YYYY-MM-DD HH:MM` in UTC: how pages and mails that say "(UTC)" write a moment. */
export function utcMinute(at: number): string {
  return new Date(at).toISOString().slice(0, 16).replace('T', ' ');
}
