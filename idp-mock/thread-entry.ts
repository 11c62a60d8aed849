import { parentPort, workerData } from 'node:worker_threads';
import { createMockIdp } from './mock-idp.js';
import type { MockIdpOptions } from './options.js';
import type { ThreadReport, ThreadRequest } from './thread-protocol.js';

/**
 * The mock IdP's worker thread (see `startMockIdpThread`): runs `createMockIdp` with the
 * options it was given, reports ready (or the error) and its log lines, and closes on request.
 */
const port = parentPort;
if (!port) throw new TypeError('thread-entry.ts runs as a worker thread of startMockIdpThread');
const report = (message: ThreadReport) => port.postMessage(message);

createMockIdp({
  ...(workerData as Omit<MockIdpOptions, 'logger'>),
  logger: {
    info: (obj, msg) => report({ type: 'log', level: 'info', obj, msg }),
    warn: (obj, msg) => report({ type: 'log', level: 'warn', obj, msg }),
  },
}).then(
  (idp) => {
    report({
      type: 'ready',
      baseUrl: idp.baseUrl,
      issuers: Object.fromEntries(idp.issuerIds.map((id) => [id, idp.issuer(id)])),
      issuerIds: idp.issuerIds,
      personas: idp.personas,
    });
    port.on('message', (request: ThreadRequest) => {
      if (request.type === 'close') idp.close().finally(() => port.close());
    });
  },
  (error: unknown) => {
    const { name, message, code } = error as Error & { code?: string };
    report({ type: 'failed', error: { name: name ?? 'Error', message: String(message), code } });
  },
);
