import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema } from '../../../src/config/schema.js';

/**
 * The README's settings reference against the one schema (`src/config/schema.ts`), through
 * `z.toJSONSchema`: every key of the schema is documented (its own row, or named in the row or
 * the default of the nearest documented key above it), every documented key exists, a row's
 * default is the schema's, and a bounded number states its range (`min–max`).
 */

interface SchemaKey {
  default?: unknown;
  minimum?: number;
  maximum?: number;
}

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
};

/** Every key of the schema by its README path (`tenants[].staff.maxLoginHours`). */
function schemaKeys(): Map<string, SchemaKey> {
  const root = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const keys = new Map<string, SchemaKey>();
  const walk = (schema: JsonSchema | undefined, path: string): void => {
    if (!schema) return;
    for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
      walk(branch, path);
    if (schema.items) walk(schema.items, `${path.replace(/\.$/, '')}[].`);
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const key = `${path}${name}`;
      const known = keys.get(key) ?? {};
      const bounds = numberBounds(property);
      keys.set(key, {
        ...known,
        ...(property.default !== undefined ? { default: property.default } : {}),
        ...bounds,
      });
      walk(property, `${key}.`);
    }
  };
  walk(root, '');
  return keys;
}

/** Explicit bounds of a number (not the integers' safe range `int()` adds, nor `positive()`). */
function numberBounds(schema: JsonSchema): Pick<SchemaKey, 'minimum' | 'maximum'> {
  const maximum =
    schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? schema.maximum : undefined;
  return maximum === undefined ? {} : { minimum: schema.minimum ?? 1, maximum };
}

interface Row {
  key: string;
  default: string;
  meaning: string;
}

/** The rows of the settings reference and of the tables below it, with their full paths. */
function readmeRows(): Row[] {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('### Settings reference');
  const end = readme.indexOf('\n## ', start);
  expect(start).toBeGreaterThan(0);
  const rows: Row[] = [];
  let base = '';
  for (const line of readme.slice(start, end).split('\n')) {
    const table = /^[A-Z][^|]*\(`([^`]+\[\])`/.exec(line);
    if (table?.[1]) base = `${table[1]}.`;
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
    if (!line.startsWith('| `') || cells.length < 4) continue;
    const [, keyCell = '', defaultCell = '', meaning = ''] = cells;
    for (const [, key] of keyCell.matchAll(/`([^`]+)`/g))
      if (key) rows.push({ key: `${base}${key}`, default: defaultCell, meaning });
  }
  return rows;
}

/** A default as the README writes it: `30`, `client_secret_basic`, `["openid"]`, `{ a: 1 }`. */
function written(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${written(v)}`)
      .join(', ')} }`;
  return String(value);
}

/** Keys whose README default is a sentence, as the schema cannot say it (dev vs production, derived). */
const DESCRIBED_DEFAULTS: Record<string, string> = {
  publicUrl: '`http://localhost:{port}`',
  'tenants[].acceptTestIdentities': 'dev: `true`, production: `false`',
  'tenants[].metadata': 'all `false`',
  'tenants[].handoff.targets[].fieldNames': 'see below',
  'tenants[].handoff.targets[].issuer': "the tenant's URL",
  'session.secret': 'random (dev)',
  signingKey: 'ephemeral (dev)',
  dataKey: 'ephemeral (dev)',
  'oidcProvider.jwks': 'ephemeral (dev)',
};

/** Members of one value (a JWK, a JWKS, a text per language), not settings of their own. */
const VALUE_PARTS = /(?:Jwk|Jwks\[\]|signingKey|jwks)\.|\.(?:label|title|name)\.(?:en|nb|fi|sv)$/;

/** The OIDC client fields the staff login shares with a provider (`oidcClientFields` of the schema). */
const CLIENT_FIELDS = ['issuer', 'clientId', 'clientSecret', 'clientAuth', 'privateKeyJwk', 'usePar'];

/** A number as the README may write it (`86400`, `86,400`, `86 400`). */
const plain = (text: string) => text.replace(/(\d)[ , _](?=\d{3}\b)/g, '$1');

