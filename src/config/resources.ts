/**
 * Requests and limits, computed from the model. Pure, so the chart, `plan` and the tests share one answer.
 */
import { QDRANT } from '../components/qdrant';
import { formatBytes, parseBytes, parseCpu } from './quantity';
import type { OllamaConfig, QdrantConfig, RedisConfig, ResourcesConfig } from './schema';
import { denseVectors } from './vectors';
import { collectionEstimate } from './collection-sizing';

export interface ResourceAmounts {
  readonly cpu: string;
  readonly memory: string;
}

export interface ComputedResources {
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
}

const MiB = 2 ** 20;

/** Below this Qdrant has no room for its own runtime, WAL buffers and the optimiser. */
export const QDRANT_MEMORY_FLOOR_BYTES = 512 * MiB;
/** Without sizing: enough for a few hundred thousand small vectors. */
export const QDRANT_DEFAULT_RESOURCES: ComputedResources = {
  requests: { cpu: '500m', memory: '1Gi' },
  limits: { cpu: '2', memory: '2Gi' },
};
/** Limits leave room for optimiser and indexing spikes above the steady-state request. */
export const QDRANT_MEMORY_LIMIT_FACTOR = 2;

/** Qdrant's capacity formula: vectors × dimensions × 4 B × 1.5, in bytes. */
export function qdrantMemoryBytes(vectors: number, dimensions: number): number {
  return vectors * dimensions * QDRANT.sizing.bytesPerDimension * QDRANT.sizing.overheadFactor;
}

/** The memory request for a sizing: the formula rounded up to whole MiB, never below the floor. */
export function qdrantMemoryRequestBytes(vectors: number, dimensions: number): number {
  return Math.max(QDRANT_MEMORY_FLOOR_BYTES, Math.ceil(qdrantMemoryBytes(vectors, dimensions) / MiB) * MiB);
}

/** Dimensions used for sizing: given, or the largest collection's vector size. */
export function sizingDimensions(qdrant: QdrantConfig): number | undefined {
  if (qdrant.sizing?.dimensions) return qdrant.sizing.dimensions;
  const sizes = qdrant.collections.flatMap((c) => denseVectors(c).map((v) => v.size));
  return sizes.length ? Math.max(...sizes) : undefined;
}

/**
 * The memory request a sizing asks for: with `sizing.dimensions`, the capacity formula over those; else the
 * sum of the collections' layouts (datatype, quantization, on-disk vectors), each at `sizing.vectors` points.
 * Whole MiB, never below the floor; undefined without sizing.
 */
export function qdrantSizedMemoryBytes(qdrant: QdrantConfig): number | undefined {
  if (!qdrant.sizing) return undefined;
  if (qdrant.sizing.dimensions || qdrant.collections.length === 0) {
    const dimensions = sizingDimensions(qdrant);
    return dimensions ? qdrantMemoryRequestBytes(qdrant.sizing.vectors, dimensions) : undefined;
  }
  const ram = qdrant.collections.reduce((sum, c) => sum + collectionEstimate(c, qdrant.sizing!.vectors).ramBytes, 0);
  return Math.max(QDRANT_MEMORY_FLOOR_BYTES, Math.ceil(ram / MiB) * MiB);
}

/** The user's overrides on top of computed values; a request raised above its limit raises the limit too. */
export function withOverrides(base: ComputedResources, overrides?: ResourcesConfig): ComputedResources {
  const requests = { ...base.requests, ...stripUndefined(overrides?.requests) };
  const limits = { ...base.limits, ...stripUndefined(overrides?.limits) };
  return {
    requests,
    limits: {
      cpu: parseCpu(limits.cpu)! < parseCpu(requests.cpu)! ? requests.cpu : limits.cpu,
      memory: parseBytes(limits.memory)! < parseBytes(requests.memory)! ? requests.memory : limits.memory,
    },
  };
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Qdrant's requests and limits: sizing formula when given, defaults otherwise, then the user's overrides. */
export function qdrantResources(qdrant: QdrantConfig): ComputedResources {
  let base = QDRANT_DEFAULT_RESOURCES;
  const request = qdrantSizedMemoryBytes(qdrant);
  if (request !== undefined) {
    base = {
      requests: { ...base.requests, memory: formatBytes(request) },
      limits: { ...base.limits, memory: formatBytes(request * QDRANT_MEMORY_LIMIT_FACTOR) },
    };
  }
  return withOverrides(base, qdrant.resources);
}

/** Embedding models are small (mxbai-embed-large ≈ 670 MB); CPU inference wants a few cores. */
export const OLLAMA_DEFAULT_RESOURCES: ComputedResources = {
  requests: { cpu: '1', memory: '2Gi' },
  limits: { cpu: '4', memory: '6Gi' },
};

export function ollamaResources(ollama: OllamaConfig): ComputedResources {
  return withOverrides(OLLAMA_DEFAULT_RESOURCES, ollama.resources);
}

/**
 * Redis: the request is maxmemory plus a quarter for fragmentation and buffers; the limit is twice
 * maxmemory, since an AOF rewrite forks and copy-on-write can touch every page.
 */
export function redisDefaultResources(maxMemory: string): ComputedResources {
  const bytes = parseBytes(maxMemory)!;
  return {
    requests: { cpu: '100m', memory: formatBytes(bytes * 1.25) },
    limits: { cpu: '1', memory: formatBytes(bytes * 2) },
  };
}

export function redisResources(redis: RedisConfig): ComputedResources {
  return withOverrides(redisDefaultResources(redis.maxMemory), redis.resources);
}

/** The stack's own short-lived pods: small, fixed, listed by `plan`. */
export const JOB_RESOURCES = {
  /** Writes a random value into a Secret once. */
  secretGenerator: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
  /** The Ollama CLI as a client: the server does the downloading. */
  modelPull: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  /** Generates and sends 10k × 1024 random vectors in batches. */
  smoke: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
  /** Reads and writes collection settings; Qdrant does the work. */
  collections: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
  /** Asks Qdrant for snapshots; Qdrant does the work. */
  snapshots: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
  /** Redis' init container only writes one small file. */
  redisAuth: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } },
} as const satisfies Record<string, ComputedResources>;
