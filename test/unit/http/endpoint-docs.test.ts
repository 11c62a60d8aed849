import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

/**
 * Every route the sources declare (`router.get('/path', …)`, `app.post(PATH, …)`,
 * `readOnlyGet(router, '/path', …)`, a path
 * built from a constant of the same file), as `GET /auth/{provider}/login`.
 */
function routedEndpoints(): Set<string> {
  const routes = new Set<string>();
  const files = readdirSync(join(ROOT, 'src'), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.parentPath.includes('/web/client'))
    .map((e) => join(e.parentPath, e.name));
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const constants = new Map(
      [...source.matchAll(/const ([A-Z_]+) = '(\/[^']*)'/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    const resolve = (text: string) =>
      text.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => constants.get(name) ?? '');
    // `router.get(PATH, …)`, `app.post(PATH, …)` and `readOnlyGet(router, PATH, …)` (a GET).
    for (const m of source.matchAll(
      /\b(?:(?:router|app)\.(get|post)\(|readOnlyGet\(\s*(?:app\.router|router),)\s*(?:'([^']+)'|`([^`]+)`|([A-Z_]+)\b)/g,
    )) {
      const path = m[2] ?? (m[3] ? resolve(m[3]) : constants.get(m[4] ?? ''));
      if (!path?.startsWith('/')) continue;
      routes.add(`${(m[1] ?? 'get').toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return routes;
}

/** Every `METHOD /path` named in the first column of the README's endpoint tables, once per row naming it. */
function documentedEndpoints(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const documented: string[] = [];
  for (const heading of ['## HTTP endpoints', '## Chat: endpoints']) {
    const start = readme.indexOf(heading);
    expect(start, heading).toBeGreaterThan(0);
    const end = readme.indexOf('\n## ', start + heading.length);
    for (const line of readme.slice(start, end).split('\n')) {
      const first = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
      for (const m of first.matchAll(/`(GET|POST) (\/[^`?\s]*)/g)) documented.push(`${m[1]} ${m[2]}`);
    }
  }
  return documented;
}

describe('the README endpoint tables', () => {
  const routed = routedEndpoints();
  const rows = documentedEndpoints();
  const documented = new Set(rows);

  it('reads both (sanity)', () => {
    expect(routed).toContain('GET /auth/{provider}/login');
    expect(routed).toContain('POST /staff/conversations/delete');
    expect(routed).toContain('GET /privacy/my-data/export');
    expect(documented).toContain('GET /healthz');
  });

  it('name each endpoint in one row only (two descriptions drift apart)', () => {
    expect(rows.filter((route, i) => rows.indexOf(route) !== i)).toEqual([]);
  });

  it('name every endpoint the gateway routes', () => {
    expect([...routed].filter((route) => !documented.has(route)).sort()).toEqual([]);
  });

  it('name no endpoint the gateway does not route (the static files and the OpenID Provider aside)', () => {
    const extra = [...documented].filter(
      (route) => !routed.has(route) && !route.startsWith('GET /static/') && !/^GET \/ws\//.test(route),
    );
    expect(extra.sort()).toEqual([]);
  });
});
