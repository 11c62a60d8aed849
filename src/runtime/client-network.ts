import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network a client address stands for in a per-address limit: an IPv4 address itself
 * (also written IPv4-mapped, `::ffff:192.0.2.1`), and for IPv6 its /64, the block one
 * subscriber is usually given, so that the many addresses of one host do not each get the
 * limit anew. Anything else is returned as it is.
 */
export function clientNetwork(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] && isIPv4(mapped[1])) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
