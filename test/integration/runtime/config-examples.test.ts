import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { createGateway } from '../../../src/gateway.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { EXAMPLES_DIR, exampleFiles, examplesEnv } from '../../helpers/config-examples.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';

const files = exampleFiles();

let redis: TestRedis;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  redis = await startTestRedis();
  env = await examplesEnv(redis.url);
}, 30_000);
afterAll(async () => {
  await redis?.close();
});

describe('config/examples start', () => {
  for (const file of files) {
    it(`${file} starts in production on Redis and answers /healthz (brokers unreachable: only their logins are)`, async () => {
      const raw: unknown = JSON.parse(readFileSync(new URL(file, EXAMPLES_DIR), 'utf8'));
      const loaded = parseConfig(raw, { env, source: file });
      const gateway = await createGateway(loaded, { logger: createLogger('silent') });
      try {
        const url = await gateway.listen(0);
        const health = await fetch(new URL('/healthz', url.replace('0.0.0.0', '127.0.0.1')));
        expect(health.status).toBe(200);
      } finally {
        await gateway.close();
      }
    }, 30_000);
  }
});
