import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OidcClients } from '../../../src/auth/oidc-clients.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { createLogger } from '../../../src/runtime/logger.js';

describe('OidcClients.close', () => {
  it('says nothing of a discovery that fails after close (the port-in-use exit stays one line)', async () => {
    // A broker that answers discovery only once the clients are closed, with an error: what the
    // gateway's discovery of the embedded mock IdP meets when `listen` fails and stops the mock.
    const sockets: Socket[] = [];
    const broker = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
    const { port } = broker.address() as { port: number };
    const lines: string[] = [];
    const logger = createLogger(
      'debug',
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const { config } = parseConfig(
      {
        tenants: [
          {
            id: 'demo',
            name: 'Demo',
            providers: [
              {
                id: 'bankid',
                label: 'BankID',
                issuer: `http://127.0.0.1:${port}/bankid-no`,
                clientId: 'gateway',
                clientSecret: 'secret',
                claimProfile: 'idura',
              },
            ],
          },
        ],
      },
      { env: {}, source: 'test' },
    );
    const clients = new OidcClients({ config, logger, resolveIssuer: (issuer) => issuer });
    const discovery = clients.start();
    while (sockets.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    clients.close();
    for (const socket of sockets)
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    await discovery;
    broker.close();
    expect(lines.filter((line) => line.includes('broker discovery failed'))).toEqual([]);
  });
});

describe('OidcClients.configuration', () => {
  it('waits for the discovery in flight (a login reaching a just-started instance), instead of provider_unavailable', async () => {
    // A broker whose discovery answers only when the test lets it: an instance started (or
    // restarted after a crash) is ready for traffic while its first discovery is on its way.
    const held: Array<() => void> = [];
    const broker = createHttpServer((req, res) => {
      const issuer = `http://127.0.0.1:${(broker.address() as { port: number }).port}/bankid-no`;
      held.push(() => {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            issuer,
            authorization_endpoint: `${issuer}/auth`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: `${issuer}/jwks`,
          }),
        );
      });
      void req;
    });
    await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
    const { port } = broker.address() as { port: number };
    const clients = new OidcClients({
      config: oneProvider(`http://127.0.0.1:${port}/bankid-no`),
      logger: createLogger('silent'),
      resolveIssuer: (issuer) => issuer,
    });
    const discovery = clients.start();
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(clients.isReady('demo', 'bankid')).toBe(false);
    const configuration = clients.configuration('demo', 'bankid');
    for (const answer of held) answer();
    expect(await configuration).toBe(clients.get('demo', 'bankid'));
    await discovery;
    clients.close();
    broker.close();
  });

  it('answers provider_unavailable once the discovery in flight has failed', async () => {
    const sockets: Socket[] = [];
    const broker = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
    const { port } = broker.address() as { port: number };
    const clients = new OidcClients({
      config: oneProvider(`http://127.0.0.1:${port}/bankid-no`),
      logger: createLogger('silent'),
      resolveIssuer: (issuer) => issuer,
    });
    const discovery = clients.start();
    while (sockets.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const configuration = clients.configuration('demo', 'bankid');
    for (const socket of sockets)
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    await expect(configuration).rejects.toMatchObject({ code: 'provider_unavailable', status: 503 });
    await discovery;
    clients.close();
    broker.close();
  });
});

function oneProvider(issuer: string) {
  return parseConfig(
    {
      tenants: [
        {
          id: 'demo',
          name: 'Demo',
          providers: [
            {
              id: 'bankid',
              label: 'BankID',
              issuer,
              clientId: 'gateway',
              clientSecret: 'secret',
              claimProfile: 'idura',
            },
          ],
        },
      ],
    },
    { env: {}, source: 'test' },
  ).config;
}
