import { readdirSync, readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { ninchatSecret, rsaPrivateJwk } from '../../helpers/handoff-keys.js';

const DIR = new URL('../../../config/examples/', import.meta.url);
const files = readdirSync(DIR).filter((name) => name.endsWith('.json'));

let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const rsa = JSON.stringify(await rsaPrivateJwk());
  env = {
    NODE_ENV: 'production',
    SESSION_SECRET: 's'.repeat(40),
    SIGNING_KEY: JSON.stringify(await exportJWK(privateKey)),
    DATA_KEY: 'd'.repeat(40),
    REDIS_URL: 'redis://127.0.0.1:6379',
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
});

describe('config/examples', () => {
  it('holds at least one example per hand-off target', () => {
    for (const vendor of ['zendesk', 'salesforce', 'ninchat', 'omnichannel', 'chatwoot']) {
      expect(files).toContain(`handoff-${vendor}.json`);
    }
  });

  for (const file of files) {
    it(`${file} is accepted in production once its secrets are in the environment`, () => {
      const raw: unknown = JSON.parse(readFileSync(new URL(file, DIR), 'utf8'));
      const loaded = parseConfig(raw, { env, source: file });
      expect(loaded.production).toBe(true);
    });
  }
});
