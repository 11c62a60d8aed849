import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../../src/web/asset-paths.js';

/**
 * Bundles TypeScript entry points to ESM JavaScript for Node (esbuild, dependencies left in
 * node_modules) into `.tmp/<folder>/`, inside the project so the code finds node_modules and the
 * project root (and its `"type": "module"`): for what must run as JavaScript (a child process, a worker thread) while the
 * suite runs the sources. Resolves with the output folder; each entry keeps its base name.
 */
export async function bundleForNode(folder: string, entryPoints: string[]): Promise<string> {
  const outdir = join(PROJECT_ROOT, '.tmp', folder);
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: entryPoints.map((path) => join(PROJECT_ROOT, path)),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  return outdir;
}
