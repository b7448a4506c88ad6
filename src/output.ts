/**
 * Where qdrant-stack writes, and how, so that a careless `--out` never costs anyone data:
 * - an output folder is replaced only when it is missing, empty, or holds nothing but what qdrant-stack
 *   wrote there: the names listed in its marker file (MARKER_FILE), or, in a folder without one (a render
 *   from before markers), only names qdrant-stack writes. Anything else is refused unless `--force`;
 * - never replaced, even with `--force`: a folder holding the config, the current folder or one of its
 *   parents, the home folder;
 * - never written: the config file, a `.env` (the real secrets), a special file (device, FIFO, socket), a
 *   folder where a file is expected. Symlinks are resolved: the target is written, the link kept;
 * - folders are rendered into a temporary sibling and swapped in with renames, files are written through
 *   write-file-atomic; temporary paths are removed on every exit path, SIGINT/SIGTERM included (signal-exit).
 * Refusals are OutputErrors (exit 2), listing every problem at once, found before any work is done.
 */
import { accessSync, chmodSync, constants, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, Stats, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { onExit } from 'signal-exit';
import writeFileAtomic from 'write-file-atomic';

/** The marker in every rendered folder: the names qdrant-stack wrote there, one a line, folders with a trailing `/`. */
export const MARKER_FILE = '.qdrant-stack-files';

const MARKER_HEADER = [
  '# Written by qdrant-stack: what it rendered into this folder. `qdrant-stack synth` replaces these and refuses',
  '# to replace the folder while it holds anything else (unless --force). Do not edit.',
];

/** A refused output path (exit 2): each problem names the path, what is wrong and what to do. */
export class OutputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'OutputError';
  }
}

/** Throws an OutputError carrying `problems`, if there are any. */
export function refuseIfAny(problems: readonly string[]): void {
  if (problems.length) throw new OutputError(problems);
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code;
const statOf = (path: string): Stats | undefined => (existsSync(path) ? statSync(path) : undefined);
const isWithin = (path: string, folder: string) => !relative(folder, path).startsWith('..') && !relative(folder, path).startsWith(sep);
const kindOf = (s: Stats) => (s.isDirectory() ? 'a folder' : s.isFile() ? 'a file' : 'a special file (device, FIFO or socket)');

function realPathIfExists(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** `path` absolute, with every symlink resolved, its own and its parents', whether or not it exists yet. */
export function resolveLinks(path: string, hops = 0): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
  }
  if (lstatOf(abs)?.isSymbolicLink()) {
    // A symlink to something that does not exist yet: follow it by hand.
    if (hops > 32) throw Object.assign(new Error(`${path}: too many levels of symbolic links`), { code: 'ELOOP', path });
    return resolveLinks(resolve(dirname(abs), readlinkSync(abs)), hops + 1);
  }
  const parent = dirname(abs);
  return parent === abs ? abs : join(resolveLinks(parent, hops), basename(abs));
}

function lstatOf(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Resolves `path` for the problem messages of `where`: the real path, or a problem. */
function resolveFor(where: string, flag: string, path: string): { real?: string; problem?: string } {
  try {
    return { real: resolveLinks(path) };
  } catch (e) {
    if (errno(e) === 'ENOTDIR') return { problem: `${where}: ${nearestExisting(dirname(resolve(path)))} is a file, not a folder (move it away, or choose another ${flag})` };
    if (errno(e) === 'ELOOP') return { problem: `${where}: a loop of symbolic links (choose another ${flag})` };
    throw e;
  }
}

/** The nearest existing folder at or above `path` (which need not exist). */
function nearestExisting(path: string): string {
  let folder = path;
  while (!existsSync(folder)) folder = dirname(folder);
  return folder;
}

function isWritable(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The names a marker lists, or undefined when `dir` has no marker. */
function readMarker(dir: string): Set<string> | undefined {
  const file = join(dir, MARKER_FILE);
  if (!lstatOf(file)?.isFile()) return undefined;
  return new Set(readFileSync(file, 'utf8').split('\n').filter((line) => line && !line.startsWith('#')));
}

/** Writes the marker of a rendered folder, listing what is in it now. Deterministic: sorted names only. */
export function writeMarker(dir: string): void {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.name !== MARKER_FILE)
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
    .sort();
  writeFileSync(join(dir, MARKER_FILE), [...MARKER_HEADER, ...names, ''].join('\n'));
}

/**
 * What in `dir` qdrant-stack did not write, as paths relative to it (folders end in `/`): what its marker
 * does not list; without a marker, files `ownName` does not accept, folders below the top level, and a
 * top-level folder holding any of those (named as a whole: `.git/`).
 */
export function foreignEntries(dir: string, ownName: (name: string) => boolean, prefix = ''): string[] {
  const marker = readMarker(dir);
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => {
      const folder = entry.isDirectory();
      if (entry.name === MARKER_FILE && !folder) return [];
      const ours = marker ? marker.has(folder ? `${entry.name}/` : entry.name) : folder ? prefix === '' : ownName(entry.name);
      if (!ours) return [`${prefix}${entry.name}${folder ? '/' : ''}`];
      if (!folder) return [];
      const inside = foreignEntries(join(dir, entry.name), ownName, `${prefix}${entry.name}/`);
      return marker || !inside.length ? inside : [`${prefix}${entry.name}/`];
    });
}

