import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { startMockIdpThread } from '../idp-mock/index.js';
import { DEFAULT_CONFIG_PATH, parseConfig } from '../src/config/load-config.js';
import { createGateway, mockClients } from '../src/gateway.js';
import { createLogger } from '../src/runtime/logger.js';
import { buildTenants } from '../src/tenants/tenant-context.js';
import { GENEROUS_CHAT_LIMITS, GENEROUS_RATE_LIMITS } from '../test/helpers/test-gateway.js';
import { benchPersonas } from './bench-agents.js';
import { answerMeasurements } from './server-protocol.js';

/**
 * The real gateway as `npm start` runs it (config/default.json: demo tenant, memory store,
 * embedded mock IdP), on a port chosen by the parent, with the HTTP and chat rate limits raised
 * by settings so the load generator measures the engine rather than the limiters, logs discarded.
 * With `BENCH_REDIS_URL` it is one of several instances on that Redis (store and chat bus),
 * sharing the data key with the others, and reports ready once its readiness is green.
 */
async function main(): Promise<void> {
  const port = Number(process.env.BENCH_PORT);
  const url = `http://127.0.0.1:${port}`;
  const redisUrl = process.env.BENCH_REDIS_URL;
  const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
  const loaded = parseConfig(
    {
      ...raw,
      publicUrl: url,
      port,
      host: '127.0.0.1',
      mockIdp: { enabled: true, port: 0 },
      session: { secret: 'bench-session-secret-0123456789abcdef0123' },
      ...(redisUrl
        ? {
            dataKey: 'bench-data-key-shared-by-instances-0123456789',
            store: { type: 'redis', redisUrl, commandTimeoutMs: 5_000 },
          }
        : {}),
      // The load generator is one address with thousands of sessions and frames far faster than
      // people type: raise the limits (settings, as an operator would) so the engine is measured.
      rateLimits: GENEROUS_RATE_LIMITS,
      chat: { ...GENEROUS_CHAT_LIMITS, connectionPerSecond: 1e6, sessionPerSecond: 1e6, maxDropped: 1e6 },
    },
    { env: {}, source: 'bench' },
  );
  const mockIdp = await startMockIdpThread({
    port: 0,
    clients: mockClients(buildTenants(loaded.config)),
    personas: benchPersonas(),
  });
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const gateway = await createGateway(loaded, {
    mockIdp,
    logger: createLogger(loaded.config.logLevel, discard),
  });
  await gateway.listen(port);
  while (!gateway.deps.storeHealth().ready) await new Promise((resolve) => setTimeout(resolve, 20));
  process.send?.({ type: 'ready', url });
}

answerMeasurements();
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
