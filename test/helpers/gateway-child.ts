import { startTestGateway } from './test-gateway.js';

/**
 * A test gateway in a process of its own (bundled and forked by `gateway-process.ts`), so a
 * test can SIGKILL an instance. Options come as JSON in `GATEWAY_CHILD_CONFIG`; the URL goes
 * back over IPC once it listens. SIGTERM stops it as `src/index.ts` does (drain, then close).
 */
const config = JSON.parse(process.env.GATEWAY_CHILD_CONFIG ?? '{}') as Record<string, unknown>;
const gateway = await startTestGateway({ config });
process.send?.({ type: 'ready', url: gateway.url });
process.once('SIGTERM', () => {
  gateway.gateway
    .shutDown()
    .then(() => gateway.mockIdp.close())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
});
