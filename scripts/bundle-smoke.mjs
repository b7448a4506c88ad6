// Bundles the in-cluster smoke runner (src/smoke/runner.ts and everything it imports) into one
// Brotli-compressed file, lib/smoke-runner.js.br, which the smoke Job runs on a stock node image from its
// ConfigMap. The ConfigMap must stay far below the 262,144 bytes of annotations a client-side
// `kubectl apply` writes (the whole object goes into last-applied-configuration), so:
// - the runner is the slim entry (no commander, zod, yaml, xmlbuilder2, cli-progress);
// - the Qdrant client's undici Agent (its only use of undici, ~415 KB minified) is replaced by "no
//   dispatcher": Node's own fetch then uses its global dispatcher, which is what fetch does anyway.
//   Timeouts stay the client's (an AbortSignal per request);
// - @opentelemetry/api stays out: @redis/client requires it only inside OpenTelemetry.init(), never called;
// - Brotli at quality 11 (node:zlib, built into every Node) is ~20% smaller than gzip -9.
// Deterministic: the same sources give the same bytes (relative paths, no timestamps).
// `node scripts/bundle-smoke.mjs` writes the file; bench/runner-size.ts imports buildSmokeRunner().
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ENTRY = 'src/smoke/runner.ts';
export const OUT = join(ROOT, 'lib', 'smoke-runner.js.br');

/** esbuild plugin: the Qdrant client's `./dispatcher.js` (an undici Agent) becomes `() => undefined`. */
function noUndiciAgent(state) {
  return {
    name: 'qdrant-client-without-undici-agent',
    setup(b) {
      b.onResolve({ filter: /^\.\/dispatcher\.js$/ }, (args) => {
        if (!/[\\/]@qdrant[\\/]js-client-rest[\\/]/.test(args.importer)) return undefined;
        state.replaced++;
        return { path: 'qdrant-client-dispatcher', namespace: 'smoke-shim' };
      });
      b.onLoad({ filter: /.*/, namespace: 'smoke-shim' }, () => ({
        contents: '// Node\'s fetch with no dispatcher uses its global one.\nexport const createDispatcher = () => undefined;\n',
        loader: 'js',
      }));
    },
  };
}

/** Brotli, quality 11: deterministic for the same input. */
export function compress(js) {
  return brotliCompressSync(js, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_SIZE_HINT]: js.length,
    },
  });
}

/**
 * Builds the runner: `{ js, compressed, metafile }`. Fails when the client no longer imports its
 * dispatcher the way the plugin expects, or when undici ends up in the bundle anyway.
 */
export async function buildSmokeRunner() {
  const state = { replaced: 0 };
  const result = await build({
    entryPoints: [ENTRY],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@opentelemetry/api'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    metafile: true,
    write: false,
    logLevel: 'warning',
    plugins: [noUndiciAgent(state)],
  });
  const inputs = Object.keys(result.metafile.inputs);
  if (state.replaced !== 1) throw new Error(`bundle-smoke: expected to replace the Qdrant client's ./dispatcher.js once, replaced it ${state.replaced} times: check @qdrant/js-client-rest's layout`);
  const undici = inputs.filter((p) => /node_modules[\\/]undici[\\/]/.test(p));
  if (undici.length) throw new Error(`bundle-smoke: undici is in the runner bundle again (imported by ${undici[0]}...)`);
  const js = result.outputFiles[0].contents;
  return { js, compressed: compress(js), metafile: result.metafile };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { compressed } = await buildSmokeRunner();
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, compressed);
}
