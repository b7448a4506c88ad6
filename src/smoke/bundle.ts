/**
 * The in-cluster smoke runner (runner.ts) as one Brotli-compressed file (built by `npm run build`:
 * scripts/bundle-smoke.mjs), shipped in a ConfigMap so the Job runs it on a stock `node` image with
 * nothing to download.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Package root: two levels up from src/smoke or lib/smoke. */
const ROOT = join(__dirname, '..', '..');
export const SMOKE_BUNDLE_PATH = join(ROOT, 'lib', 'smoke-runner.js.br');

/** The compressed runner; throws with what to do when it has not been built. */
export function readSmokeBundle(): Buffer {
  if (!existsSync(SMOKE_BUNDLE_PATH)) {
    throw new Error(`the smoke runner bundle ${SMOKE_BUNDLE_PATH} is missing: run \`npm run build\` (npm ci does it too)`);
  }
  return readFileSync(SMOKE_BUNDLE_PATH);
}

/**
 * `node -e` program of the Job: unpack the runner into /tmp (an emptyDir under the read-only root) and run
 * it with the Job's environment. Exit codes are the runner's: 0 pass, 1 failed, 2 usage, 3 unreachable.
 */
export function smokeBootstrap(bundlePath: string, unpackTo: string): string {
  return [
    "const fs = require('node:fs');",
    `fs.writeFileSync(${JSON.stringify(unpackTo)}, require('node:zlib').brotliDecompressSync(fs.readFileSync(${JSON.stringify(bundlePath)})));`,
    `require(${JSON.stringify(unpackTo)}).runnerMain(process.env).then((code) => { process.exitCode = code; });`,
  ].join('\n');
}
