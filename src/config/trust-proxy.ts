import { isIPv4, isIPv6 } from 'node:net';
import proxyaddr from 'proxy-addr';
import { z } from 'zod';

/**
 * `trustProxy`, Express's `trust proxy`: `false`, `true` (refused in production), a hop count,
 * or a comma-separated list of addresses, subnets and the names `loopback`, `linklocal` and
 * `uniquelocal`. Express compiles a list with proxy-addr when the app is built, where a typo
 * would end start-up in a stack trace; a digit string (`"1"`, what `{ "$env": … }` gives
 * without `"json": true`) would pass as the address 0.0.0.1 and trust no proxy at all, so it
 * and `"true"`/`"false"` are refused with the unquoted value to write instead.
 * @see https://expressjs.com/en/guide/behind-proxies.html
 */
export const trustProxySchema = z.union(
  [
    z.boolean(),
    z.number().int().nonnegative(),
    z.string().superRefine((value, ctx) => {
      const problem = listProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  ],
  { error: 'expected false, a whole number of proxy hops, or a string of addresses and subnets' },
);

function listProblem(value: string): string | undefined {
  const bare = value.trim();
  if (/^(\d+|true|false)$/.test(bare)) {
    return `write ${bare} without quotes: "${bare}" is read as an address (with { "$env": … } add "json": true)`;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => entry === '')) {
    return 'expected addresses or subnets separated by commas (e.g. "10.0.0.0/8, loopback"), with none empty';
  }
  try {
    proxyaddr.compile(entries);
  } catch (error) {
    return `${(error as Error).message} (expected addresses or subnets, e.g. "10.0.0.0/8, loopback")`;
  }
  return undefined;
}

/**
 * The entries of a `trustProxy` list that trust a whole swathe of the internet, which is
 * `trustProxy: true` in all but name: every client there could choose its own address for the
 * rate limits and the recorded metadata. A proxy fleet, a CDN's included, fits in an IPv4 /8 or
 * an IPv6 /16; wider is refused in production (IPv4-mapped `::ffff:0:0/96` is all of IPv4,
 * since a dual-stack server sees IPv4 clients so). IPv6 unique local (`fc00::/7`) and link-local
 * addresses are private, as the named `uniquelocal` and `linklocal` are.
 */
export function overbroadProxySubnets(trustProxy: unknown): string[] {
  if (typeof trustProxy !== 'string') return [];
  return trustProxy
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => {
      const [address = '', bits] = entry.split('/');
      if (bits === undefined) return false;
      const prefix = /^\d+$/.test(bits) ? Number(bits) : 32;
      if (isIPv4(address)) return prefix < 8;
      if (!isIPv6(address)) return false;
      const mapped = /^::ffff:/i.test(address) && prefix >= 96;
      if (mapped) return prefix - 96 < 8;
      return prefix < 16 && !/^f[c-e]/i.test(address);
    });
}
