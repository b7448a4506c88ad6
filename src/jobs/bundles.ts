/**
 * The in-cluster runners (the smoke test, the collections reconciler), each bundled into one
 * Brotli-compressed file by `npm run build` (scripts/bundle-smoke.mjs) and shipped in a ConfigMap, so their
 * Jobs run on a stock `node` image with nothing to download.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Package root: two levels up from src/jobs or lib/jobs. */
const ROOT = join(__dirname, '..', '..');

/** Where `npm run build` puts the runner `name` (e.g. `collections-runner`). */
export function bundlePath(name: string): string {
  return join(ROOT, 'lib', `${name}.js.br`);
}

/** The compressed runner; throws with what to do when it has not been built. */
export function readBundle(name: string): Buffer {
  const path = bundlePath(name);
  if (!existsSync(path)) throw new Error(`the runner bundle ${path} is missing: run \`npm run build\` (npm ci does it too)`);
  return readFileSync(path);
}

/**
 * `node -e` program of a Job: unpack the runner into /tmp (an emptyDir under the read-only root) and call
 * its exported `entry(process.env)`, whose promise is the exit code.
 */
export function bootstrap(bundle: string, unpackTo: string, entry: string): string {
  return [
    "const fs = require('node:fs');",
    `fs.writeFileSync(${JSON.stringify(unpackTo)}, require('node:zlib').brotliDecompressSync(fs.readFileSync(${JSON.stringify(bundle)})));`,
    `require(${JSON.stringify(unpackTo)}).${entry}(process.env).then((code) => { process.exitCode = code; });`,
  ].join('\n');
}
