/**
 * Loopback hosts, where plain http to a broker is tolerated in development (the mock IdP).
 * Production refuses http altogether (`production-rules.ts`).
 */
export function isLoopbackUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { hostname } = new URL(url);
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
