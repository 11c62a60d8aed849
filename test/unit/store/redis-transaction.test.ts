import { describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../../src/http/errors.js';
import { type RedisClient, transaction } from '../../../src/store/redis-connection.js';

const client = (isReady: boolean) => ({ isReady }) as unknown as RedisClient;

describe('transaction (MULTI/EXEC on the Redis connection)', () => {
  it('refuses at once with store_unavailable while the connection is not ready, without sending anything', async () => {
    // node-redis would queue the transaction for the next reconnect (disableOfflineQueue
    // covers single commands only): the request would wait out the outage and write late.
    const exec = vi.fn(async () => ['OK']);
    const refused = transaction(client(false), exec);
    await expect(refused).rejects.toBeInstanceOf(GatewayError);
    await expect(refused).rejects.toMatchObject({ code: 'store_unavailable', status: 503 });
    expect(exec).not.toHaveBeenCalled();
  });

  it('sends it on a ready connection and translates a failure into store_unavailable', async () => {
    expect(await transaction(client(true), async () => ['OK', 1])).toEqual(['OK', 1]);
    const failed = transaction(client(true), async () => {
      throw new Error('Socket closed unexpectedly');
    });
    await expect(failed).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});
