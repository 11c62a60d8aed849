import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/web/asset-paths.js';
import { freePort } from '../test/helpers/test-gateway.js';
import type { ServerReport, ServerRequest } from './server-protocol.js';

/**
 * The Node flags `npm start` runs the gateway with (its `start` script: `node <flags> <entry>`),
 * given to every server of the bench, so both run as deployed and the relay under the same runtime.
 */
const START_FLAGS: string[] = (() => {
  const scripts = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts as {
    start: string;
  };
  const [node, ...rest] = scripts.start.split(/\s+/);
  if (node !== 'node') throw new TypeError(`the start script does not run node: ${scripts.start}`);
  return rest.filter((word) => word.startsWith('--'));
})();

/** A bench server in its own process: its heap and CPU are its own, not the load generator's. */
export class ServerProcess {
  readonly url: string;
  readonly #child: ChildProcess;
  #nextId = 0;

  private constructor(child: ChildProcess, url: string) {
    this.#child = child;
    this.url = url;
  }

  /** Forks `script` (compiled JS next to this file) and waits until it listens (30 s at most). */
  static async start(script: string, env: Record<string, string> = {}): Promise<ServerProcess> {
    const port = await freePort();
    const child = fork(new URL(script, import.meta.url), {
      // BENCH_PROFILE=<dir>: each server writes a V8 CPU profile there when it exits.
      execArgv: [
        ...START_FLAGS,
        '--expose-gc',
        ...(process.env.BENCH_TRACE_GC ? ['--trace-gc'] : []),
        ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
      ],
      env: { ...process.env, ...env, BENCH_PORT: String(port), NODE_ENV: 'development' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not start within 30 s`)), 30_000);
      child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
      child.on('message', (report: ServerReport) => {
        if (report.type !== 'ready') return;
        clearTimeout(timer);
        resolve(report.url);
      });
    });
    return new ServerProcess(child, url);
  }

  /** Heap in use after a full GC, in bytes. */
  async heapUsed(): Promise<number> {
    const report = await this.#ask({ type: 'heap', id: this.#nextId++ });
    return report.type === 'heap' ? report.heapUsed : Number.NaN;
  }

  /** CPU time used so far (user + system), in microseconds. */
  async cpuMicros(): Promise<number> {
    const report = await this.#ask({ type: 'cpu', id: this.#nextId++ });
    return report.type === 'cpu' ? report.userMicros + report.systemMicros : Number.NaN;
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  #ask(request: ServerRequest): Promise<ServerReport> {
    return new Promise((resolve) => {
      const listener = (report: ServerReport) => {
        if (report.type === 'ready' || report.id !== request.id) return;
        this.#child.off('message', listener);
        resolve(report);
      };
      this.#child.on('message', listener);
      this.#child.send(request);
    });
  }
}