describe('the README settings reference', () => {
  const keys = schemaKeys();
  const rows = readmeRows();
  const documented = new Map(rows.map((row) => [row.key, row]));

  it('reads both (sanity)', () => {
    expect(keys.size).toBeGreaterThan(100);
    expect(rows.length).toBeGreaterThan(60);
    expect(keys.get('chat.maxQueued')).toEqual({ default: 500 });
  });

  it('documents nothing the schema does not have', () => {
    expect(rows.map((row) => row.key).filter((key) => !keys.has(key.replace(/\[\]$/, '')))).toEqual([]);
  });

  it('documents every key of the schema: its own row, or named by the nearest documented key above it', () => {
    const missing: string[] = [];
    for (const key of keys.keys()) {
      if (documented.has(key) || documented.has(`${key}[]`)) continue;
      // A group (`chat`, `store`) is documented by its keys' rows.
      if (rows.some((row) => row.key.startsWith(`${key}.`))) continue;
      // Parts of one value: a JWK's members, a localized text's languages.
      if (VALUE_PARTS.test(key)) continue;
      // "same client fields as a provider, `issuer` to `usePar`".
      const client = /^tenants\[\]\.staff\.(\w+)$/.exec(key)?.[1];
      if (client && CLIENT_FIELDS.includes(client) && documented.has(`tenants[].providers[].${client}`))
        continue;
      // `tenants[].name.en`, `signingKey.kty`: parts of a value, not settings.
      const segments = key.split('.');
      let parent: Row | undefined;
      for (let n = segments.length - 1; n > 0 && !parent; n--) {
        const above = segments.slice(0, n).join('.');
        parent = documented.get(above) ?? documented.get(`${above}[]`);
      }
      const name = segments.at(-1) ?? key;
      const mentioned = parent && new RegExp(`\\b${name}\\b`).test(`${parent.default} ${parent.meaning}`);
      if (!mentioned) missing.push(key);
    }
    expect(missing).toEqual([]);
  });

  it('gives each documented key the schema’s default', () => {
    const wrong: string[] = [];
    for (const row of rows) {
      const key = row.key.replace(/\[\]$/, '');
      const described = DESCRIBED_DEFAULTS[key];
      if (described !== undefined) {
        if (row.default !== described) wrong.push(`${row.key}: README ${row.default}, expected ${described}`);
        continue;
      }
      const value = keys.get(key)?.default;
      const expected = value === undefined ? '—' : `\`${written(value)}\``;
      if (row.default !== expected) wrong.push(`${row.key}: README ${row.default}, schema ${expected}`);
    }
    expect(wrong).toEqual([]);
  });

  it('states the range of every bounded number', () => {
    const wrong: string[] = [];
    for (const [key, { minimum, maximum }] of keys) {
      if (maximum === undefined) continue;
      // Its own row, or the row of the object it is part of (`tenants[].retention`).
      const row = documented.get(key) ?? documented.get(key.slice(0, key.lastIndexOf('.')));
      const range = `${minimum}–${maximum}`;
      if (!row || !plain(row.meaning).includes(range)) wrong.push(`${key}: ${range}`);
    }
    expect(wrong).toEqual([]);
  });

  it('names only settings the schema has, wherever the README refers to one', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const roots = 'chat|rateLimits|store|session|mail|oidcProvider|mockIdp';
    const referred = new Set(
      [
        ...readme.matchAll(new RegExp(`\`((?:${roots})\\.[A-Za-z.]+|tenants\\[\\]\\.[A-Za-z.[\\]]+)\``, 'g')),
      ].map((m) => (m[1] ?? '').replace(/\[\]$/, '')),
    );
    // Not settings: `/readyz`'s `store.reason`, a host name.
    for (const other of ['store.reason', 'chat.vendor.example']) referred.delete(other);
    expect(referred.size).toBeGreaterThan(40);
    expect([...referred].filter((key) => !keys.has(key))).toEqual([]);
  });
});
