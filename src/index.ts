import { ConfigError, type LoadedConfig, loadConfig } from './config/load-config.js';
import { createGateway, type Gateway } from './gateway.js';
import { createLogger } from './runtime/logger.js';
import { type BannerTenant, PortInUseError, startUpBanner } from './runtime/start-up.js';
import { localize } from './web/i18n.js';

/**
 * Process entry: load and validate the configuration (exit 1 with the offending keys named),
 * build the gateway, listen, print the pages to open and the personas to log in as, and shut
 * down gracefully on SIGINT/SIGTERM. A taken port ends start-up with one line naming the
 * setting and its override; nothing started before it (the mock IdP) keeps running.
 */
async function main(): Promise<void> {
  let loaded: LoadedConfig;
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
  let gateway: Gateway;
  try {
    gateway = await createGateway(loaded, { logger });
    await gateway.listen();
  } catch (error) {
    if (error instanceof PortInUseError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const publicUrl = loaded.config.publicUrl.replace(/\/+$/, '');
  logger.info({ config: loaded.source, gateway: publicUrl }, 'gateway listening');
  process.stdout.write(
    startUpBanner({
      production: loaded.production,
      tenants: gateway.deps.tenants.map((t): BannerTenant => {
        const mockId = (issuer: string) =>
          issuer.startsWith('mock:') ? issuer.slice('mock:'.length) : undefined;
        const staffIssuer = t.config.staff ? mockId(t.config.staff.issuer) : undefined;
        return {
          id: t.config.id,
          name: localize(t.config.name, loaded.config.defaultLanguage),
          baseUrl: t.baseUrl,
          hasStaff: t.config.staff !== undefined,
          mockProviders: t.config.providers.flatMap((p) => {
            const issuerId = mockId(p.issuer);
            return issuerId ? [{ label: localize(p.label, loaded.config.defaultLanguage), issuerId }] : [];
          }),
          ...(staffIssuer ? { mockStaffIssuer: staffIssuer } : {}),
        };
      }),
      ...(gateway.mockIdp
        ? { mockIdp: { baseUrl: gateway.mockIdp.baseUrl, personas: gateway.mockIdp.personas } }
        : {}),
    }),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // The drain, then at most 10 s for the close itself.
    const force = setTimeout(() => process.exit(1), loaded.config.shutdownDrainSeconds * 1000 + 10_000);
    force.unref();
    gateway.shutDown().then(
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
