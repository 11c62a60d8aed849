import { describe, expect, it } from 'vitest';
import { RedisKeys } from '../../../src/store/redis-keys.js';

/**
 * What Redis Cluster hashes a key on: the text between the first `{` and the next `}` when
 * that is not empty, else the whole key.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 */
function hashed(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close < 0 || close === open + 1 ? key : key.slice(open + 1, close);
}

describe('RedisKeys: keys written together share a Cluster slot', () => {
  it.each(['gw:', '{gw}:', 'kommune-a:'])('with the prefix %j', (prefix) => {
    const keys = new RedisKeys(prefix);
    const sid = 'Zm9vYmFyYmF6cXV4';
    // A session and its owner key: one MULTI on save, one DEL on destroy.
    expect(hashed(keys.sessionOwner(sid))).toBe(hashed(`${keys.sessions()}${sid}`));
    // A conversation's record, sequence, messages and dedupe hash: one Lua script.
    const conversation = ['conversation', 'sequence', 'messages', 'dedupe'] as const;
    const slots = new Set(conversation.map((name) => hashed(keys[name]('c-1'))));
    expect(slots.size).toBe(1);
  });
});
