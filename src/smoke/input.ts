/**
 * From settings to a smoke run's input, without commander, zod or yaml: value parsers (shared with the
 * CLI's flags), the settings of the in-cluster runner read from its environment, the rendered
 * expectations file, and the rules that combine them (shared with `qdrant-stack smoke`).
 */
import type { Distance } from '../config/schema';
import type { ExpectedCollection, SmokeExpectations, SmokeInput } from './options';

/** Bad input: the CLI reports it as a usage error, the runner exits 2 with the message. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Qdrant's distances (the model's `distanceSchema` holds the same list; a test keeps them equal). */
export const DISTANCES = ['Cosine', 'Dot', 'Euclid', 'Manhattan'] as const satisfies readonly Distance[];

/**
 * Upper bounds of the run's numbers: the stack model's (`smoke.vectors`, `smoke.queries`, a collection's
 * `vectorSize`; a test keeps them equal). Beyond them a run would exhaust the heap or Qdrant.
 */
export const SMOKE_LIMITS = { vectors: 1_000_000, queries: 100_000, vectorSize: 65_536 } as const;

/** Value parsers: each returns the parsed value or throws a UsageError saying what was expected. */
export const parse = {
  int: (what: string, max: number) => (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new UsageError(`expected ${what}, a positive integer up to ${max}`);
    return Number(v);
  },
  positive: (what: string) => (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`expected ${what}, a positive number`);
    return n;
  },
  ratio: (v: string): number => {
    const n = Number(v);
    if (!(n >= 0 && n <= 1) || v.trim() === '') throw new UsageError('expected a number between 0 and 1');
    return n;
  },
  url: (schemes: readonly string[]) => (v: string): string => {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      throw new UsageError(`expected a URL such as ${schemes[0]}//host:port`);
    }
    if (!schemes.includes(u.protocol)) throw new UsageError(`expected a ${schemes.join(' or ')} URL, got ${u.protocol}`);
    return v;
  },
  choice: <T extends string>(choices: readonly T[]) => (v: string): T => {
    if (!(choices as readonly string[]).includes(v)) throw new UsageError(`expected one of ${choices.join(', ')}, got "${v}"`);
    return v as T;
  },
};

/** The settings of a run, from flags or from the environment (defaults not yet applied). */
export interface SmokeSettings {
  url: string;
  apiKey?: string;
  expectVersion?: string;
  collection?: string;
  vectorSize?: number;
  distance?: string;
  vectors?: number;
  queries?: number;
  maxP95Ms?: number;
  minRecall?: number;
  deadlineS?: number;
  readOnly?: boolean;
  ollamaUrl?: string;
  embeddingModel?: string;
  redisUrl?: string;
}

/**
 * Why companions of the stack model go unchecked when their URL is not given: a message per companion
 * (the CLI's, naming the flag to add). Without one, a model with Ollama and no Ollama URL is a usage
 * error (the in-cluster runner always has the URLs).
 */
export interface UncheckedCompanions {
  readonly ollama?: string;
  readonly redis?: string;
}

/**
 * Combines settings with the expectations of a stack model (from --config or the rendered
 * expectations.json): a --collection refines or adds an expected collection; the model names the
 * embedding model, so only Ollama's URL must be given. Throws UsageError for inconsistent combinations.
 */
