import { describe, expect, it } from 'vitest';
import { clientNetwork } from '../../../src/runtime/client-network.js';

describe('clientNetwork', () => {
  it('keeps an IPv4 address, also IPv4-mapped', () => {
    expect(clientNetwork('192.0.2.7')).toBe('192.0.2.7');
    expect(clientNetwork('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('groups IPv6 addresses by their /64, however they are written', () => {
    const net = '2001:db8:85a3:8d3::/64';
    expect(clientNetwork('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe(net);
    expect(clientNetwork('2001:0DB8:85a3:08d3::1')).toBe(net);
    expect(clientNetwork('2001:db8:85a3:8d3:ffff::')).toBe(net);
    expect(clientNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
  });

  it('returns anything else as it is', () => {
    expect(clientNetwork('unknown')).toBe('unknown');
  });
});