const listed = (names: readonly string[], max = 10) => names.slice(0, max).join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');
const notAFolder = (where: string, stat: Stats) => `${where}: is ${kindOf(stat)}, not a folder (expected a folder qdrant-stack may replace, e.g. dist)`;
const foreignProblem = (where: string, flag: string, foreign: readonly string[]) =>
  `${where}: holds files qdrant-stack did not write: ${listed(foreign)} (move them away, choose another ${flag}, or pass --force)`;

/** Why `real` may never be replaced as a whole, even with --force; undefined when it may. */
function protectedFolder(real: string, config: string | undefined): string | undefined {
  const cwd = realPathIfExists(process.cwd()) ?? process.cwd();
  const configReal = config === undefined ? undefined : realPathIfExists(config);
  if (configReal && isWithin(configReal, real)) return `holds the config file ${config}`;
  if (real === cwd) return 'is the current folder';
  if (isWithin(cwd, real)) return 'is a parent of the current folder';
  if (real === realPathIfExists(homedir())) return 'is your home folder';
  return undefined;
}

/** The folders of a tree, itself included. */
const foldersOf = (dir: string): string[] => [dir, ...readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => foldersOf(join(dir, e.name)))];

export interface FolderOptions {
  /** The option that named the folder, for messages: `--out`. */
  readonly flag: string;
  /** The config file: a folder holding it is never replaced. */
  readonly config?: string;
  /** Replace a folder even when it holds files qdrant-stack did not write. */
  readonly force?: boolean;
  /** Names qdrant-stack writes into a folder: without a marker, a folder holding only these is its own. */
  readonly ownName: (name: string) => boolean;
}

/** Everything that forbids replacing the folder `path` with a render; empty when it may be replaced. */
export function outputFolderProblems(path: string, { flag, config, force = false, ownName }: FolderOptions): string[] {
  if (path === '') return [`${flag}: empty path (expected a folder, e.g. dist)`];
  const where = `${flag} ${path}`;
  const { real, problem } = resolveFor(where, flag, path);
  if (!real) return [problem!];
  const stat = statOf(real);
  if (stat && !stat.isDirectory()) return [notAFolder(where, stat)];
  const refusal = protectedFolder(real, config);
  if (refusal) return [`${where}: ${refusal}; qdrant-stack replaces the whole folder, so it never renders there, not even with --force (choose a folder of its own, e.g. dist)`];
  const problems: string[] = [];
  const parent = nearestExisting(dirname(real));
  if (!statSync(parent).isDirectory()) return [`${where}: ${parent} is a file, not a folder (move it away, or choose another ${flag})`];
  if (!isWritable(parent)) problems.push(`${where}: the folder ${parent} is not writable, and the render is staged there (fix its permissions, or choose another ${flag})`);
  if (!stat) return problems;
  const foreign = foreignEntries(real, ownName);
  if (foreign.length && !force) problems.push(foreignProblem(where, flag, foreign));
  else {
    const readOnly = foldersOf(real).filter((f) => !isWritable(f));
    if (readOnly.length) problems.push(`${where}: cannot replace it, read-only: ${listed(readOnly.map((f) => relative(real, f) || '.'))} (fix the permissions, or choose another ${flag})`);
  }
  return problems;
}

/** Undo actions run on any exit (signal-exit: normal exit, uncaught error, SIGINT, SIGTERM, ...). */
const onExitUndo = new Set<() => void>();
let exitHook: (() => void) | undefined;

/**
 * Runs `undo` if the process ends before the returned function is called (which also runs it). Once
 * installed, the hook stays: a signal that arrives during synchronous work is handled right after it,
 * by signal-exit, which runs what is still registered and then ends the process with that signal.
 */
export function cleanUpOnExit(undo: () => void): () => void {
  exitHook ??= onExit(() => {
    for (const u of onExitUndo) {
      try {
        u();
      } catch {
        // best effort: the process is ending
      }
    }
  });
  onExitUndo.add(undo);
  return () => {
    onExitUndo.delete(undo);
    undo();
  };
}

/**
 * Replaces the folder `path` with what `fill` writes into an empty folder: rendered into a temporary
 * sibling, then swapped in by renames, so `path` is always either the old folder or the new one. The
 * ownership rule (see outputFolderProblems) is checked again here, for callers of the library.
 */
