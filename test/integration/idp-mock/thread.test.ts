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

beforeAll(async () => {
  const dir = await bundleForNode(`mock-idp-thread-${process.pid}`, [
    'idp-mock/mock-idp-thread.ts',
    'idp-mock/thread-entry.ts',
  ]);
  ({ startMockIdpThread } = (await import(pathToFileURL(join(dir, 'mock-idp-thread.js')).href)) as {
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
