import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/runtime/clock.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { type ChatClient, connectAs, staffBrowser, visitorBrowser } from './chat-clients.js';

/**
 * An agent's presence is refreshed on every heartbeat (`chat.heartbeatSeconds`): an agent whose
 * console stays open counts as online between two beats, also when the interval is longer than
 * the default 30 s.
 */

// Starts at the real time: the mock IdP's ID tokens carry real `iat`s, checked against this clock.
const clock = new ManualClock(Date.now());
let gw: TestGateway;
let agent: ChatClient;

beforeAll(async () => {
  gw = await startTestGateway({ clock, config: { chat: { heartbeatSeconds: 120 } } });
  agent = await connectAs(await staffBrowser(gw.url, 'alex-agent'), gw.url, 'agent');
  await agent.next('welcome');
});
afterAll(async () => {
  agent?.close();
  await gw?.close();
});

async function agentsOnline(): Promise<unknown> {
  const visitor = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
  const { agentsOnline } = await visitor.next('welcome');
  visitor.close();
  return agentsOnline;
}

describe('agent presence with a heartbeat longer than 30 s', () => {
  it('keeps a connected agent online until the next heartbeat is due', async () => {
    expect(await agentsOnline()).toBe(true);
    // 100 s later the 120 s heartbeat has not yet come round: the agent is still there.
    clock.advance(100_000);
    expect(await agentsOnline()).toBe(true);
  });

  it('lets the agent lapse after three missed heartbeats', async () => {
    clock.advance(3 * 120_000);
    expect(await agentsOnline()).toBe(false);
  });
});
