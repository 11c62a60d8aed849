import { readFileSync } from 'node:fs';
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
    // A conversation's record, sequence, messages, dedupe hash and tail: one Lua script; and
    // the same keys as the previous version named them, moved to these by RENAME in one script.
    const own = keys.conversationKeys('demo', 'c-1');
    const slots = new Set([...own, ...keys.legacyConversation('c-1')].map(hashed));
    expect(slots.size).toBe(1);
  });
});

describe('RedisKeys: a conversation’s keys', () => {
  const keys = new RedisKeys('gw:');

  it('name its tenant, so the same id under another tenant names other keys', () => {
    expect(keys.conversationKeys('demo', 'c-1')).toEqual([
      'gw:t:demo:c:{c-1}:rec',
      'gw:t:demo:c:{c-1}:seq',
      'gw:t:demo:c:{c-1}:msgs',
      'gw:t:demo:c:{c-1}:dedupe',
      'gw:t:demo:c:{c-1}:tail',
    ]);
    const other = keys.conversationKeys('other', 'c-1');
    expect(other.filter((key) => keys.conversationKeys('demo', 'c-1').includes(key))).toEqual([]);
  });

  it('were named without the tenant by the previous version, in the same order', () => {
    expect(keys.legacyConversation('c-1')).toEqual([
      'gw:c:{c-1}:rec',
      'gw:c:{c-1}:seq',
      'gw:c:{c-1}:msgs',
      'gw:c:{c-1}:dedupe',
      'gw:c:{c-1}:tail',
    ]);
  });
});

/** The README's Redis key table (section "Deployment with Redis", "Key layout"): its first column. */
function documentedKeys(): string[] {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('**Key layout**');
  expect(start).toBeGreaterThan(0);
  const rows: string[] = [];
  for (const line of readme.slice(start).split('\n').slice(1)) {
    if (rows.length > 0 && !line.startsWith('|')) break;
    const key = /^\|\s*`([^`]+)`/.exec(line)?.[1];
    if (key) rows.push(key);
  }
  return rows;
}

describe('RedisKeys: the README key table', () => {
  const keys = new RedisKeys('gw:');
  // Each key of the layout, built with the placeholders the README writes.
  const built: Record<string, string> = {
    conversation: keys.conversation('<tenant>', '<id>'),
    sequence: keys.sequence('<tenant>', '<id>'),
    messages: keys.messages('<tenant>', '<id>'),
    dedupe: keys.dedupe('<tenant>', '<id>'),
    textTail: keys.textTail('<tenant>', '<id>'),
    stepUpsOf: keys.stepUpsOf('<tenant>', '<id>'),
    queue: keys.queue('<tenant>', '<topic>'),
    queuePlaces: keys.queuePlaces('<tenant>'),
    assigned: keys.assigned('<tenant>', '<blind index>'),
    assignedAny: keys.assignedAny('<tenant>'),
    visitorOpen: keys.visitorOpen('<tenant>', '<visitorId>'),
    subject: keys.subject('<tenant>', '<blind index>'),
    retention: keys.retention('<tenant>'),
    anonymise: keys.anonymise('<tenant>'),
    presence: keys.presence('<tenant>'),
    visitorSockets: keys.visitorSockets('<tenant>', '<visitorId>'),
    transcriptReads: keys.transcriptReads('<tenant>'),
    transcriptReadsOf: keys.transcriptReadsOf('<tenant>', '<blind index>'),
    deletionsOfSubject: keys.deletionsOfSubject('<tenant>', '<blind index>'),
    offline: keys.offline('<tenant>'),
    receiptsOf: keys.receiptsOf('<tenant>', '<blind index>'),
    receipt: keys.receipt('<tenant>', '<id>'),
    stepUp: keys.stepUp('<tenant>', '<sha256 of token>'),
    handover: keys.handover('<tenant>', '<sha256 of id>'),
    rateLimits: `${keys.rateLimits()}<limit>:<blind index>`,
    oidcProvider: `${keys.oidcProvider()}{op:<tenant>}:<kind>:<id>`,
    sessions: `${keys.sessions()}<sid>`,
    sessionOwner: keys.sessionOwner('<sid>'),
    dataKeyCheck: keys.dataKeyCheck(),
    sessionSecretCheck: keys.sessionSecretCheck(),
  };

  // Not rows of their own: a conversation's five keys together, and the previous version's
  // names, which the store only reads to move (the README says so below the table).
  const notRows = [
    'constructor',
    'conversationKeys',
    'legacyConversation',
    'legacyReceipt',
    'legacyStepUp',
    'legacyHandover',
  ];

  it('names every key method of RedisKeys', () => {
    const methods = Object.getOwnPropertyNames(RedisKeys.prototype).filter((name) => !notRows.includes(name));
    expect(methods.sort()).toEqual(Object.keys(built).sort());
  });

  it('has a row for every key the store writes, as RedisKeys builds it', () => {
    const documented = documentedKeys();
    expect(Object.values(built).filter((key) => !documented.includes(key))).toEqual([]);
  });
});
