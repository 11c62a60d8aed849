import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_DIR, PROJECT_ROOT } from './asset-paths.js';

/** The browser entry points, each becoming `dist/web/{name}.js` served at `/static/{name}.js`. */
export const CLIENT_ENTRIES = ['widget', 'console', 'embed', 'handover'] as const;

/** Where the browser sources live. */
export const CLIENT_DIR = join(PROJECT_ROOT, 'src', 'web', 'client');

export interface BuildAssetsOptions {
  /** Minify and drop source maps. Default: `NODE_ENV === 'production'`. */
  production?: boolean;
  /** Output directory. Default `dist/web`, which the app serves under `/static`. */
  outDir?: string;
}

/**
 * Bundles the browser TypeScript (visitor widget, agent console, embed loader) with esbuild.
 * Each entry is one self-contained ES2022 file: the widget and console load as
 * `<script type="module">`, while `embed.js` is an IIFE because host pages include it with a
 * plain `<script>` tag and it must not leak globals there.
 */
export async function buildAssets(options: BuildAssetsOptions = {}): Promise<string[]> {
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const outdir = options.outDir ?? BUNDLE_DIR;
  await mkdir(outdir, { recursive: true });
  const common = {
    bundle: true,
    outdir,
    target: 'es2022',
    platform: 'browser',
    minify: production,
    sourcemap: !production,
    legalComments: 'none',
    logLevel: 'warning',
    tsconfig: join(CLIENT_DIR, 'tsconfig.json'),
  } as const;
  await Promise.all([
    build({
      ...common,
      entryPoints: [
        join(CLIENT_DIR, 'widget.ts'),
        join(CLIENT_DIR, 'console.ts'),
        join(CLIENT_DIR, 'handover.ts'),
      ],
      format: 'esm',
    }),
    build({ ...common, entryPoints: [join(CLIENT_DIR, 'embed.ts')], format: 'iife' }),
  ]);
  return CLIENT_ENTRIES.map((name) => join(outdir, `${name}.js`));
}

// `node dist/src/web/build-assets.js` (the `build` script) runs the build directly.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildAssets();
}
