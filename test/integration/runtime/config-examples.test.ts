import { readdirSync, readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { createGateway } from '../../../src/gateway.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { ninchatSecret, rsaPrivateJwk } from '../../helpers/handoff-keys.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';

const DIR = new URL('../../../config/examples/', import.meta.url);
const files = readdirSync(DIR).filter((name) => name.endsWith('.json'));

let redis: TestRedis;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  redis = await startTestRedis();
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const rsa = JSON.stringify(await rsaPrivateJwk());
  env = {
    NODE_ENV: 'production',
    SESSION_SECRET: 's'.repeat(40),
    SIGNING_KEY: JSON.stringify(await exportJWK(privateKey)),
    DATA_KEY: 'd'.repeat(40),
    REDIS_URL: redis.url,
    IDURA_SECRET: 'idura-secret',
    ZENDESK_KEY_ID: 'app_64b8c1',
    ZENDESK_SECRET: 'zendesk-shared-secret-0123456789',
    SALESFORCE_KEY: rsa,
    OMNICHANNEL_KEY: rsa,
    NINCHAT_MASTER_KEY_ID: '22nlihvg',
    NINCHAT_MASTER_KEY_SECRET: ninchatSecret(),
    CHATWOOT_HMAC_TOKEN: 'chatwoot-inbox-hmac-token-0123',
    OIDC_PROVIDER_KEYS: JSON.stringify({ keys: [JSON.parse(rsa)] }),
    PUZZEL_CLIENT_SECRET: 'puzzel-client-secret-0123456789abcdef',
    GENESYS_CLIENT_SECRET: 'genesys-client-secret-0123456789abcdef',
  };
}, 30_000);
afterAll(async () => {
  await redis?.close();
});

describe('config/examples start', () => {
  for (const file of files) {
    it(`${file} starts in production on Redis and answers /healthz (brokers unreachable: only their logins are)`, async () => {
      const raw: unknown = JSON.parse(readFileSync(new URL(file, DIR), 'utf8'));
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
