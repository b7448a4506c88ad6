import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError, ConfigProblem, formatPath, toProblems } from './errors';
import { environmentModel, rawEnvironments, withProfile } from './profiles';
import { environmentNameProblem, StackConfig, stackSchema } from './schema';
import { configWarnings } from './warnings';
import { objectName } from '../naming';

/** A validated model and every environment it declares, each with profile and overrides applied. */
export interface ResolvedStack {
  readonly base: StackConfig;
  readonly environments: ReadonlyMap<string, StackConfig>;
  /** What is valid but probably not meant (e.g. one copy of each shard in a cluster): printed, not fatal. */
  readonly warnings: readonly ConfigProblem[];
}

function validate(model: unknown): { data?: StackConfig; problems: ConfigProblem[] } {
  const result = stackSchema.safeParse(model, { reportInput: true });
  return result.success ? { data: result.data, problems: [] } : { problems: toProblems(result.error.issues, stackSchema) };
}

/**
 * Validates a stack model (from YAML or TypeScript) and each of its environments, applying profiles and
 * defaults; throws ConfigError with every problem of them all. An environment's problems are reported
 * under `environments.<name>.` unless the base model has the same problem already.
 */
export function resolveStack(input: unknown, source?: string): ResolvedStack {
  const raw = (input ?? {}) as Record<string, unknown>;
  const base = validate(typeof raw === 'object' && !Array.isArray(raw) ? withProfile(raw) : raw);
  const problems = [...base.problems];
  const seen = new Set(base.problems.map((p) => `${p.path}\n${p.message}`));
  const environments = new Map<string, StackConfig>();
  for (const [name, overrides] of rawEnvironments(raw)) {
    const badName = environmentNameProblem(name);
    if (badName) {
      problems.push({ path: formatPath(['environments', name]), message: badName });
      continue;
    }
    if ('environments' in overrides) {
      problems.push({ path: `environments.${name}.environments`, message: 'environments cannot be nested' });
      continue;
    }
    const { environments: _none, ...model } = environmentModel(raw, name);
    // An environment without a namespace of its own gets <namespace>-<environment>, never the base's.
    if (!('namespace' in overrides)) model.namespace = objectName('Namespace', baseNamespace(raw), name);
    const env = validate(model);
    for (const p of env.problems) if (!seen.has(`${p.path}\n${p.message}`)) problems.push({ path: `environments.${name}.${p.path}`, message: p.message });
    if (env.data) environments.set(name, env.data);
  }
  problems.push(...sharedNamespaces(base.data, environments));
  if (problems.length > 0) throw new ConfigError(problems, source);
  const warnings = [base.data!, ...environments.values()].flatMap((config, i) =>
    configWarnings(config).map((w) => ({ ...w, path: i === 0 ? w.path : `environments.${[...environments.keys()][i - 1]}.${w.path}` })),
  );
  return { base: base.data!, environments, warnings };
}

/** The namespace the base model renders into (its own, or the stack name), as written. */
function baseNamespace(raw: Record<string, unknown>): string {
  const pick = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return pick(raw.namespace) ?? pick(raw.name) ?? String(stackSchema.shape.name.parse(undefined));
}

/**
 * Two renders in one namespace share object names: applying one overwrites the other, and deleting one
 * (`kubectl delete -k dist/staging`) deletes the other's volumes.
 */
function sharedNamespaces(base: StackConfig | undefined, environments: ReadonlyMap<string, StackConfig>): ConfigProblem[] {
  const owner = new Map<string, string>();
  if (base) owner.set(base.namespace ?? base.name, 'the base stack');
  const problems: ConfigProblem[] = [];
  for (const [name, env] of environments) {
    const ns = env.namespace ?? env.name;
    const other = owner.get(ns);
    if (other) problems.push({ path: `environments.${name}.namespace`, message: `renders into namespace "${ns}", as ${other} does: give each environment its own (they would overwrite each other, and deleting one would delete the other's volumes)` });
    else owner.set(ns, `environments.${name}`);
  }
  return problems;
}

