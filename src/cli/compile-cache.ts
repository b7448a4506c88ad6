/**
 * Loads the CLI bundle (lib/cli.cjs, scripts/bundle-cli.mjs) as `require` would, with a V8 code cache: the
 * first run of a version compiles it and, at exit, saves the code V8 compiled while running (the functions
 * that ran included); later runs take that code instead of parsing and compiling ~1.6 MB again. Node 20 has no
 * `module.enableCompileCache` (Node 22.1+), hence this.
 *
 * The cache is a file per bundle and command (keyed by the hash on the bundle's first line, the command, the
 * Node version and the platform), in a folder of the user's in the temporary folder, which only they may write
 * to. The packages the CLI renders with are in the bundle (scripts/bundle-cli.mjs), so cached with it.
 * Anything amiss — no hash line, a folder someone else owns or may write to, a cache V8 rejects, a failed
 * write — means no cache (or a fresh one), never a failure. NODE_DISABLE_COMPILE_CACHE=1 turns it off (as in
 * Node 22).
 */
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** The first line of a bundle that may be cached (scripts/bundle-cli.mjs writes it). */
const HEADER = /^\/\/ qdrant-stack CLI bundle ([0-9a-f]{16,64})\n/;

/** Where the cache of this user lives, or undefined when it cannot be trusted (see the module comment). */
export function cacheFolder(root: string = tmpdir()): string | undefined {
  const uid = process.getuid?.();
  const dir = join(root, `qdrant-stack-compile-cache${uid === undefined ? '' : `-${uid}`}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    if (!stat.isDirectory()) return undefined; // a link, or a file
    if (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o022) !== 0)) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * The cache file of a bundle's source for a kind of run (`variant`, e.g. the command: each caches the code of
 * the functions it ran), or undefined (no hash line, cache off, or no trusted folder).
 */
export function cacheFile(source: string, variant: string, env: NodeJS.ProcessEnv = process.env, root?: string): string | undefined {
  const hash = HEADER.exec(source)?.[1];
  if (!hash || (env.NODE_DISABLE_COMPILE_CACHE && env.NODE_DISABLE_COMPILE_CACHE !== '0')) return undefined;
  const dir = cacheFolder(root);
  return dir && join(dir, `cli-${hash}-${variantName(variant)}-${process.version}-${process.platform}-${process.arch}.v8`);
}

/** A variant as it appears in the cache's file names. */
function variantName(variant: string): string {
  return /^[a-z][a-z0-9-]{0,39}$/.test(variant) ? variant : 'other';
}

/** The command of a command line (process.argv), as a cache variant: its first operand, or `none`. */
export function commandVariant(argv: readonly string[]): string {
  return argv.slice(2).find((a) => !a.startsWith('-')) ?? 'none';
}

/** A file's bytes when it is a regular file of this user's (see cacheFolder), else undefined. */
function readOwn(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const stat = fstatSync(fd);
    const uid = process.getuid?.();
    if (!stat.isFile() || (uid !== undefined && stat.uid !== uid)) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `data` to `file` whole or not at all (a temporary file renamed over it). */
function writeWhole(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing written
    }
  }
}

/** `require(file)` for a CommonJS file, compiled with the code cache of `variant` when it has one. */
export function requireCached(file: string, variant: string, parent?: NodeModule): unknown {
  const cached = require.cache[file];
  if (cached) return cached.exports;
  const source = readFileSync(file, 'utf8');
  const cache = cacheFile(source, variant);
  const cachedData = cache ? readOwn(cache) : undefined;
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file, parent);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  require.cache[file] = mod;
  try {
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeModule, filename: string, dirname: string) => void;
    wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
  } catch (e) {
    delete require.cache[file];
    throw e;
  }
  mod.loaded = true;
  // Saved at exit: the code of every function that ran is in it by then.
  if (cache && (!cachedData || script.cachedDataRejected)) process.once('exit', () => writeWhole(cache, script.createCachedData()));
  return mod.exports;
}
