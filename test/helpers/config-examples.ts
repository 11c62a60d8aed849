import { readdirSync } from 'node:fs';
import { exportJWK, generateKeyPair } from 'jose';
import { ninchatSecret, rsaPrivateJwk } from './handoff-keys.js';
import { CHAT_SYSTEM_SECRET, DATA_KEY, SESSION_SECRET } from './secrets.js';

/** The folder of the configuration examples (`config/examples/`). */
export const EXAMPLES_DIR = new URL('../../config/examples/', import.meta.url);

/** The example files, by name. */
export const exampleFiles = (): string[] =>
  readdirSync(EXAMPLES_DIR).filter((name) => name.endsWith('.json'));

/**
 * A production environment every example starts with: the gateway's own secrets and keys, and
 * each example's `{ "$env": … }` (broker and chat-system secrets, keys), on `redisUrl`.
 */
export async function examplesEnv(redisUrl: string): Promise<NodeJS.ProcessEnv> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const rsa = JSON.stringify(await rsaPrivateJwk());
  return {
    NODE_ENV: 'production',
    SESSION_SECRET: SESSION_SECRET,
    SIGNING_KEY: JSON.stringify(await exportJWK(privateKey)),
    DATA_KEY: DATA_KEY,
    REDIS_URL: redisUrl,
    IDURA_SECRET: 'idura-secret',
    ZENDESK_KEY_ID: 'app_64b8c1',
    ZENDESK_SECRET: 'zendesk-shared-secret-0123456789',
    SALESFORCE_KEY: rsa,
    OMNICHANNEL_KEY: rsa,
    NINCHAT_MASTER_KEY_ID: '22nlihvg',
    NINCHAT_MASTER_KEY_SECRET: ninchatSecret(),
    CHATWOOT_HMAC_TOKEN: 'chatwoot-inbox-hmac-token-0123',
    INTERCOM_MESSENGER_SECRET: 'intercom-messenger-api-secret-5f2c9a',
    OIDC_PROVIDER_KEYS: JSON.stringify({ keys: [JSON.parse(rsa)] }),
    PUZZEL_CLIENT_SECRET: `puzzel-${CHAT_SYSTEM_SECRET}`,
    GENESYS_CLIENT_SECRET: `genesys-${CHAT_SYSTEM_SECRET}`,
  };
}