export function buildInput(settings: SmokeSettings, expectations: SmokeExpectations | undefined, redisPassword: string | undefined, unchecked: UncheckedCompanions = {}): SmokeInput {
  const fromModel: SmokeExpectations = expectations ?? { collections: [] };
  const collections: ExpectedCollection[] = [...fromModel.collections];
  if (settings.collection) {
    const given = { name: settings.collection, vectorSize: settings.vectorSize, distance: settings.distance as ExpectedCollection['distance'] };
    const i = collections.findIndex((c) => c.name === settings.collection);
    if (i >= 0) {
      const model = collections[i];
      // A declared collection is compared with its whole declaration: a flag may repeat it, not contradict it.
      if (model.declared) {
        for (const [flag, key] of [['--vector-size', 'vectorSize'], ['--distance', 'distance']] as const) {
          if (given[key] !== undefined && model[key] !== undefined && given[key] !== model[key]) {
            throw new UsageError(
              `${flag} ${given[key]} contradicts the stack model, which declares collection "${model.name}"${model.vectorName ? ` (vector "${model.vectorName}")` : ''} with ${model[key]}: leave the flag out, or --config out to check size and distance only`,
            );
          }
        }
      }
      collections[i] = { ...model, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
    } else collections.unshift(given);
  }
  const embeddingModel = settings.embeddingModel ?? fromModel.ollama?.embeddingModel;
  const ollamaUnchecked = !settings.ollamaUrl && !settings.embeddingModel && embeddingModel && unchecked.ollama ? unchecked.ollama : undefined;
  if (!ollamaUnchecked && (!!settings.ollamaUrl !== !!embeddingModel || (settings.embeddingModel && !settings.ollamaUrl))) {
    throw new UsageError('--ollama-url and --embedding-model go together: give both (or OLLAMA_URL and OLLAMA_EMBEDDING_MODEL; with --config only the URL)');
  }
  if (settings.readOnly && collections.length === 0) throw new UsageError('--read-only measures an expected collection: give --collection NAME or --config FILE');
  const notChecked = { ollama: ollamaUnchecked, redis: settings.redisUrl ? undefined : unchecked.redis };
  return {
    url: settings.url,
    apiKey: settings.apiKey || undefined,
    expectedVersion: settings.expectVersion ?? fromModel.expectedVersion,
    collections,
    vectorSize: settings.vectorSize,
    distance: settings.distance as SmokeInput['distance'],
    vectors: settings.vectors,
    queries: settings.queries,
    maxP95Ms: settings.maxP95Ms,
    minRecall: settings.minRecall,
    deadlineS: settings.deadlineS,
    readOnly: !!settings.readOnly,
    ollama: settings.ollamaUrl && embeddingModel
      ? { url: settings.ollamaUrl, embeddingModel, dimension: settings.embeddingModel ? undefined : fromModel.ollama?.dimension }
      : undefined,
    redis: settings.redisUrl ? { url: settings.redisUrl, password: redisPassword || undefined } : undefined,
    ...(fromModel.collectionsJob ? { collectionsJob: fromModel.collectionsJob } : {}),
    ...(notChecked.ollama || notChecked.redis ? { unchecked: notChecked } : {}),
  };
}

/**
 * The runner's settings from its environment: the variables `qdrant-stack smoke --help` lists for each
 * flag (QDRANT_URL, QDRANT_API_KEY, SMOKE_VECTORS, OLLAMA_URL, REDIS_URL, ...). Empty values count as unset,
 * except SMOKE_READ_ONLY, which (as for the CLI) is on whenever it is set.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv): SmokeSettings {
  const read = <T>(name: string, parser: (v: string) => T): T | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    try {
      return parser(v);
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${name}: ${e.message}`);
      throw e;
    }
  };
  const text = (v: string) => v;
  const url = read('QDRANT_URL', parse.url(['http:', 'https:']));
  if (!url) throw new UsageError('QDRANT_URL is required (the Qdrant REST URL, e.g. http://qdrant:6333)');
  return {
    url,
    apiKey: read('QDRANT_API_KEY', text),
    expectVersion: read('SMOKE_EXPECT_VERSION', text),
    collection: read('SMOKE_COLLECTION', text),
    vectorSize: read('SMOKE_VECTOR_SIZE', parse.int('a vector size', SMOKE_LIMITS.vectorSize)),
    distance: read('SMOKE_DISTANCE', parse.choice(DISTANCES)),
    vectors: read('SMOKE_VECTORS', parse.int('a number of vectors', SMOKE_LIMITS.vectors)),
    queries: read('SMOKE_QUERIES', parse.int('a number of queries', SMOKE_LIMITS.queries)),
    maxP95Ms: read('SMOKE_MAX_P95_MS', parse.positive('milliseconds')),
    minRecall: read('SMOKE_MIN_RECALL', parse.ratio),
    deadlineS: read('SMOKE_DEADLINE_S', parse.positive('seconds')),
    readOnly: env.SMOKE_READ_ONLY !== undefined,
    ollamaUrl: read('OLLAMA_URL', parse.url(['http:', 'https:'])),
    embeddingModel: read('OLLAMA_EMBEDDING_MODEL', text),
    redisUrl: read('REDIS_URL', parse.url(['redis:', 'rediss:'])),
  };
}

/**
 * Reads the expectations file the smoke chart renders (`expectationsFromConfig` as JSON). It is our
 * own output, so a light check of its shape is enough: a wrong file fails here, naming what is off.
 */
export function parseExpectations(text: string, where: string): SmokeExpectations {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${where}: not JSON (${(e as Error).message})`);
  }
  const bad = (what: string): never => {
    throw new UsageError(`${where}: ${what} (expected the expectations the smoke chart renders)`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const optional = (v: unknown, type: string, what: string) => {
    if (v !== undefined && typeof v !== type) bad(`${what} must be a ${type}`);
  };
  if (!isObject(data)) return bad('not an object');
  optional(data.expectedVersion, 'string', 'expectedVersion');
  if (!Array.isArray(data.collections)) return bad('collections must be a list');
  data.collections.forEach((c: unknown, i: number) => {
    const what = `collections[${i}]`;
    if (!isObject(c) || typeof c.name !== 'string' || c.name === '') return bad(`${what} needs a name`);
    optional(c.vectorSize, 'number', `${what}.vectorSize`);
    if (c.distance !== undefined && !(DISTANCES as readonly unknown[]).includes(c.distance)) bad(`${what}.distance must be one of ${DISTANCES.join(', ')}`);
    optional(c.vectorName, 'string', `${what}.vectorName`);
    if (c.payloadIndexes !== undefined && !isObject(c.payloadIndexes)) bad(`${what}.payloadIndexes must be an object`);
    // The declaration was validated by the model when the chart rendered it; here only that it is one.
    if (c.declared !== undefined) {
      if (!isObject(c.declared) || c.declared.name !== c.name) bad(`${what}.declared must be the model's declaration of "${c.name}"`);
      const d = c.declared as Record<string, unknown>;
      if (!isObject(d.vectors) && typeof d.vectorSize !== 'number') bad(`${what}.declared needs vectors or a vectorSize`);
    }
    if (c.peers !== undefined && !(Number.isInteger(c.peers) && (c.peers as number) >= 1)) bad(`${what}.peers must be a positive whole number`);
  });
  if (data.collectionsJob !== undefined) {
    const job = data.collectionsJob;
    if (!isObject(job) || typeof job.namespace !== 'string' || typeof job.name !== 'string') bad('collectionsJob must be { namespace, name }');
  }
  if (data.ollama !== undefined) {
    if (!isObject(data.ollama) || typeof data.ollama.embeddingModel !== 'string') return bad('ollama needs an embeddingModel');
    optional(data.ollama.dimension, 'number', 'ollama.dimension');
  }
  return data as unknown as SmokeExpectations;
}
