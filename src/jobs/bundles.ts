/**
 * The in-cluster runners (the smoke test, the collections reconciler), each bundled into one
 * Brotli-compressed file by `npm run build` (scripts/bundle-smoke.mjs) and shipped in a ConfigMap, so their
 * Jobs run on a stock `node` image with nothing to download.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Package root: two levels up from src/jobs or lib/jobs, one from lib/ (this module inside the CLI bundle, lib/cli.cjs). */
const ROOT = basename(__dirname) === 'jobs' ? join(__dirname, '..', '..') : join(__dirname, '..');

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
 * Where a runner's compressed bytes come from: the path of a mounted file (a Job's ConfigMap), or the bytes
 * themselves as base64 text inside the program (a container that can mount no file: a read-only Compose
 * service cannot take a `configs` file with inline content, nor Docker an upload into a read-only root).
 */
export type BundleSource = string | { readonly base64: string };

/** Extras of {@link bootstrap}. */
export interface BootstrapOptions {
  /** Text files the program writes (under the writable /tmp) before the runner starts: path → content. */
  readonly files?: Readonly<Record<string, string>>;
}

/**
 * `node -e` program of a Job: unpack the runner into /tmp (an emptyDir or tmpfs under the read-only root) and
 * call its exported `entry(process.env)`, whose promise is the exit code.
 */
export function bootstrap(bundle: BundleSource, unpackTo: string, entry: string, options: BootstrapOptions = {}): string {
  const compressed = typeof bundle === 'string' ? `fs.readFileSync(${JSON.stringify(bundle)})` : `Buffer.from(${JSON.stringify(bundle.base64)}, 'base64')`;
  return [
    "const fs = require('node:fs');",
    ...Object.entries(options.files ?? {}).map(([path, text]) => `fs.writeFileSync(${JSON.stringify(path)}, ${JSON.stringify(text)});`),
    `fs.writeFileSync(${JSON.stringify(unpackTo)}, require('node:zlib').brotliDecompressSync(${compressed}));`,
    `require(${JSON.stringify(unpackTo)}).${entry}(process.env).then((code) => { process.exitCode = code; });`,
  ].join('\n');
}
