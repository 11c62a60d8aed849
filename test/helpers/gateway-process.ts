import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { bundleForNode } from './node-bundle.js';

/** A gateway in its own process: `kill()` is a real SIGKILL, `stop()` a real SIGTERM. */
export interface GatewayProcess {
  url: string;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

let bundled: Promise<string> | undefined;

/**
 * Bundles `gateway-child.ts` once per test file (esbuild, dependencies left in node_modules)
 * into `.tmp/`, inside the project so the child finds node_modules and the project root.
 */
function childScript(): Promise<string> {
  bundled ??= (async () => {
    const dir = await bundleForNode(`test-child-${process.pid}`, ['test/helpers/gateway-child.ts']);
    return join(dir, 'gateway-child.js');
  })();
  return bundled;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts a test gateway (test tenant, mock IdP) in a child process with `config` merged in. */
export async function startGatewayProcess(config: Record<string, unknown>): Promise<GatewayProcess> {
  const child = fork(await childScript(), {
    env: { ...process.env, GATEWAY_CHILD_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      children.delete(child);
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gateway child did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`gateway child exited with ${code}`)));
    child.on('message', (message: { type: string; url: string }) => {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      resolve(message.url);
    });
  });
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return { url, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
