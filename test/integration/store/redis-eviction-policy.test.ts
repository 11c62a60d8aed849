import { describe, expect, it } from 'vitest';
import { evictionPolicyOf } from '../../../src/store/redis-eviction-policy.js';
import { readiness, redisGatewayConfig, waitFor } from '../../helpers/redis-gateways.js';
import { useTestRedis } from '../../helpers/redis-suite.js';
import { startTestGateway } from '../../helpers/test-gateway.js';

/**
 * A Redis that evicts keys when full deletes acknowledged messages, sessions and receipts
 * without an error: the gateway on it says so at start-up, once per policy it sees.
 */

const suite = useTestRedis();

const policyLines = (logs: string) => logs.split('\n').filter((line) => line.includes('"maxmemoryPolicy"'));

describe('the Redis eviction policy', () => {
  it('warns once when Redis may evict keys, naming the policy and noeviction', async () => {
    await suite.connection.client.configSet('maxmemory-policy', 'allkeys-lru');
    const gw = await startTestGateway({ config: redisGatewayConfig(suite.redis) });
    try {
      const warnings = () => policyLines(gw.logs());
      await waitFor(() => warnings().length > 0);
      expect(JSON.parse(warnings()[0] ?? '{}')).toMatchObject({
        level: 40,
        store: 'redis',
        maxmemoryPolicy: 'allkeys-lru',
      });
      expect(warnings()[0]).toContain('maxmemory-policy noeviction');
      // A reconnect to the same Redis (a restart, a failover) does not say it again.
      await suite.connection.client.clientKill({ filter: 'SKIPME', skipMe: true });
      await waitFor(() => gw.logs().includes('redis reachable again'));
      await waitFor(async () => (await readiness(gw.url)) === 200);
      expect(warnings()).toHaveLength(1);
    } finally {
      await gw.close();
      await suite.connection.client.configSet('maxmemory-policy', 'noeviction');
    }
  });

  it('says nothing under noeviction', async () => {
    const gw = await startTestGateway({ config: redisGatewayConfig(suite.redis) });
    try {
      await waitFor(async () => (await readiness(gw.url)) === 200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(gw.logs()).not.toContain('maxmemory');
    } finally {
      await gw.close();
    }
  });

  it('says once that it could not check, when an ACL refuses it INFO', async () => {
    await suite.connection.client.sendCommand([
      'ACL',
      'SETUSER',
      'gw-no-info',
      'on',
      '>no-info-pass',
      '~*',
      '&*',
      '+@all',
      '-info',
    ]);
    const url = suite.redis.url.replace('redis://', 'redis://gw-no-info:no-info-pass@');
    const gw = await startTestGateway({
      config: { ...redisGatewayConfig(suite.redis), store: { type: 'redis', redisUrl: url } },
    });
    try {
      await waitFor(async () => (await readiness(gw.url)) === 200);
      await waitFor(() => gw.logs().includes('Redis refused INFO'));
      const lines = gw.logEntries('Redis refused INFO');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 40, reason: 'NOPERM' });
      expect(gw.logs()).not.toContain('no-info-pass');
    } finally {
      await gw.close();
    }
  });

  it('reads the policy from INFO memory', () => {
    expect(evictionPolicyOf('# Memory\r\nused_memory:1\r\nmaxmemory_policy:volatile-lru\r\n')).toBe(
      'volatile-lru',
    );
    expect(evictionPolicyOf('# Memory\r\nused_memory:1\r\n')).toBeUndefined();
  });
});
