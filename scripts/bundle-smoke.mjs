// Bundles the in-cluster runners — the smoke test (src/smoke/runner.ts) and the collections reconciler
// (src/collections/job.ts), each with everything it imports — into one Brotli-compressed file each,
// lib/<name>.js.br, which their Jobs run on a stock node image from a ConfigMap. The ConfigMap must stay far below the 262,144 bytes of annotations a client-side
// `kubectl apply` writes (the whole object goes into last-applied-configuration), so:
// - the runner is the slim entry (no commander, zod, yaml, xmlbuilder2, cli-progress);
// - the package undici (~415 KB minified) is not bundled: its two importers, the Qdrant client's
//   ./dispatcher.js (the client's default Agent, which every smoke request replaces) and
//   src/smoke/http.ts (the Agent with maxResponseSize that bounds every answer), get the Agent class of
//   the undici inside Node's own fetch;
// - @opentelemetry/api stays out: @redis/client requires it only inside OpenTelemetry.init(), never called;
// - Brotli at quality 11 (node:zlib, built into every Node) is ~20% smaller than gzip -9.
// Deterministic: the same sources give the same bytes (relative paths, no timestamps).
// `node scripts/bundle-smoke.mjs` writes the file; bench/runner-size.ts imports buildSmokeRunner().
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The runners: entry, and who imports `undici` in it (the plugin below serves each the shim). */
export const RUNNERS = {
  'smoke-runner': { entry: 'src/smoke/runner.ts', undiciImporters: ['node_modules/@qdrant/js-client-rest/dist/esm/dispatcher.js', 'src/smoke/http.ts'] },
  'collections-runner': { entry: 'src/collections/job.ts', undiciImporters: ['node_modules/@qdrant/js-client-rest/dist/esm/dispatcher.js'] },
};
export const ENTRY = RUNNERS['smoke-runner'].entry;
export const OUT = join(ROOT, 'lib', 'smoke-runner.js.br');
export const UNDICI_IMPORTERS = RUNNERS['smoke-runner'].undiciImporters;

/**
 * `undici` as the undici inside Node's fetch. Its Agent class is that of fetch's global dispatcher, which
 * undici installs when fetch's classes load (new Headers() loads them); nothing in the runner sets another.
 */
const NODE_UNDICI = `
function nodeAgent() {
  new Headers();
  const global = globalThis[Symbol.for('undici.globalDispatcher.1')];
  if (typeof global?.constructor !== 'function') throw new Error('no undici Agent behind fetch in this Node (the runner needs Node 18 or later)');
  return global.constructor;
}
export class Agent {
  constructor(options) {
    return new (nodeAgent())(options);
  }
}
`;

/** esbuild plugin: `undici` becomes NODE_UNDICI; records who imported it. */
function undiciFromNode(state) {
  return {
    name: 'undici-from-node',
    setup(b) {
      b.onResolve({ filter: /^undici$/ }, (args) => {
        // Relative to the package (node_modules may be a link elsewhere).
        state.importers.add(relative(ROOT, args.importer).split('\\').join('/').replace(/^.*?(?=node_modules\/)/, ''));
        return { path: 'undici', namespace: 'smoke-shim' };
      });
      b.onLoad({ filter: /.*/, namespace: 'smoke-shim' }, () => ({ contents: NODE_UNDICI, loader: 'js' }));
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
 * Builds the runner: `{ js, compressed, metafile }`. Fails when undici is imported from elsewhere than
 * expected (check the shim still serves it), or when it ends up in the bundle anyway.
 */
export function buildSmokeRunner() {
  return buildRunner('smoke-runner');
}

/** Builds the runner `name` of RUNNERS. */
export async function buildRunner(name) {
  const { entry, undiciImporters } = RUNNERS[name];
  const state = { importers: new Set() };
  const result = await build({
    entryPoints: [entry],
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
    plugins: [undiciFromNode(state)],
  });
  const inputs = Object.keys(result.metafile.inputs);
  const importers = [...state.importers].sort();
  if (importers.join() !== undiciImporters.join()) throw new Error(`bundle-smoke: ${name}: expected undici to be imported by ${undiciImporters.join(' and ')}, it is by ${importers.join(', ') || 'nothing'}: check the shim serves them`);
  const undici = inputs.filter((p) => /node_modules[\\/]undici[\\/]/.test(p));
  if (undici.length) throw new Error(`bundle-smoke: ${name}: undici is in the runner bundle again (imported by ${undici[0]}...)`);
  const js = result.outputFiles[0].contents;
  return { js, compressed: compress(js), metafile: result.metafile };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(join(ROOT, 'lib'), { recursive: true });
  for (const name of Object.keys(RUNNERS)) writeFileSync(join(ROOT, 'lib', `${name}.js.br`), (await buildRunner(name)).compressed);
}
