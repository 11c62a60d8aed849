import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connection.js';

/**
 * A Lua script run by its SHA1 (EVALSHA), sent in full (EVAL) only when the server does not
 * know it yet: after a Redis restart the script cache is empty and the first call reloads it.
 */
export class RedisScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  run(client: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    // Chained, not awaited in an async function: a promise fewer per call on the chat's hot path.
    return client.evalSha(this.#sha, { keys, arguments: args }).catch((error: unknown) => {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.#source, { keys, arguments: args });
    });
  }
}
