import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root, found from this module whether it runs from `src/` (tests, tsx) or
 * compiled from `dist/src/`.
 */
function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the gateway sources');
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findProjectRoot();
/** Hand-written static files (CSS). */
export const STATIC_DIR = join(PROJECT_ROOT, 'src', 'web', 'static');
/** Browser bundles built by `src/web/build-assets.ts`. */
export const BUNDLE_DIR = join(PROJECT_ROOT, 'dist', 'web');
