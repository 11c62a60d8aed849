import { Worker } from 'node:worker_threads';
import { MockIdpConfigError } from './config-error.js';
import { createMockIdp, type MockIdp } from './mock-idp.js';
import type { MockIdpOptions } from './options.js';
import type { ThreadReport, ThreadRequest } from './thread-protocol.js';

/**
 * Starts the mock IdP on a worker thread of its own and answers as {@link createMockIdp} does.
 *
 * Why a thread: oidc-provider keeps its request context in an `AsyncLocalStorage`, and on
 * Node 20 the first `run()` of one switches on async-hooks promise tracking for the whole
 * thread, for good: every promise the chat creates afterwards pays an init hook (a tenth or so
 * of the chat's CPU per message, measured by `npm run bench`). On its own thread the mock's
 * hooks, key generation and token signing stay off the gateway's event loop.
 *
 * Under a TypeScript runner (the test suite runs the sources), a worker cannot load this
 * module's `.ts` sibling, so the mock runs in-process there, as `createMockIdp`.
 */
export async function startMockIdpThread(options: MockIdpOptions): Promise<MockIdp> {
  if (import.meta.url.endsWith('.ts')) return createMockIdp(options);
  const { logger, ...data } = options;
  const worker = new Worker(new URL('./thread-entry.js', import.meta.url), { workerData: data });
  const ready = await new Promise<Extract<ThreadReport, { type: 'ready' }>>((resolve, reject) => {
    const fail = (error: Error) => {
      worker.off('message', onMessage);
      reject(error);
    };
    const onMessage = (report: ThreadReport) => {
      if (report.type === 'log') {
        logger?.[report.level](report.obj, report.msg);
        return;
      }
      if (report.type === 'failed') {
        worker.terminate().catch(() => undefined);
        fail(rebuiltError(report.error));
        return;
      }
      if (report.type === 'ready') {
        worker.off('error', fail);
        resolve(report);
      }
    };
    worker.on('message', onMessage);
    worker.once('error', fail);
  });
  // Later log lines keep coming from the thread.
  worker.on('message', (report: ThreadReport) => {
    if (report.type === 'log') logger?.[report.level](report.obj, report.msg);
  });
  // A thread that dies later leaves logins failing at the broker, which the gateway reports.
  worker.on('error', (error) => logger?.warn({ error: error.message }, 'mock IdP thread failed'));
  worker.unref();
  // A thread that already ended sends no second `exit`: its close must not wait for one.
  let exited = false;
  worker.once('exit', () => {
    exited = true;
  });

  let closing: Promise<void> | undefined;
  return {
    baseUrl: ready.baseUrl,
    issuer(id) {
      const issuer = ready.issuers[id];
      if (issuer === undefined) {
        throw new RangeError(`unknown issuer id "${id}"; known: ${ready.issuerIds.join(', ')}`);
      }
      return issuer;
    },
    issuerIds: [...ready.issuerIds],
    personas: ready.personas,
    close: () => {
      if (exited) return Promise.resolve();
      closing ??= new Promise<void>((resolve) => {
        // Referenced while it closes: a caller awaiting the close (start-up failing on a taken
        // port) may have nothing else keeping the event loop alive.
        worker.ref();
        worker.once('exit', () => resolve());
        worker.postMessage({ type: 'close' } satisfies ThreadRequest);
      });
      return closing;
    },
  };
}

/** The thread's error as the caller of `createMockIdp` would have seen it (class, message, code). */
function rebuiltError(error: { name: string; message: string; code?: string | undefined }): Error {
  if (error.name === 'MockIdpConfigError') return new MockIdpConfigError(error.message);
  const rebuilt: Error & { code?: string } = new Error(error.message);
  if (error.code !== undefined) rebuilt.code = error.code;
  return rebuilt;
}
