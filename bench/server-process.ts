import { type ChildProcess, fork } from 'node:child_process';
import { freePort } from '../test/helpers/test-gateway.js';
import type { ServerReport, ServerRequest } from './server-protocol.js';

/** A bench server in its own process: its heap and CPU are its own, not the load generator's. */
export class ServerProcess {
  readonly url: string;
  readonly #child: ChildProcess;
  #nextId = 0;

  private constructor(child: ChildProcess, url: string) {
    this.#child = child;
    this.url = url;
  }

  /**
   * Forks `script` (compiled JS next to this file) and waits until it listens (30 s at most). A
   * server that exits before it listens is started again on another port, twice at most: the
   * free port it was given may have become some connection's local port meanwhile.
   */
  static async start(script: string, env: Record<string, string> = {}): Promise<ServerProcess> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ServerProcess.#startOnce(script, env);
      } catch (error) {
        if (!(error instanceof ExitedEarly) || attempt >= 3) throw error;
      }
    }
  }

  static async #startOnce(script: string, env: Record<string, string>): Promise<ServerProcess> {
    const port = await freePort();
    const child = fork(new URL(script, import.meta.url), {
      // BENCH_PROFILE=<dir>: each server writes a V8 CPU profile there when it exits.
      execArgv: [
        '--expose-gc',
        ...(process.env.BENCH_TRACE_GC ? ['--trace-gc'] : []),
        ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
      ],
      env: { ...process.env, ...env, BENCH_PORT: String(port), NODE_ENV: 'development' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not start within 30 s`)), 30_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new ExitedEarly(`${script} exited with ${code}`));
      });
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

/** The server process ended before it reported where it listens. */
class ExitedEarly extends Error {}
