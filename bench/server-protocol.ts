/**
 * What a bench server child process and the load generator say to each other over the fork
 * IPC channel: the child reports where it listens, and measures itself on request (heap after
 * a full GC, CPU time), so the load generator's own memory never counts.
 */
export type ServerReport =
  | { type: 'ready'; url: string }
  | { type: 'heap'; id: number; heapUsed: number }
  | { type: 'cpu'; id: number; userMicros: number; systemMicros: number };

/** A request from the load generator. */
export type ServerRequest = { type: 'heap'; id: number } | { type: 'cpu'; id: number };

/** Answers the load generator's measurement requests inside a server child process. */
export function answerMeasurements(): void {
  process.on('message', (raw: ServerRequest) => {
    if (raw.type === 'heap') {
      // --expose-gc is passed by the parent: measure live objects, not garbage.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      process.send?.({
        type: 'heap',
        id: raw.id,
        heapUsed: process.memoryUsage().heapUsed,
      } satisfies ServerReport);
    } else if (raw.type === 'cpu') {
      const usage = process.cpuUsage();
      process.send?.({
        type: 'cpu',
        id: raw.id,
        userMicros: usage.user,
        systemMicros: usage.system,
      } satisfies ServerReport);
    }
  });
  // The parent going away ends the child: a bench never leaves servers behind.
  process.on('disconnect', () => process.exit(0));
  // A normal exit on SIGTERM, so a CPU profile (BENCH_PROFILE) is written.
  process.on('SIGTERM', () => process.exit(0));
}
