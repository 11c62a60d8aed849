import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../src/runtime/logger.js';
import { createLogger } from '../../src/runtime/logger.js';
import { RedisConnection } from '../../src/store/redis-connection.js';
import { freePort } from './test-gateway.js';

/** The system binary; the test suite never touches a shared Redis (6379). */
const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

/** A private `redis-server` for one test file: its own free port, its own temp directory, AOF on. */
export interface TestRedis {
  url: string;
  port: number;
  /** Kills the server with SIGKILL (no final save): what survives is what AOF already has. */
  kill(): Promise<void>;
  /** Stops the server gracefully (SHUTDOWN saves and fsyncs). */
  stop(): Promise<void>;
  /** Starts the server again on the same port and directory (data reloaded from the AOF). */
  start(): Promise<void>;
  /** Stops the server and deletes its directory. */
  close(): Promise<void>;
  /**
   * Freezes the server (SIGSTOP): the kernel still accepts connections and takes writes, the
   * server answers nothing, as a hung Redis or a partition without RST. `kill()` and `close()`
   * work on a paused server; `stop()` resumes it first.
   */
  pause(): void;
  /** Lets a paused server run again (SIGCONT): it answers what it was sent meanwhile. */
  resume(): void;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts `redis-server` on a free loopback port in a temp directory with `appendonly yes`.
 * `appendfsync` is `always` by default (every acknowledged write is on disk before the reply);
 * the bench uses `everysec`, which loses nothing on a SIGKILL of Redis either (the AOF is
 * written to the OS before replies go out), only up to a second on a crash of the host. The
 * process is killed when the test process exits, whatever the test did.
 */
export async function startTestRedis(options: { fsync?: 'always' | 'everysec' } = {}): Promise<TestRedis> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(options);
    } catch (error) {
      // The free port may have become some connection's local port before Redis bound it.
      if (!(error instanceof DidNotStart) || attempt >= 3) throw error;
    }
  }
}

/** redis-server ended, or did not answer, before it listened. */
class DidNotStart extends Error {}

async function launch(options: { fsync?: 'always' | 'everysec' }): Promise<TestRedis> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const child of running) child.kill('SIGKILL');
    });
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gw-redis-'));
  let child: ChildProcess | undefined;
  let paused = false;
  const sendSignal = (name: 'SIGSTOP' | 'SIGCONT') => {
    if (!child || child.exitCode !== null) throw new Error('redis-server is not running');
    child.kill(name);
    paused = name === 'SIGSTOP';
  };

  const start = async () => {
    const proc = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        options.fsync ?? 'always',
        '--save',
        '',
        '--protected-mode',
        'yes',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    child = proc;
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    await waitUntilListening(port, proc);
  };
  const halt = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      // A stopped process keeps SIGTERM pending (SIGKILL ends it regardless).
      if (paused && signal !== 'SIGKILL') proc.kill('SIGCONT');
      paused = false;
      proc.kill(signal);
    });
  };

  try {
    await start();
  } catch (error) {
    await halt('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => halt('SIGKILL'),
    stop: () => halt('SIGTERM'),
    start,
    pause: () => sendSignal('SIGSTOP'),
    resume: () => sendSignal('SIGCONT'),
    close: async () => {
      await halt('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilListening(port: number, proc: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (proc.exitCode !== null || proc.signalCode !== null) break;
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new DidNotStart(`redis-server did not start on port ${port}`);
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      // While loading the AOF Redis answers -LOADING: not ready yet.
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}

/**
 * A started connection to `redis` with the short timeouts tests want (an outage is noticed in
 * half a second, a reconnect tried every 100 ms); silent unless given a logger.
 */
export async function connectTestRedis(
  redis: TestRedis,
  logger: Logger = createLogger('silent'),
): Promise<RedisConnection> {
  const connection = new RedisConnection({
    url: redis.url,
    connectTimeoutMs: 500,
    commandTimeoutMs: 1_000,
    maxReconnectDelayMs: 100,
    logger,
  });
  await connection.start();
  return connection;
}
