import { ConfigError, loadConfig } from './config/load-config.js';
import { createGateway } from './gateway.js';
import { createLogger } from './runtime/logger.js';

/**
 * Process entry: load and validate the configuration (exit 1 with the offending keys named),
 * build the gateway, listen, print the URLs to open, and shut down gracefully on SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(loaded.config.logLevel);
  const gateway = await createGateway(loaded, { logger });
  await gateway.listen();
  const publicUrl = loaded.config.publicUrl.replace(/\/+$/, '');
  const tenants = gateway.deps.tenants;
  logger.info(
    {
      config: loaded.source,
      gateway: publicUrl,
      tenants: tenants.map((t) => `${t.baseUrl}/`),
      ...(gateway.mockIdp
        ? { mockIdp: gateway.mockIdp.issuerIds.map((id: string) => gateway.mockIdp?.issuer(id)) }
        : {}),
    },
    'gateway listening',
  );
  process.stdout.write(
    [
      '',
      `  eID chat gateway is running (${loaded.production ? 'production' : 'development'})`,
      ...tenants.map((t) => `  Landing page:   ${t.baseUrl}/`),
      ...(gateway.mockIdp ? [`  Mock IdP:       ${gateway.mockIdp.baseUrl}/`] : []),
      '',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
