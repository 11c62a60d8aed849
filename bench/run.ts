import { mkdirSync, writeFileSync } from 'node:fs';
import { startTestRedis } from '../test/helpers/redis-server.js';
import { type BenchSocket, inBatches } from './frames.js';
import { processCpuMicros, redisServerPid } from './process-cpu.js';
import { fixedRate, percentile, type RoundResult, saturate } from './round-trips.js';
import { ServerProcess } from './server-process.js';
import { GatewayTarget, RelayTarget, type Target, timedStaffCallback } from './targets.js';

/**
 * `npm run bench`: the real gateway against the thinnest `ws` relay, same machine, same run,
 * interleaved rounds. Every number is bounded (pairs, agents, rounds, seconds, sockets) and
 * everything listens on 127.0.0.1 only. Settings (environment):
 * - `BENCH_PAIRS` visitor/agent pairs (default 50), `BENCH_AGENTS` agent counts (default `1,10,50`)
 * - `BENCH_ROUNDS` rounds per server and agent count (default 2), `BENCH_SECONDS` per round (default 3)
 * - `BENCH_RATES` fixed offered rates in round trips/s (default `650,1000`), run with 10 agents
 * - `BENCH_IDLE` idle visitor sockets for the memory figure (default 10000)
 * - `BENCH_LOGINS` timed staff login callbacks (default 20)
 * - `BENCH_CROSS` `0` skips the run with two gateway instances on one Redis (default on); `only`
 *   runs nothing else (no memory-store rounds, idle sockets or logins), for A/B runs of the Redis path
 */
const env = process.env;
const PAIRS = Number(env.BENCH_PAIRS ?? 50);
const AGENT_COUNTS = (env.BENCH_AGENTS ?? '1,10,50').split(',').map(Number);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 2);
const SECONDS = Number(env.BENCH_SECONDS ?? 3);
const RATES = (env.BENCH_RATES ?? '650,1000').split(',').map(Number);
const IDLE = Number(env.BENCH_IDLE ?? 10_000);
const LOGINS = Number(env.BENCH_LOGINS ?? 20);
const CROSS = env.BENCH_CROSS !== '0';
const CROSS_ONLY = env.BENCH_CROSS === 'only';
const RATE_AGENTS = AGENT_COUNTS.includes(10) ? 10 : (AGENT_COUNTS[0] ?? 1);

if (PAIRS > 200 || IDLE > 10_000 || SECONDS > 30 || ROUNDS > 10 || AGENT_COUNTS.some((a) => a > 50)) {
  throw new TypeError('bench settings out of bounds (pairs ≤ 200, agents ≤ 50, idle ≤ 10000, seconds ≤ 30)');
}

const ms = (value: number) => value.toFixed(1);
const perSecond = (r: RoundResult) => r.completed / r.seconds;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const loadCpuMicros = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

interface Servers {
  relay: ServerProcess;
  gateway: ServerProcess;
  targets: [Target, Target];
}

async function startServers(): Promise<Servers> {
  const [relay, gateway] = await Promise.all([
    ServerProcess.start('./relay-server.js'),
    ServerProcess.start('./gateway-server.js'),
  ]);
  return { relay, gateway, targets: [new RelayTarget(relay.url), new GatewayTarget(gateway.url)] };
}

async function stopServers(servers: Servers): Promise<void> {
  await Promise.all([servers.relay.stop(), servers.gateway.stop()]);
}

