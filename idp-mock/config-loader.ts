import { readFile } from 'node:fs/promises';
import { MockIdpConfigError } from './config-error.js';
import { type MockIdpConfig, parseMockIdpConfig } from './options.js';

/** Config file read when neither `IDP_MOCK_CONFIG` nor `IDP_MOCK_CONFIG_JSON` is set. */
export const DEFAULT_CONFIG_PATH = 'config/idp-mock.json';

/**
 * Loads the standalone mock's configuration from the environment:
 * - `IDP_MOCK_CONFIG_JSON`: the config as inline JSON (wins when set, handy in containers);
 * - else `IDP_MOCK_CONFIG`: path of a JSON file, default `config/idp-mock.json` (relative to the
 *   working directory);
 * - `PORT`: overrides `port`.
 *
 * @throws MockIdpConfigError naming the source and each bad key
 */
export async function loadMockIdpConfig(env: NodeJS.ProcessEnv): Promise<MockIdpConfig> {
  const inline = env.IDP_MOCK_CONFIG_JSON;
  const source =
    inline !== undefined && inline !== ''
      ? 'IDP_MOCK_CONFIG_JSON'
      : (env.IDP_MOCK_CONFIG ?? DEFAULT_CONFIG_PATH);
  const text = source === 'IDP_MOCK_CONFIG_JSON' ? (inline ?? '') : await readConfigFile(source);

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MockIdpConfigError(
      `Invalid mock IdP config (${source}): not JSON: ${(error as Error).message}`,
    );
  }
  const config = parseMockIdpConfig(json, source);

  if (env.PORT !== undefined && env.PORT !== '') {
    // Decimal digits only: Number() would also take " 80", "1e3" and "0x10".
    const port = /^\d{1,5}$/.test(env.PORT) ? Number(env.PORT) : Number.NaN;
    if (!(port >= 0 && port <= 65_535)) {
      throw new MockIdpConfigError(`Invalid PORT: "${env.PORT}" is not a port number (0-65535)`);
    }
    return { ...config, port };
  }
  return config;
}

async function readConfigFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new MockIdpConfigError(
      `Cannot read mock IdP config "${path}" (set IDP_MOCK_CONFIG or IDP_MOCK_CONFIG_JSON): ${(error as Error).message}`,
    );
  }
}
