/**
 * What a smoke run checks and against what. Plain data, so the CLI flags, the stack model and the
 * in-cluster runner's environment can all fill it.
 */
import { embeddingCollectionIndex, modelDimensions } from '../config/embedding';
import type { CollectionConfig, Distance, StackConfig } from '../config/schema';
import { denseVectors, embeddingVectorOf } from '../config/vectors';

/** Prefix of every temporary collection; the run never writes to or deletes anything else. */
export const TEMP_COLLECTION_PREFIX = 'qdrant-stack-smoke-';

/**
 * A collection the applications expect. With `declared` (a collection of the stack model), it is compared
 * as the collections reconciler compares it (src/collections/diff.ts); without (`--collection NAME`), only
 * size, distance and the payload indexes given are, and only when given.
 */
export interface ExpectedCollection {
  readonly name: string;
  readonly vectorSize?: number;
  readonly distance?: Distance;
  /** Named vector to check (and to query in read-only mode); the unnamed vector when left out. */
  readonly vectorName?: string;
  /** Payload indexes: field name → schema type (keyword, integer, ...); `true` accepts any type. Not with `declared`, which has its own. */
  readonly payloadIndexes?: Readonly<Record<string, string | true>>;
  /** The stack model's declaration of this collection, as validated: compared field by field, as the reconciler does. */
  readonly declared?: CollectionConfig;
  /** Qdrant peers of the stack (`qdrant.replicas`): the declared collection's default replication factor follows from it. */
  readonly peers?: number;
}

/**
 * The Job that creates and updates the declared collections in the cluster (the collections chart's):
 * what a failed or waiting schema check points to. Without it (a run by hand), the check names
 * `qdrant-stack collections apply`.
 */
export interface CollectionsJobRef {
  readonly namespace: string;
  /** Its name before the content hash (`<stack>-collections`). */
  readonly name: string;
}

/** Ollama, the embedding companion. */
export interface OllamaTarget {
  readonly url: string;
  readonly embeddingModel: string;
  /** Expected embedding dimension; the first expected collection's vectorSize when left out. */
  readonly dimension?: number;
}

/** Redis, the cache companion. The password is kept out of `url` in reports. */
export interface RedisTarget {
  readonly url: string;
  /** Used when the URL carries none (e.g. from REDIS_PASSWORD). */
  readonly password?: string;
}

/** Everything a smoke run needs. Defaults are in SMOKE_DEFAULTS. */
export interface SmokeOptions {
  readonly url: string;
  readonly apiKey?: string;
  /** Server version to expect (e.g. "1.19.0"); not compared when left out. */
  readonly expectedVersion?: string;
  readonly collections: readonly ExpectedCollection[];
  /** Size and distance of the temporary collection; from the first expected collection when left out. */
  readonly vectorSize?: number;
  readonly distance?: Distance;
  readonly vectors: number;
  readonly queries: number;
  readonly maxP95Ms: number;
  /** Minimum recall@10 of the queried index against exact search. */
  readonly minRecall: number;
  /** Budget for the target to become reachable and ready (and for the temp collection to turn green). */
  readonly deadlineS: number;
  /** Measure latency on an existing expected collection instead of writing a temporary one. */
  readonly readOnly: boolean;
  readonly ollama?: OllamaTarget;
  readonly redis?: RedisTarget;
  /** The Job that creates the declared collections (in-cluster runs); schema messages point to it. */
  readonly collectionsJob?: CollectionsJobRef;
  /** Why a companion the stack model has is not checked (its URL was not given): the skip message. */
  readonly unchecked?: { readonly ollama?: string; readonly redis?: string };
  /** Tuning with sensible defaults: points per upsert, upserts in flight, per-request timeout. */
  readonly batchSize: number;
  readonly concurrency: number;
  readonly requestTimeoutMs: number;
  /** Queries run before timing (connection setup, caches). */
  readonly warmupQueries: number;
  /** Queries whose results are compared with exact search for recall. */
  readonly recallSample: number;
  /** Backoff of waits and retries (first delay and cap, ms); full jitter picks below it. */
  readonly backoff: { readonly baseMs: number; readonly capMs: number };
}

/** Defaults of the optional numbers (the seed's target: p95 < 50 ms over 10k vectors). */
export const SMOKE_DEFAULTS = {
  vectors: 10_000,
  queries: 200,
  maxP95Ms: 50,
  minRecall: 0.9,
  deadlineS: 120,
  readOnly: false,
  batchSize: 512,
  concurrency: 4,
  requestTimeoutMs: 30_000,
  warmupQueries: 10,
  recallSample: 20,
  backoff: { baseMs: 200, capMs: 5_000 },
} as const;

/** The temporary collection's shape when neither the options nor an expected collection give one. */
export const DEFAULT_LATENCY_SHAPE = { size: 1024, distance: 'Cosine' } as const satisfies { size: number; distance: Distance };

/** SmokeOptions as a caller writes them: only `url` is required. */
export type SmokeInput = Partial<SmokeOptions> & Pick<SmokeOptions, 'url'>;

/** Options with every default applied. */
export function withDefaults(options: SmokeInput): SmokeOptions {
  // Keys given as undefined (an absent CLI flag) must not hide a default.
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<SmokeOptions>;
  return { ...SMOKE_DEFAULTS, collections: [], ...defined, url: options.url };
}

/** What a stack model says about Ollama; its URL is where the model was deployed, so the caller adds it. */
export type OllamaExpectation = Omit<OllamaTarget, 'url'>;

/**
 * What a stack model lets a smoke run expect. Plain JSON: the smoke chart renders it into the Job's
 * ConfigMap (expectations.json), so the in-cluster runner needs neither the model nor its validation.
 */
export interface SmokeExpectations {
  readonly expectedVersion?: string;
  readonly collections: readonly ExpectedCollection[];
  readonly ollama?: OllamaExpectation;
  /** In the cluster: the Job that creates the declared collections (the smoke chart adds it). */
  readonly collectionsJob?: CollectionsJobRef;
}

/**
 * The expectations a stack model implies: its collections, each with its declaration (the embedding
 * collection first, so the embedding dimension is compared with it), its Qdrant version, and Ollama's
 * model and dimension.
 */
export function expectationsFromConfig(config: StackConfig): SmokeExpectations {
  const peers = config.qdrant.replicas;
  const collections: ExpectedCollection[] = config.qdrant.collections.map((c: CollectionConfig) => {
    // The vector the embeddings go to (or the first dense one): the embedding dimension and the
    // temporary collection follow it, and a read-only run queries it.
    const vector = embeddingVectorOf(c) ?? denseVectors(c)[0];
    return {
      name: c.name,
      ...(vector ? { vectorSize: vector.size, distance: vector.distance, ...(vector.name ? { vectorName: vector.name } : {}) } : {}),
      declared: c,
      peers,
    };
  });
  const embeddingIndex = embeddingCollectionIndex(config);
  if (embeddingIndex !== undefined) collections.unshift(...collections.splice(embeddingIndex, 1));
  const ollama = config.ollama.enabled ? { embeddingModel: config.ollama.embeddingModel, dimension: modelDimensions(config) } : undefined;
  return { expectedVersion: config.qdrant.version, collections, ollama };
}

/** Size and distance of the temporary collection. */
export function latencyShape(options: SmokeOptions): { size: number; distance: Distance } {
  const first = options.collections[0];
  return {
    size: options.vectorSize ?? first?.vectorSize ?? DEFAULT_LATENCY_SHAPE.size,
    distance: options.distance ?? first?.distance ?? DEFAULT_LATENCY_SHAPE.distance,
  };
}