async function throughput(agents: number) {
  const servers = await startServers();
  try {
    const connected = await Promise.all(servers.targets.map((t) => t.connect(PAIRS, agents)));
    const rates: Record<string, number[]> = { relay: [], gateway: [] };
    // Server CPU per round trip: the work per message, robust to other load on the machine.
    const cpu: Record<string, number[]> = { relay: [], gateway: [] };
    // The load generator's own CPU per round trip: it shares the machine's two cores, and the
    // gateway's protocol (an ack per message) gives it twice the frames to read.
    const load: Record<string, number[]> = { relay: [], gateway: [] };
    const processes = [servers.relay, servers.gateway];
    const fixed: Record<number, Record<string, number[]>> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, target] of servers.targets.entries()) {
        const server = processes[i] as ServerProcess;
        const cpuBefore = await server.cpuMicros();
        const loadBefore = loadCpuMicros();
        const result = await saturate(connected[i]?.pairs ?? [], SECONDS, 0.5);
        const cpuMicros = (await server.cpuMicros()) - cpuBefore;
        const loadMicros = loadCpuMicros() - loadBefore;
        rates[target.name]?.push(perSecond(result));
        // The warm-up's round trips are not counted: scale by the measured share of the run.
        const trips = result.completed * (1 + 0.5 / SECONDS);
        cpu[target.name]?.push(cpuMicros / trips);
        load[target.name]?.push(loadMicros / trips);
      }
    }
    if (agents === RATE_AGENTS) {
      for (const rate of RATES) {
        const latencies: Record<string, number[]> = { relay: [], gateway: [] };
        const lost: Record<string, number> = { relay: 0, gateway: 0 };
        for (let round = 0; round < ROUNDS; round++) {
          for (const [i, target] of servers.targets.entries()) {
            const result = await fixedRate(connected[i]?.pairs ?? [], rate, SECONDS);
            latencies[target.name]?.push(...result.latencies);
            lost[target.name] = (lost[target.name] ?? 0) + result.lost;
          }
        }
        fixed[rate] = latencies;
        for (const name of ['relay', 'gateway'])
          if (lost[name]) console.log(`  ${name} at ${rate}/s: ${lost[name]} round trips unanswered`);
      }
    }
    for (const c of connected) c.close();
    return { rates, fixed, cpu, load };
  } finally {
    await stopServers(servers);
  }
}

/**
 * Two gateway instances on one `redis-server` (its own port and temp dir, AOF on): the same
 * round trips with visitors on instance A and their agents on instance B (`redis-2`), with
 * both on A (`redis-1`, the single-instance path on Redis) and through the relay, interleaved.
 * The cross-instance cost is `redis-2` minus `redis-1` at p50 under the same fixed rate.
 */
async function crossInstance() {
  const redis = await startTestRedis({ fsync: 'everysec' });
  const env = { BENCH_REDIS_URL: redis.url };
  const [relay, first, second] = await Promise.all([
    ServerProcess.start('./relay-server.js'),
    ServerProcess.start('./gateway-server.js', env),
    ServerProcess.start('./gateway-server.js', env),
  ]);
  try {
    const targets: Target[] = [
      new RelayTarget(relay.url),
      new GatewayTarget(first.url, { name: 'redis-1' }),
      new GatewayTarget(first.url, { agentUrl: second.url, name: 'redis-2', firstAgent: RATE_AGENTS }),
    ];
    const connected = [];
    for (const target of targets) connected.push(await target.connect(PAIRS, RATE_AGENTS));
    const rates: Record<string, number[]> = Object.fromEntries(targets.map((t) => [t.name, []]));
    const latencies: Record<string, number[]> = Object.fromEntries(targets.map((t) => [t.name, []]));
    // CPU per round trip of each process at saturation: where the work goes (both gateway
    // instances, redis-server, the load generator itself).
    const cpu: Record<string, Record<string, number[]>> = Object.fromEntries(
      targets.map((t) => [t.name, { A: [], B: [], redis: [], load: [] }]),
    );
    const redisPid = redisServerPid(redis.port);
    const cpuNow = async () => ({
      A: await first.cpuMicros(),
      B: await second.cpuMicros(),
      redis: processCpuMicros(redisPid),
      load: loadCpuMicros(),
    });
    const rate = RATES[0] ?? 650;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, target] of targets.entries()) {
        const pairs = connected[i]?.pairs ?? [];
        const before = await cpuNow();
        const result = await saturate(pairs, SECONDS, 0.5);
        const after = await cpuNow();
        rates[target.name]?.push(perSecond(result));
        const trips = result.completed * (1 + 0.5 / SECONDS);
        for (const part of ['A', 'B', 'redis', 'load'] as const)
          cpu[target.name]?.[part]?.push((after[part] - before[part]) / trips);
        latencies[target.name]?.push(...(await fixedRate(pairs, rate, SECONDS)).latencies);
      }
    }
    for (const c of connected) c.close();
    return { rates, latencies, rate, cpu };
  } finally {
    await Promise.all([relay.stop(), first.stop(), second.stop()]);
    await redis.close();
  }
}

