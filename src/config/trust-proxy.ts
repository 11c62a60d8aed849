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
