import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../src/config/load-config.js';
import { createGateway } from '../../../src/gateway.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { PortInUseError } from '../../../src/runtime/start-up.js';
import { BrowserSession } from '../../helpers/browser-session.js';
import { freePort, testTenant } from '../../helpers/test-gateway.js';

/** Holds a loopback port the way another program would. */
async function occupy(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

/** Whether anything accepts connections on the port. */
async function listening(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

const held: Server[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function demoConfig(host = '127.0.0.1') {
  const [port, mockPort] = [await freePort(), await freePort()];
  const loaded = parseConfig(
    { port, host, mockIdp: { enabled: true, port: mockPort }, tenants: [testTenant()] },
    { env: {}, source: 'test' },
  );
  return { port, mockPort, loaded };
}

describe('start-up with a port already in use', () => {
  it('refuses the gateway port with the setting and PORT named, and stops the mock IdP it started', async () => {
    const { port, mockPort, loaded } = await demoConfig();
    held.push(await occupy(port));
    const gateway = await createGateway(loaded, { logger: createLogger('silent') });
    expect(await listening(mockPort)).toBe(true);
    const failure = await gateway.listen().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PortInUseError);
    expect(failure).toMatchObject({ setting: 'port', port, envVar: 'PORT' });
    expect(await listening(mockPort)).toBe(false);
  });

  it('refuses the mock IdP port with mockIdp.port and MOCK_IDP_PORT named', async () => {
    const { port, mockPort, loaded } = await demoConfig();
    held.push(await occupy(mockPort));
    const failure = await createGateway(loaded, { logger: createLogger('silent') }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PortInUseError);
    expect((failure as Error).message).toBe(
      `The mock IdP cannot listen: port ${mockPort} is already in use (setting "mockIdp.port"; choose another with MOCK_IDP_PORT=<port>, e.g. MOCK_IDP_PORT=${mockPort + 10}).`,
    );
    expect(await listening(port)).toBe(false);
  });
});

describe('start-up with a host that is not this machine', () => {
  it.each([
    ['192.0.2.1', 'EADDRNOTAVAIL'],
    ['gateway.invalid', 'ENOTFOUND'],
  ])('names the host setting (%s) instead of a stack trace, and stops the mock IdP', async (host, code) => {
    const { mockPort, loaded } = await demoConfig(host);
    const gateway = await createGateway(loaded, { logger: createLogger('silent') });
    const failure = await gateway.listen().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).issues).toEqual([
      `host: cannot listen on ${host} (${code}): not an address of this machine; use 127.0.0.1, or 0.0.0.0 in a container`,
    ]);
    expect(await listening(mockPort)).toBe(false);
  });
});

describe('mockIdp.personas', () => {
  const zoe = {
    id: 'zoe-agent',
    label: 'Zoe Agent (agent)',
    issuers: ['staff'],
    claims: { name: 'Zoe Agent', email: 'zoe.agent@demo.example', roles: ['agent'], tenant: 'demo' },
  };

  it('adds personas to the embedded mock IdP: a staff persona of the config signs in to the console', async () => {
    const [port, mockPort] = [await freePort(), await freePort()];
    const loaded = parseConfig(
      {
        port,
        publicUrl: `http://127.0.0.1:${port}`,
        mockIdp: { enabled: true, port: mockPort, personas: [zoe] },
        tenants: [testTenant()],
      },
      { env: {}, source: 'test' },
    );
    const gateway = await createGateway(loaded, { logger: createLogger('silent') });
    try {
      await gateway.listen();
      const base = `http://127.0.0.1:${port}`;
      const browser = new BrowserSession();
      const page = await browser.get(`${base}/staff/login?login_hint=zoe-agent&returnTo=%2Fagent`);
      expect(page.status).toBe(200);
      expect(new URL(page.url).pathname).toBe('/agent');
      expect(page.text).toContain('Zoe Agent');
    } finally {
      await gateway.close();
    }
  });

  it('refuses a duplicate or invalid persona, naming it', () => {
    const parse = (personas: unknown[]) =>
      (() => {
        try {
          parseConfig(
            { mockIdp: { enabled: true, personas }, tenants: [testTenant()] },
            { env: {}, source: 'test' },
          );
          return [];
        } catch (error) {
          return (error as ConfigError).issues;
        }
      })();
    expect(parse([zoe, zoe])).toEqual([
      expect.stringMatching(/^mockIdp\.personas\.1\.id: duplicate persona id/),
    ]);
    expect(parse([{ ...zoe, claims: { ...zoe.claims, email: 'not an address' } }])).toEqual([
      expect.stringMatching(/^mockIdp\.personas\.0\.claims\.email: /),
    ]);
  });
});
