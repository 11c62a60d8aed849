import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { duplicateKeys } from './duplicate-keys.js';
import { productionProblems } from './production-rules.js';
import { configSchema, type GatewayConfig } from './schema.js';

/** Thrown when the configuration cannot be used; `issues` name each key and what is expected. */
export class ConfigError extends Error {
  readonly issues: string[];
  constructor(source: string, issues: string[]) {
    super(`Invalid configuration (${source}):\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export interface LoadedConfig {
  config: GatewayConfig;
  /** Where the configuration came from (a file path). */
  source: string;
  /** `NODE_ENV === 'production'`: the production rules were enforced. */
  production: boolean;
  /** Unsafe-but-allowed settings in development, to be logged at start-up. */
  warnings: string[];
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Directory relative paths are resolved against. Default `process.cwd()`. */
  cwd?: string;
}

/** The values of `NODE_ENV` the gateway knows; `test` is the test runner's and runs as development. */
const NODE_ENVS = ['production', 'development', 'test'];

/** Default configuration file: the demo tenant with the bundled mock IdP. */
export const DEFAULT_CONFIG_PATH = 'config/default.json';

/**
 * Reads the file named by `GATEWAY_CONFIG` (default `config/default.json`), then {@link parseConfig}.
 */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const source = resolve(options.cwd ?? process.cwd(), env.GATEWAY_CONFIG ?? DEFAULT_CONFIG_PATH);
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (error) {
    throw new ConfigError(source, [
      `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? error}`,
    ]);
  }
  let raw: unknown;
  // A UTF-8 byte order mark, as Windows editors save files: JSON parsers may ignore it
  // (RFC 8259 §8.1), and JSON.parse does not.
  const json = text.replace(/^\uFEFF/, '');
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new ConfigError(source, [`not valid JSON: ${jsonProblem(json, error as Error)}`]);
  }
  const duplicates = duplicateKeys(json);
  if (duplicates.length > 0) {
    throw new ConfigError(
      source,
      duplicates.map((path) => `${path}: written twice in one object; only the last would be used`),
    );
  }
  return parseConfig(raw, { env, source, baseDir: dirname(source) });
}

/**
 * Resolves `{ "$env": "NAME" }` and `{ "$file": "PATH" }` references, applies the environment overrides (`PORT`,
 * `MOCK_IDP_PORT`, `PUBLIC_URL`, `SESSION_SECRET`, `REDIS_URL`, `SMTP_URL`, `LOG_LEVEL`, `SIGNING_KEY`, `DATA_KEY`),
 * validates against the schema and, when `NODE_ENV=production`, the production rules.
 * @throws {ConfigError} naming every offending key.
 */
export function parseConfig(
  raw: unknown,
  options: {
    env?: NodeJS.ProcessEnv;
    source?: string;
    /** Directory a relative `{ "$file": … }` is read from: the configuration file's. Default `process.cwd()`. */
    baseDir?: string;
  } = {},
): LoadedConfig {
  const env = options.env ?? process.env;
  const source = options.source ?? '<inline>';
  const issues: string[] = [];
  const resolved = resolveReferences(raw, { env, baseDir: options.baseDir ?? process.cwd() }, [], issues);
  if (issues.length > 0) throw new ConfigError(source, issues);
  const overridden = new Map<string, string>();
  const withOverrides = applyEnvOverrides(resolved, env, issues, overridden);
  if (issues.length > 0) throw new ConfigError(source, issues);
  const named = (found: string[]) => found.map((issue) => namingOverride(issue, overridden));

  const parsed = configSchema.safeParse(withOverrides);
  if (!parsed.success) throw new ConfigError(source, named(parsed.error.issues.map(formatIssue)));

  const production = env.NODE_ENV === 'production';
  // Anything but these would be taken for development, unsafe defaults and all: `prod` or
  // `Production` meant production, and is said as a mistake rather than run as development.
  if (env.NODE_ENV !== undefined && env.NODE_ENV !== '' && !NODE_ENVS.includes(env.NODE_ENV)) {
    throw new ConfigError(source, [
      `NODE_ENV: expected ${NODE_ENVS.map((v) => `"${v}"`).join(', ')} or unset, not "${env.NODE_ENV}"`,
    ]);
  }
  const { errors, warnings } = productionProblems(parsed.data);
  if (production && errors.length > 0) {
    throw new ConfigError(
      source,
      named(errors).map((e) => `${e} (refused because NODE_ENV=production)`),
    );
  }
  // Production keeps its warnings (start-up logs each one); development also lists what
  // production would refuse.
  return {
    config: parsed.data,
    source,
    production,
    warnings: named(production ? warnings : [...errors, ...warnings]),
  };
}

/**
 * Names the environment variable beside a key it set (`logLevel (from LOG_LEVEL): expected one
 * of …`): the file then holds another value or none, and the operator reading it would look
 * for the fault in the wrong place.
 */
function namingOverride(issue: string, overridden: ReadonlyMap<string, string>): string {
  const colon = issue.indexOf(':');
  const key = colon < 0 ? issue : issue.slice(0, colon);
  const variable = [...overridden].find(([path]) => key === path || key.startsWith(`${path}.`))?.[1];
  return variable ? `${key} (from ${variable})${issue.slice(key.length)}` : issue;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') {
    return `${path}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  // zod's "Invalid input: expected string, received undefined": the key is missing.
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return `${path}: required (${issue.expected})`;
  }
  if (issue.code === 'invalid_value') {
    return `${path}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return `${path}: ${issue.message}`;
}

/** `{ "$env": "NAME" }` or `{ "$file": "PATH" }`, with `"json": true` to parse what it holds. */
type SecretReference = { $env: string; json?: boolean } | { $file: string; json?: boolean };

/**
 * Whether `value` is a reference, and if it is one written wrong (another key beside it, both
 * kinds, a name that is no string), what is wrong with it: otherwise the object would reach the
 * schema and be refused as "expected string, received object", naming neither the reference
 * nor its mistake.
 */
function asReference(value: unknown): { reference?: SecretReference; problem?: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const keys = Object.keys(value);
  const kinds = keys.filter((k) => k === '$env' || k === '$file');
  if (kinds.length === 0) return {};
  const record = value as Record<string, unknown>;
  const kind = kinds[0] as '$env' | '$file';
  if (kinds.length > 1) return { problem: 'a reference is either { "$env": … } or { "$file": … }, not both' };
  if (typeof record[kind] !== 'string' || record[kind] === '')
    return { problem: `"${kind}" must name ${kind === '$env' ? 'an environment variable' : 'a file'}` };
  const other = keys.filter((k) => k !== kind && k !== 'json');
  if (other.length > 0 || (record.json !== undefined && typeof record.json !== 'boolean'))
    return { problem: `a { "${kind}": … } reference takes only "json": true beside it` };
  return { reference: value as SecretReference };
}

/**
 * The text a reference points at: an environment variable, or a file (a Docker or Kubernetes
 * secret, a systemd credential), relative to `baseDir`, without the one line break such files
 * end with (`echo secret > file`), which would otherwise be part of the secret.
 */
function referencedText(
  reference: SecretReference,
  env: NodeJS.ProcessEnv,
  baseDir: string,
): { text?: string; problem?: string } {
  if ('$env' in reference) {
    const text = env[reference.$env];
    if (text === undefined || text === '')
      return { problem: `environment variable ${reference.$env} is not set` };
    return { text };
  }
  const file = resolve(baseDir, reference.$file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    return { problem: `cannot read the file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}` };
  }
  return text === '' ? { problem: `the file ${file} is empty` } : { text };
}

/**
 * Replaces every `{ "$env": "NAME" }` and `{ "$file": "PATH" }` (`"json": true` to parse the
 * value as JSON, e.g. a JWK).
 */
function resolveReferences(
  value: unknown,
  sources: { env: NodeJS.ProcessEnv; baseDir: string },
  path: string[],
  issues: string[],
): unknown {
  const { reference, problem } = asReference(value);
  const where = path.join('.');
  if (problem) {
    issues.push(`${where}: ${problem}`);
    return undefined;
  }
  if (reference) {
    const found = referencedText(reference, sources.env, sources.baseDir);
    if (found.text === undefined) {
      issues.push(`${where}: ${found.problem}`);
      return undefined;
    }
    if (!reference.json) return found.text;
    try {
      return JSON.parse(found.text);
    } catch {
      const named =
        '$env' in reference ? `environment variable ${reference.$env}` : `file ${reference.$file}`;
      issues.push(`${where}: ${named} is not valid JSON`);
      return undefined;
    }
  }
  if (Array.isArray(value))
    return value.map((item, i) => resolveReferences(item, sources, [...path, String(i)], issues));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        resolveReferences(item, sources, [...path, key], issues),
      ]),
    );
  }
  return value;
}

/** Applies the overrides; `overridden` gets each key path set from the environment, with its variable. */
function applyEnvOverrides(
  value: unknown,
  env: NodeJS.ProcessEnv,
  issues: string[],
  overridden: Map<string, string>,
): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const config = { ...(value as Record<string, unknown>) };
  const section = (key: string): Record<string, unknown> => {
    const current = config[key];
    const copy = typeof current === 'object' && current !== null ? { ...(current as object) } : {};
    config[key] = copy;
    return copy as Record<string, unknown>;
  };
  const port = portFrom(env, 'PORT', issues);
  if (port !== undefined) {
    config.port = port;
    overridden.set('port', 'PORT');
  }
  const mockIdpPort = portFrom(env, 'MOCK_IDP_PORT', issues);
  if (mockIdpPort !== undefined) {
    section('mockIdp').port = mockIdpPort;
    overridden.set('mockIdp.port', 'MOCK_IDP_PORT');
  }
  if (env.PUBLIC_URL) {
    config.publicUrl = env.PUBLIC_URL;
    overridden.set('publicUrl', 'PUBLIC_URL');
  }
  // Without an explicit public URL the gateway is its own origin on this machine, so a PORT
  // override moves the redirect URIs along with the listener.
  // Port 0 is a free port chosen when listening, after the redirect URIs were built on it.
  if (config.publicUrl === undefined && config.port === 0) {
    issues.push(
      `${overridden.has('port') ? 'port (from PORT)' : 'port'}: 0 (a free port chosen at start) needs publicUrl (PUBLIC_URL), since the redirect URIs would name port 0; or give a port`,
    );
  } else if (config.publicUrl === undefined && typeof (config.port ?? 3000) === 'number') {
    config.publicUrl = `http://localhost:${config.port ?? 3000}`;
  }
  if (env.LOG_LEVEL) {
    config.logLevel = env.LOG_LEVEL;
    overridden.set('logLevel', 'LOG_LEVEL');
  }
  if (env.SESSION_SECRET) {
    section('session').secret = env.SESSION_SECRET;
    overridden.set('session.secret', 'SESSION_SECRET');
  }
  if (env.DATA_KEY) {
    config.dataKey = env.DATA_KEY;
    overridden.set('dataKey', 'DATA_KEY');
  }
  if (env.REDIS_URL) {
    Object.assign(section('store'), { type: 'redis', redisUrl: env.REDIS_URL });
    overridden.set('store.redisUrl', 'REDIS_URL');
  }
  if (env.SMTP_URL) {
    const mail = section('mail');
    mail.smtpUrl = env.SMTP_URL;
    delete mail.outboxDir;
    overridden.set('mail.smtpUrl', 'SMTP_URL');
  }
  if (env.SIGNING_KEY) {
    try {
      config.signingKey = JSON.parse(env.SIGNING_KEY);
      overridden.set('signingKey', 'SIGNING_KEY');
    } catch {
      issues.push('SIGNING_KEY: expected a private JWK as JSON');
    }
  }
  return config;
}

/**
 * A port from the environment, in decimal digits only: `Number()` would also take `" 80"`,
 * `"1e3"` and `"0x10"`, and the gateway would listen on a port nobody wrote.
 */
function portFrom(env: NodeJS.ProcessEnv, name: string, issues: string[]): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (port >= 0 && port <= 65535) return port;
  issues.push(`${name}: expected an integer 0–65535`);
  return undefined;
}

/**
 * JSON.parse's complaint as one line, by line and column, without the excerpt of the file V8
 * quotes for an unexpected token: the file holds secrets, and the excerpt spans line breaks.
 */
function jsonProblem(text: string, error: Error): string {
  const at = /^(.*) in JSON at position (\d+)/.exec(error.message);
  if (at?.[1] && at[2]) {
    const before = text.slice(0, Number(at[2])).split('\n');
    return `${at[1]} at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
  }
  const token = /^(Unexpected token '.+?')/.exec(error.message)?.[1];
  return token ?? error.message.split('\n')[0] ?? 'unreadable';
}
