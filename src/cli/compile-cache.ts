/**
 * Loads the CLI bundle (lib/cli.cjs, scripts/bundle-cli.mjs) as `require` would, with a V8 code cache: the
 * first run of a version compiles it and, at exit, saves the code V8 compiled while running (the functions
 * that ran included); later runs take that code instead of parsing and compiling ~1 MB again. Node 20 has no
 * `module.enableCompileCache` (Node 22.1+), hence this.
 *
 * The cache is a file per bundle (keyed by the hash on the bundle's first line, the Node version and the
 * platform), and one for the packages' modules (cacheModules), per command, in a folder of the user's in the
 * temporary folder, which only they may write to. Anything amiss —
 * no hash line, a folder someone else owns or may write to, a cache V8 rejects, a failed write — means no
 * cache (or a fresh one), never a failure. NODE_DISABLE_COMPILE_CACHE=1 turns it off (as in Node 22).
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

/** One module's code in a module cache file: its source's key (see sourceKey) and where its cached data lies. */
interface ModuleEntry {
  readonly key: string;
  readonly data: Buffer;
}

/**
 * A module cache file: a first line, JSON `[[filename, sourceKey, byteLength], ...]`, then each module's cached
 * data in that order. Anything amiss: empty.
 */
export function parseModuleCache(bytes: Buffer | undefined): Map<string, ModuleEntry> {
  const entries = new Map<string, ModuleEntry>();
  if (!bytes) return entries;
  try {
    const nl = bytes.indexOf(10);
    if (nl < 0) return entries;
    const index = JSON.parse(bytes.subarray(0, nl).toString('utf8')) as unknown;
    if (!Array.isArray(index)) return entries;
    let offset = nl + 1;
    for (const row of index as unknown[]) {
      if (!Array.isArray(row) || typeof row[0] !== 'string' || typeof row[1] !== 'string' || !Number.isSafeInteger(row[2]) || row[2] < 0) return new Map();
      const end = offset + (row[2] as number);
      if (end > bytes.length) return new Map();
      entries.set(row[0], { key: row[1], data: bytes.subarray(offset, end) });
      offset = end;
    }
    return offset === bytes.length ? entries : new Map();
  } catch {
    return new Map();
  }
}

/** The bytes of a module cache file holding `entries` (see parseModuleCache). */
export function formatModuleCache(entries: ReadonlyMap<string, ModuleEntry>): Buffer {
  const index = [...entries].map(([file, e]) => [file, e.key, e.data.length]);
  return Buffer.concat([Buffer.from(`${JSON.stringify(index)}\n`, 'utf8'), ...[...entries.values()].map((e) => e.data)]);
}

/**
 * The key of a module's source: its length and CRC-32 (zlib.crc32, Node 20.15+), as Node 22's own compile cache
 * checks a module's source; its SHA-1 where zlib has no crc32.
 */
function sourceKeyFunction(): (content: string) => string {
  const crc32 = (require('node:zlib') as { crc32?: (data: string) => number }).crc32;
  if (crc32) return (content) => `${content.length}:${crc32(content)}`;
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return (content) => `${content.length}:sha1:${createHash('sha1').update(content).digest('hex')}`;
}

/**
 * Compiles the CommonJS modules `require` loads from now on whose path `cached` accepts with the code cache
 * too, as Node's own loader would run them: for the packages a command loads from node_modules (their code,
 * unlike the bundle's, carries no hash). One file per variant holds the code of every such module runs loaded,
 * each under its path and the key of its source (sourceKeyFunction): one read instead of one per module (~140
 * for `synth`), and no hash of each path. A module whose source changed, or that the file lacks, is compiled
 * afresh, and the file written again at exit.
 */
export function cacheModules(variant: string, cached: (file: string) => boolean): void {
  const probe = cacheFile(`// qdrant-stack CLI bundle ${'0'.repeat(16)}\n`, variant);
  if (!probe) return;
  const file = join(dirname(probe), `modules-${variantName(variant)}-${process.version}-${process.platform}-${process.arch}.v8`);
  const previous = parseModuleCache(readOwn(file));
  const sourceKey = sourceKeyFunction();
  type Compile = (this: NodeModule, content: string, filename: string) => unknown;
  const proto = Module.prototype as unknown as { _compile: Compile };
  const original = proto._compile;
  // What this run loaded, in order: the cached data taken, or the script to take it from at exit.
  const loaded = new Map<string, { key: string; data?: Buffer; script?: Script }>();
  let stale = false;
  proto._compile = function (this: NodeModule, content: string, filename: string) {
    if (!cached(filename)) return original.call(this, content, filename);
    const key = sourceKey(content);
    const entry = previous.get(filename);
    const cachedData = entry && entry.key === key ? entry.data : undefined;
    const script = new Script(Module.wrap(content), { filename, cachedData });
    if (cachedData && !script.cachedDataRejected) loaded.set(filename, { key, data: cachedData });
    else {
      loaded.set(filename, { key, script });
      stale = true;
    }
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeModule, filename: string, dirname: string) => unknown;
    const req = ((id: string) => this.require(id)) as NodeJS.Require;
    req.resolve = ((request: string, options?: { paths?: string[] }) => (Module as unknown as { _resolveFilename(r: string, m: NodeModule, isMain: boolean, o?: unknown): string })._resolveFilename(request, this, false, options)) as NodeJS.RequireResolve;
    req.main = require.main;
    req.cache = require.cache;
    return wrapper.call(this.exports, this.exports, req, this, filename, dirname(filename));
  };
  process.once('exit', () => {
    if (!stale) return;
    try {
      const entries = new Map([...loaded].map(([f, m]) => [f, { key: m.key, data: m.data ?? m.script!.createCachedData() }]));
      // The modules of the previous file this run did not load are kept (runs of a command may load different ones).
      for (const [f, e] of previous) if (!entries.has(f)) entries.set(f, e);
      writeWhole(file, formatModuleCache(entries));
    } catch {
      // no cache written
    }
  });
}
