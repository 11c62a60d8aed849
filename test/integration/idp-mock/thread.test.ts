import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { startMockIdpThread as StartMockIdpThread } from '../../../idp-mock/index.js';
import { bundleForNode } from '../../helpers/node-bundle.js';

/**
 * The mock IdP on its worker thread, as `npm start` runs it. The suite runs the TypeScript
 * sources, where the thread falls back to in-process, so this test bundles the module and its
 * thread entry to JavaScript first (esbuild, dependencies left in node_modules).
 */
let startMockIdpThread: typeof StartMockIdpThread;
let bundle: string;
let dir: string;

beforeAll(async () => {
  dir = await bundleForNode(`mock-idp-thread-${process.pid}`, [
    'idp-mock/mock-idp-thread.ts',
    'idp-mock/thread-entry.ts',
  ]);
  bundle = pathToFileURL(join(dir, 'mock-idp-thread.js')).href;
  ({ startMockIdpThread } = (await import(bundle)) as {
    startMockIdpThread: typeof StartMockIdpThread;
  });
});

const client = {
  clientId: 'web',
  clientSecret: 'web-secret-for-tests',
  redirectUris: ['http://localhost:1/cb'],
};

describe('startMockIdpThread', () => {
  it('serves the issuers from its thread and closes it', async () => {
    const lines: string[] = [];
    const idp = await startMockIdpThread({
      port: 0,
      clients: [client],
      logger: { info: (_obj, msg) => lines.push(`${msg}`), warn: (_obj, msg) => lines.push(`${msg}`) },
    });
    try {
      expect(idp.issuerIds).toContain('bankid-no');
      expect(idp.issuer('bankid-no')).toBe(`${idp.baseUrl}/bankid-no`);
      expect(() => idp.issuer('nope')).toThrow(RangeError);
      expect(idp.personas.map((p) => p.id)).toContain('kari-nordmann');
      const discovery = await fetch(`${idp.issuer('staff')}/.well-known/openid-configuration`);
      expect(discovery.status).toBe(200);
      expect(((await discovery.json()) as { issuer: string }).issuer).toBe(idp.issuer('staff'));
      expect(lines).toContain('mock IdP listening');
    } finally {
      await idp.close();
    }
    await expect(fetch(`${idp.baseUrl}/`)).rejects.toThrow();
  });

  it('finishes closing in a process with nothing else to keep it alive (start-up failing on a taken port)', async () => {
    // A script file, not `node -e`: a worker inherits `--input-type`, which it refuses.
    const script = join(dir, 'close-alone.mjs');
    writeFileSync(
      script,
      [
        `const { startMockIdpThread } = await import(${JSON.stringify(bundle)});`,
        `const idp = await startMockIdpThread({ port: 0, clients: ${JSON.stringify([client])} });`,
        'await idp.close();',
        "console.log('closed');",
      ].join('\n'),
    );
    const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect({ status: child.status, stdout: child.stdout.trim() }).toEqual({ status: 0, stdout: 'closed' });
  });

  it('closes at once when its thread has already ended', async () => {
    const script = join(dir, 'close-ended.mjs');
    writeFileSync(
      script,
      [
        "import { Worker } from 'node:worker_threads';",
        // The thread is not exposed: its first listener registration names it.
        'const threads = [];',
        'const on = Worker.prototype.on;',
        'Worker.prototype.on = function (...args) { if (!threads.includes(this)) threads.push(this); return on.apply(this, args); };',
        `const { startMockIdpThread } = await import(${JSON.stringify(bundle)});`,
        `const idp = await startMockIdpThread({ port: 0, clients: ${JSON.stringify([client])} });`,
        'await threads[0].terminate();',
        'await idp.close();',
        "console.log('closed');",
      ].join('\n'),
    );
    const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect({ status: child.status, stdout: child.stdout.trim() }).toEqual({ status: 0, stdout: 'closed' });
  });

  it('reports a taken port with its code, as the in-process mock does', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await expect(startMockIdpThread({ port, clients: [client] })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      blocker.close();
    }
  });

  it('reports bad options as a MockIdpConfigError naming the key', async () => {
    await expect(startMockIdpThread({ port: 70_000, clients: [client] })).rejects.toMatchObject({
      name: 'MockIdpConfigError',
      message: expect.stringMatching(/port/),
    });
  });
});
