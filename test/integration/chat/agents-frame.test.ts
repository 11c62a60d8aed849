import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRESENCE_TTL_MS } from '../../../src/chat/built-in-desk.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { type ChatClient, connectAs, staffSocket, visitorBrowser } from './chat-clients.js';

/**
 * An open visitor page hears when agents come and go (`agents`), not only in its welcome: the
 * instance reads the tenant's availability every `chat.availabilityCheckSeconds`, and at once
 * when a console connects or leaves on it.
 */

// Starts at the real time: the mock IdP's ID tokens carry real `iat`s, checked against this clock.
const clock = new ManualClock(Date.now());
let gw: TestGateway;
let visitor: ChatClient;

beforeAll(async () => {
  gw = await startTestGateway({ clock, config: { chat: { availabilityCheckSeconds: 0.05 } } });
  visitor = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
});
afterAll(async () => {
  visitor?.close();
  await gw?.close();
});

const agentsFrames = () => visitor.frames.filter((f) => f.type === 'agents');

describe('the visitor told of agents coming and going', () => {
  it('tells an open visitor socket when an agent console connects, and when it leaves', async () => {
    expect((await visitor.next('welcome')).agentsOnline).toBe(false);
    const since = visitor.frames.length;
    const agent = await staffSocket(gw.url, 'alex-agent');
    expect(await visitor.next('agents', () => true, since)).toEqual({ type: 'agents', online: true });

    const left = visitor.frames.length;
    agent.close();
    expect(await visitor.next('agents', () => true, left)).toEqual({ type: 'agents', online: false });
    // Each change once, however many checks ran meanwhile.
    expect(agentsFrames()).toEqual([
      { type: 'agents', online: true },
      { type: 'agents', online: false },
    ]);
  });

  it('tells it when an agent’s presence lapses, which no event says (its instance died)', async () => {
    const before = visitor.frames.length;
    const agent = await staffSocket(gw.url, 'alex-agent');
    await visitor.next('agents', (f) => f.online === true, before);
    const since = visitor.frames.length;
    // Three missed heartbeats later the presence entry has expired: only the periodic check sees it.
    clock.advance(PRESENCE_TTL_MS + 1_000);
    expect(await visitor.next('agents', () => true, since)).toEqual({ type: 'agents', online: false });
    agent.close();
  });

  it('tells a visitor who connects later nothing beyond the welcome while nothing changes', async () => {
    const later = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
    expect((await later.next('welcome')).agentsOnline).toBe(false);
    const other = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
    await other.next('welcome');
    other.close();
    // A console connecting is the next thing `later` hears of agents: nothing came before it.
    const agent = await staffSocket(gw.url, 'alex-agent');
    await later.next('agents');
    expect(later.frames.filter((f) => f.type === 'agents')).toEqual([{ type: 'agents', online: true }]);
    agent.close();
    later.close();
  });
});