async function idleMemory() {
  const servers = await startServers();
  try {
    const perSocket: Record<string, number> = {};
    for (const [i, target] of servers.targets.entries()) {
      const server = i === 0 ? servers.relay : servers.gateway;
      await target.prepareIdle(IDLE);
      const before = await server.heapUsed();
      const sockets = await inBatches(
        Array.from({ length: IDLE }, (_, n) => n),
        50,
        () => target.idleVisitor(),
      );
      const after = await server.heapUsed();
      perSocket[target.name] = (after - before) / IDLE;
      for (const socket of sockets) (socket as BenchSocket).close();
    }
    const callbacks: number[] = [];
    const cpuBefore = await servers.gateway.cpuMicros();
    for (let i = 0; i < LOGINS; i++)
      callbacks.push(await timedStaffCallback(servers.gateway.url, 'alex-agent'));
    const cpuPerLogin = ((await servers.gateway.cpuMicros()) - cpuBefore) / LOGINS / 1000;
    return { perSocket, callbacks, cpuPerLogin };
  } finally {
    await stopServers(servers);
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(
    `bench: ${PAIRS} pairs, agents ${AGENT_COUNTS.join('/')}, ${ROUNDS} interleaved rounds × ${SECONDS} s, ` +
      `fixed rates ${RATES.join('/')}/s with ${RATE_AGENTS} agents, ${IDLE} idle sockets`,
  );
  const report: Record<string, unknown> = { pairs: PAIRS, rounds: ROUNDS, seconds: SECONDS };
  const lines = [
    '| agents | relay rt/s | gateway rt/s | ratio | relay CPU µs/rt | gateway CPU µs/rt | load generator µs/rt (relay / gateway) |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const gatewayByAgents: Record<number, number> = {};
  for (const agents of CROSS_ONLY ? [] : AGENT_COUNTS) {
    const { rates, fixed, cpu, load } = await throughput(agents);
    const relayLoad = mean(load.relay ?? []);
    const gatewayLoad = mean(load.gateway ?? []);
    const relayCpu = mean(cpu.relay ?? []);
    const gatewayCpu = mean(cpu.gateway ?? []);
    const relay = mean(rates.relay ?? []);
    const gateway = mean(rates.gateway ?? []);
    gatewayByAgents[agents] = gateway;
    lines.push(
      `| ${agents} | ${relay.toFixed(0)} | ${gateway.toFixed(0)} | ${(gateway / relay).toFixed(2)} | ` +
        `${relayCpu.toFixed(0)} | ${gatewayCpu.toFixed(0)} | ${relayLoad.toFixed(0)} / ${gatewayLoad.toFixed(0)} |`,
    );
    report[`throughput-${agents}`] = {
      relay,
      gateway,
      ratio: gateway / relay,
      relayCpu,
      gatewayCpu,
      relayLoad,
      gatewayLoad,
    };
    for (const [rate, latencies] of Object.entries(fixed)) {
      const relayP = [percentile(latencies.relay ?? [], 50), percentile(latencies.relay ?? [], 99)];
      const gatewayP = [percentile(latencies.gateway ?? [], 50), percentile(latencies.gateway ?? [], 99)];
      report[`latency-${rate}`] = { agents, relay: relayP, gateway: gatewayP };
      console.log(
        `  fixed ${rate}/s, ${agents} agents: relay p50 ${ms(relayP[0] ?? 0)} p99 ${ms(relayP[1] ?? 0)} ms; ` +
          `gateway p50 ${ms(gatewayP[0] ?? 0)} p99 ${ms(gatewayP[1] ?? 0)} ms; ` +
          `p99 ratio ${((gatewayP[1] ?? 0) / (relayP[1] ?? 1)).toFixed(1)}×`,
      );
    }
    console.log(`  ${agents} agents: relay ${relay.toFixed(0)}, gateway ${gateway.toFixed(0)} rt/s`);
  }
  const first = AGENT_COUNTS[0] as number;
  const last = AGENT_COUNTS.at(-1) as number;
  if (!CROSS_ONLY && first !== last) {
    const drop = 1 - (gatewayByAgents[last] ?? 0) / (gatewayByAgents[first] ?? 1);
    console.log(`  gateway throughput with ${last} agents vs ${first}: ${(-drop * 100).toFixed(0)} %`);
    report.agentScaling = { first, last, change: -drop };
  }
  if (CROSS) {
    const cross = await crossInstance();
    const relay = mean(cross.rates.relay ?? []);
    const single = mean(cross.rates['redis-1'] ?? []);
    const two = mean(cross.rates['redis-2'] ?? []);
    const p50 = (name: string) => percentile(cross.latencies[name] ?? [], 50);
    const p99 = (name: string) => percentile(cross.latencies[name] ?? [], 99);
    report.crossInstance = {
      agents: RATE_AGENTS,
      rate: cross.rate,
      throughput: { relay, oneInstance: single, twoInstances: two, ratioToRelay: two / relay },
      p50: { relay: p50('relay'), oneInstance: p50('redis-1'), twoInstances: p50('redis-2') },
      p99: { relay: p99('relay'), oneInstance: p99('redis-1'), twoInstances: p99('redis-2') },
      addedP50: p50('redis-2') - p50('redis-1'),
    };
    for (const [name, parts] of Object.entries(cross.cpu)) {
      const line = Object.entries(parts)
        .map(([part, values]) => `${part} ${mean(values).toFixed(0)}`)
        .join(', ');
      console.log(`  ${name}: CPU µs per round trip ${line}`);
    }
    report.crossInstanceCpu = Object.fromEntries(
      Object.entries(cross.cpu).map(([name, parts]) => [
        name,
        Object.fromEntries(Object.entries(parts).map(([part, values]) => [part, mean(values)])),
      ]),
    );
    console.log(
      `two instances on one Redis (visitor on A, agent on B), ${RATE_AGENTS} agents: ` +
        `relay ${relay.toFixed(0)}, one instance ${single.toFixed(0)}, two instances ${two.toFixed(0)} rt/s ` +
        `(${(two / relay).toFixed(2)}× the relay); at ${cross.rate}/s p50 one instance ${ms(p50('redis-1'))} ms, ` +
        `two instances ${ms(p50('redis-2'))} ms: cross-instance adds ${ms(p50('redis-2') - p50('redis-1'))} ms at p50 ` +
        `(p99 ${ms(p99('redis-1'))} → ${ms(p99('redis-2'))} ms)`,
    );
  }
  if (!CROSS_ONLY) {
    const memory = await idleMemory();
    const relayKb = (memory.perSocket.relay ?? 0) / 1024;
    const gatewayKb = (memory.perSocket.gateway ?? 0) / 1024;
    report.idleHeapPerSocket = memory.perSocket;
    report.loginCallback = {
      p50: percentile(memory.callbacks, 50),
      p99: percentile(memory.callbacks, 99),
      cpuMs: memory.cpuPerLogin,
    };
    console.log(lines.join('\n'));
    console.log(
      `heap per idle visitor socket (${IDLE}): relay ${relayKb.toFixed(1)} KiB, gateway ${gatewayKb.toFixed(1)} KiB, ` +
        `ratio ${(gatewayKb / relayKb).toFixed(2)}`,
    );
    console.log(
      `staff login callback (${LOGINS}): p50 ${ms(percentile(memory.callbacks, 50))} ms, ` +
        `p99 ${ms(percentile(memory.callbacks, 99))} ms, gateway process CPU ${ms(memory.cpuPerLogin)} ms ` +
        '(code exchange with the in-process mock IdP included)',
    );
  }
  console.log(`bench finished in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  mkdirSync('.tmp/bench', { recursive: true });
  writeFileSync('.tmp/bench/latest.json', `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
