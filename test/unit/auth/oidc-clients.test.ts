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