export function replaceFolder(path: string, fill: (dir: string) => void, { flag = 'output folder', force = false, ownName }: Omit<FolderOptions, 'flag' | 'config'> & { flag?: string }): void {
  if (path === '') throw new OutputError([`${flag}: empty path (expected a folder, e.g. dist)`]);
  const target = resolveLinks(path);
  const stat = statOf(target);
  if (stat && !stat.isDirectory()) throw new OutputError([notAFolder(`${flag} ${path}`, stat)]);
  const foreign = stat && !force ? foreignEntries(target, ownName) : [];
  if (foreign.length) throw new OutputError([foreignProblem(`${flag} ${path}`, flag, foreign)]);

  const createdParent = mkdirSync(dirname(target), { recursive: true });
  let staging: string | undefined;
  let old: string | undefined;
  const done = cleanUpOnExit(() => {
    if (staging) rmSync(staging, { recursive: true, force: true });
    if (old && existsSync(old)) {
      if (existsSync(target)) rmSync(old, { recursive: true, force: true });
      else renameSync(old, target); // interrupted between the two renames: put the old folder back
    }
    if (createdParent && !existsSync(target)) rmSync(createdParent, { recursive: true, force: true });
  });
  try {
    staging = mkdtempSync(join(dirname(target), `.tmp-${basename(target)}-`));
    fill(staging);
    chmodSync(staging, 0o755); // mkdtemp makes it private; the output is for everyone
    if (stat) {
      old = `${staging}.old`;
      renameSync(target, old);
    }
    renameSync(staging, target);
    staging = undefined;
  } finally {
    done();
  }
}

export interface FileOptions {
  /** The option that named the file, for messages: `--out`. */
  readonly flag: string;
  /** How messages name the file, when not `<flag> <path>`: a file written beside another. */
  readonly label?: string;
  /** Files never written over: the config. */
  readonly protect?: readonly (string | undefined)[];
  /** An example name for messages: `docker-compose.yml`. */
  readonly example: string;
  /** Whether a missing parent folder is created (or must exist). */
  readonly createFolders?: boolean;
  /** When set, an existing file is replaced only if this accepts its text (or with `force`). */
  readonly ours?: (existing: string) => boolean;
  readonly force?: boolean;
}

/** Everything that forbids writing the file `path`; empty when it may be written. */
export function outputFileProblems(path: string, { flag, label, protect = [], example, createFolders = false, ours, force = false }: FileOptions): string[] {
  if (path === '') return [`${flag}: empty path (expected a file, e.g. ${example})`];
  const where = label ?? `${flag} ${path}`;
  const { real, problem } = resolveFor(where, flag, path);
  if (!real) return [problem!];
  const through = real === resolve(path) ? '' : ` (a symlink to ${real})`;
  if (basename(real) === '.env' || basename(path) === '.env') return [`${where}${through}: is a .env file, where the real secrets live; qdrant-stack never writes one (choose another ${flag})`];
  const config = protect.find((p) => p !== undefined && realPathIfExists(p) === real);
  if (config) return [`${where}${through}: is the config file ${config}; qdrant-stack never writes over it (choose another ${flag}, e.g. ${example})`];
  const stat = statOf(real);
  if (stat && !stat.isFile()) return [`${where}${through}: is ${kindOf(stat)}, not a regular file (expected a file path, e.g. ${example})`];
  const folder = createFolders ? nearestExisting(dirname(real)) : dirname(real);
  if (!existsSync(folder)) return [`${where}: the folder ${dirname(path) || '.'} does not exist (create it, or choose another ${flag})`];
  if (!statSync(folder).isDirectory()) return [`${where}: ${folder} is a file, not a folder (move it away, or choose another ${flag})`];
  if (!isWritable(folder)) return [`${where}: the folder ${folder} is not writable (fix its permissions, or choose another ${flag})`];
  if (stat && ours && !force && !ours(readFileSync(real, 'utf8'))) return [`${where}${through}: exists and was not written by qdrant-stack, or was edited since (move it away, choose another ${flag}, or pass --force)`];
  return [];
}

/**
 * Writes `text` to `path` (its symlinks resolved) atomically: a temporary file beside it, then a rename;
 * missing parent folders are created with `createFolders` (and removed again on failure).
 */
export function writeOutputFile(path: string, text: string, { createFolders = false } = {}): void {
  const real = resolveLinks(path);
  const createdParent = createFolders ? mkdirSync(dirname(real), { recursive: true }) : undefined;
  try {
    writeFileAtomic.sync(real, text); // removes its temporary file on failure and on exit
  } catch (e) {
    if (createdParent) rmSync(createdParent, { recursive: true, force: true });
    throw e;
  }
}