/** Validates a stack model and applies defaults (see resolveStack); returns the base model. */
export function resolveConfig(input: unknown, source?: string): StackConfig {
  return resolveStack(input, source).base;
}

/** The model of one environment, or the base model when `env` is undefined; an unknown name is a ConfigError. */
export function selectEnvironment(stack: ResolvedStack, env: string | undefined, source?: string): StackConfig {
  if (env === undefined) return stack.base;
  const found = stack.environments.get(env);
  if (found) return found;
  const known = [...stack.environments.keys()];
  throw new ConfigError([{ path: '--env', message: `unknown environment "${env}" (${known.length ? `defined: ${known.join(', ')}` : 'the file defines no environments'})` }], source);
}

/** Parses YAML text into a stack model; YAML syntax errors are reported with line and column. */
export function parseConfig(text: string, source?: string): StackConfig {
  return parseStack(text, source).base;
}

/**
 * Alias expansions a stack config may make: YAML anchors are handy for repeated blocks, but nested
 * aliases multiply ("billion laughs"); the yaml package refuses more than this many.
 */
export const MAX_ALIAS_COUNT = 100;

/** Parses YAML text into a model and its environments. */
export function parseStack(text: string, source?: string): ResolvedStack {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems: ConfigProblem[] = doc.errors.map((e) => ({
      path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(yaml)',
      message: e.message.split('\n')[0],
    }));
    throw new ConfigError(problems, source);
  }
  let model: unknown;
  try {
    model = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // The yaml package's ReferenceError for too many alias expansions.
    if (!(e instanceof ReferenceError) || !/alias/i.test(e.message)) throw e;
    throw new ConfigError([{ path: '(yaml)', message: `aliases expand too often (more than ${MAX_ALIAS_COUNT} expansions; nested aliases multiply): write the repeated blocks out, or alias them without nesting` }], source);
  }
  return resolveStack(model, source);
}

/** Reads and validates a stack config file (its base model). */
export function loadConfig(file: string): StackConfig {
  return loadStack(file).base;
}

/** The largest stack config read: far above any real one (a few KB), far below what strains memory. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Reads and validates a stack config file with every environment it declares. */
export function loadStack(file: string): ResolvedStack {
  return parseStack(readConfigFile(file), file);
}

/**
 * The text of a config file: a regular file of at most MAX_CONFIG_BYTES, refused before it is read
 * otherwise (/dev/zero, a pipe, a huge file). A file that grows after the check is still read only up
 * to the limit, and refused.
 */
function readConfigFile(file: string): string {
  const refuse = (message: string): never => {
    throw new ConfigError([{ path: '(file)', message }], file);
  };
  const tooLarge = (bytes: string) => `is ${bytes}, more than the ${MAX_CONFIG_BYTES / 1024 / 1024} MiB a stack config may have (is this the right file?)`;
  let fd: number | undefined;
  try {
    // Checked before opening: opening a pipe would wait for a writer.
    const stat = statSync(file);
    if (stat.isDirectory()) return refuse('is a folder, expected a YAML file');
    if (!stat.isFile()) return refuse('is not a regular file (a device, pipe or socket), expected a YAML file');
    if (stat.size > MAX_CONFIG_BYTES) return refuse(tooLarge(`${stat.size} bytes`));
    // Non-blocking, should a pipe have taken the file's place since.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return refuse('is not a regular file (a device, pipe or socket), expected a YAML file');
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_CONFIG_BYTES) return refuse(tooLarge('larger than that'));
    return buffer.subarray(0, length).toString('utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    return refuse(cannotRead(e as NodeJS.ErrnoException));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function cannotRead(e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return 'file not found (pass --config FILE, or create stack.yaml from the README)';
  if (e.code === 'EISDIR') return 'is a folder, expected a YAML file';
  return `cannot read (${e.code ?? e.message})`;
}
