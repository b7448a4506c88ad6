/**
 * A Qdrant collection as the model declares it: Qdrant 1.19's collection parameters, camelCase here and
 * exactly the REST names on the wire (src/collections/wire.ts). Validation catches what Qdrant would reject
 * or what cannot work; cross-collection rules (replication against replicas, the embedding size) live with
 * the stack.
 */
import { z } from 'zod';

/** Qdrant's payload index types. */
export const PAYLOAD_INDEX_TYPES = ['keyword', 'integer', 'float', 'bool', 'geo', 'datetime', 'text', 'uuid'] as const;
export const DISTANCES = ['Cosine', 'Dot', 'Euclid', 'Manhattan'] as const;
/** Where Qdrant 1.19 keeps vectors, indexes and payload (`on_disk` flags are deprecated in its favour). */
export const MEMORY_MODES = ['cached', 'cold', 'pinned'] as const;
export const DATATYPES = ['float32', 'float16', 'uint8'] as const;

const bool = z.boolean({ error: 'must be true or false' });
const count = (what: string, max = 2 ** 32 - 1) =>
  z.number({ error: `must be ${what}` }).int({ error: `must be ${what}` }).min(0, { error: `must be ${what}` }).max(max, { error: `must be at most ${max}` });
const positive = (max: number) =>
  z.number({ error: 'must be a positive integer' }).int({ error: 'must be a positive integer' }).positive({ error: 'must be a positive integer' }).max(max, { error: `must be at most ${max}` });

/** Dimensions of a dense vector. */
const vectorSize = z
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .positive({ error: 'must be a positive integer' })
  .max(65536, { error: "must be at most 65536 (Qdrant's limit)" });

export const distanceSchema = z.enum(DISTANCES, { error: `must be one of ${DISTANCES.join(', ')} (case-sensitive)` });
const memorySchema = z.enum(MEMORY_MODES, { error: `must be one of ${MEMORY_MODES.join(', ')}` });

/** A vector or index name: what Qdrant accepts in a URL and a JSON key. */
const vectorName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1-64 letters, digits, "_" or "-"' });

export const hnswSchema = z
  .strictObject({
    m: count('a whole number (0 disables the graph)', 10_000).optional().describe('Edges per node of the HNSW graph (hnsw_config.m).'),
    efConstruct: positive(100_000).optional().describe('Neighbours considered while building (ef_construct).'),
    fullScanThreshold: count('a whole number of KB').optional().describe('Below this size (KB) a search scans instead (full_scan_threshold).'),
    onDisk: bool.optional().describe('Keep the graph on disk (on_disk).'),
    payloadM: count('a whole number', 10_000).optional().describe('Edges per node of the payload-aware graph (payload_m).'),
  })
  .describe('HNSW index parameters.');

const alwaysRam = bool.optional().describe('Keep the quantized vectors in RAM even when the originals are on disk (always_ram).');

export const quantizationSchema = z
  .union(
    [
      z.strictObject({
        scalar: z
          .strictObject({
            type: z.literal('int8', { error: 'must be "int8"' }).describe('int8: a byte per dimension (4× smaller than float32).'),
            quantile: z.number({ error: 'must be a number' }).min(0.5, { error: 'must be between 0.5 and 1' }).max(1, { error: 'must be between 0.5 and 1' }).optional().describe('Share of values kept inside the quantization range.'),
            alwaysRam: alwaysRam,
          })
          .describe('Scalar quantization.'),
      }),
      z.strictObject({ binary: z.strictObject({ alwaysRam: alwaysRam }).describe('Binary quantization: a bit per dimension (32× smaller).') }),
      z.strictObject({
        product: z
          .strictObject({
            compression: z.enum(['x4', 'x8', 'x16', 'x32', 'x64'], { error: 'must be one of x4, x8, x16, x32, x64' }).describe('Compression ratio.'),
            alwaysRam: alwaysRam,
          })
          .describe('Product quantization.'),
      }),
    ],
    { error: 'must be { scalar: { type: int8, quantile?, alwaysRam? } }, { binary: { alwaysRam? } } or { product: { compression, alwaysRam? } }' },
  )
  .describe('Vector quantization: scalar int8, binary or product.');

export const optimizersSchema = z
  .strictObject({
    indexingThreshold: count('a whole number of KB').optional().describe('Vectors (KB) per segment before it is indexed (indexing_threshold).'),
    defaultSegmentNumber: count('a whole number', 1000).optional().describe('Target number of segments (default_segment_number).'),
    memmapThreshold: count('a whole number of KB').optional().describe('Segment size (KB) above which it is memory-mapped (memmap_threshold).'),
    deletedThreshold: z.number({ error: 'must be a number' }).min(0, { error: 'must be between 0 and 1' }).max(1, { error: 'must be between 0 and 1' }).optional().describe('Share of deleted points that triggers a vacuum (deleted_threshold).'),
    vacuumMinVectorNumber: count('a whole number').optional().describe('Smallest segment a vacuum considers (vacuum_min_vector_number).'),
    maxSegmentSize: count('a whole number of KB').optional().describe('Largest segment (KB) (max_segment_size).'),
    flushIntervalSec: count('a whole number of seconds').optional().describe('Seconds between flushes (flush_interval_sec).'),
  })
  .describe('Optimizer parameters.');

const multivectorSchema = z.strictObject({ comparator: z.literal('max_sim', { error: 'must be "max_sim"' }).describe('How the vectors of two points compare: max_sim.') });

export const vectorParamsSchema = z
  .strictObject({
    size: vectorSize.describe('Dimensions.'),
    distance: distanceSchema.describe('Similarity metric.'),
    datatype: z.enum(DATATYPES, { error: `must be one of ${DATATYPES.join(', ')}` }).optional().describe('Storage type of each dimension (datatype).'),
    onDisk: bool.optional().describe('Keep the vectors on disk (on_disk; Qdrant 1.19 prefers memory).'),
    memory: memorySchema.optional().describe('Where the vectors live: cached, cold or pinned (Qdrant 1.19).'),
    multivector: multivectorSchema.optional().describe('Several vectors per point (ColBERT-style), compared with max_sim.'),
    hnsw: hnswSchema.optional(),
    quantization: quantizationSchema.optional(),
  })
  .describe('A dense vector.');

export const sparseVectorSchema = z
  .strictObject({
    modifier: z.enum(['idf', 'none'], { error: 'must be "idf" or "none"' }).optional().describe('idf weighs rare terms up (BM25-style hybrid search).'),
    onDisk: bool.optional().describe('Keep the sparse index on disk (index.on_disk).'),
    memory: memorySchema.optional().describe('Where the sparse index lives (index.memory, Qdrant 1.19).'),
  })
  .describe('A sparse vector (no size: its dimensions are the vocabulary).');

const payloadIndexSchema = z.union(
  [
    z.enum(PAYLOAD_INDEX_TYPES),
    z.strictObject({
      type: z.enum(PAYLOAD_INDEX_TYPES, { error: `must be one of ${PAYLOAD_INDEX_TYPES.join(', ')}` }).describe('Index type.'),
      isTenant: bool.optional().describe('keyword, uuid: the field partitions the data by tenant (is_tenant).'),
      isPrincipal: bool.optional().describe('integer, float, datetime: most queries filter by it (is_principal).'),
      onDisk: bool.optional().describe('Keep the index on disk (on_disk).'),
    }),
  ],
  { error: `must be one of ${PAYLOAD_INDEX_TYPES.join(', ')} or { type, isTenant?, isPrincipal?, onDisk? }` },
);

/** Which payload index types take which options (Qdrant's *IndexParams). */
const INDEX_OPTIONS: Record<string, readonly (typeof PAYLOAD_INDEX_TYPES)[number][]> = {
  isTenant: ['keyword', 'uuid'],
  isPrincipal: ['integer', 'float', 'datetime'],
  onDisk: ['keyword', 'integer', 'float', 'datetime', 'uuid', 'text', 'geo', 'bool'],
};

export const collectionSchema = z
  .strictObject({
    name: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Za-z0-9_-]{1,255}$/, { error: 'must be 1-255 letters, digits, "_" or "-"' })
      .describe('Collection name, as applications use it.'),
    vectorSize: vectorSize.optional().describe('Dimensions of the single unnamed vector (or use `vectors`).'),
    distance: distanceSchema.optional().describe('Similarity metric of the single unnamed vector.'),
    datatype: z.enum(DATATYPES, { error: `must be one of ${DATATYPES.join(', ')}` }).optional().describe('Storage type of the unnamed vector.'),
    onDisk: bool.optional().describe('Keep the unnamed vector on disk.'),
    memory: memorySchema.optional().describe('Where the unnamed vector lives: cached, cold or pinned (Qdrant 1.19).'),
    multivector: multivectorSchema.optional().describe('Several unnamed vectors per point.'),
    vectors: z
      .record(vectorName, vectorParamsSchema, { error: 'must be a map of vector name to { size, distance, ... }' })
      .optional()
      .describe('Named dense vectors (instead of vectorSize and distance).'),
    embeddingVector: vectorName.optional().describe('The named vector that receives the Ollama embeddings (needed with several named vectors).'),
    sparseVectors: z.record(vectorName, sparseVectorSchema, { error: 'must be a map of sparse vector name to { modifier?, onDisk? }' }).optional().describe('Sparse vectors, for hybrid dense + sparse search.'),
    embeddings: bool.optional().describe('This collection receives the Ollama embeddings (needed only when there are several collections).'),
    hnsw: hnswSchema.optional(),
    quantization: quantizationSchema.optional(),
    optimizers: optimizersSchema.optional(),
    onDiskPayload: bool.optional().describe('Keep payloads on disk (on_disk_payload).'),
    shardNumber: positive(1024).optional().describe('Shards of the collection; Qdrant\'s default (one per peer) when left out. Fixed at creation.'),
    shardingMethod: z.enum(['auto', 'custom'], { error: 'must be "auto" or "custom"' }).optional().describe('auto, or custom shard keys. Fixed at creation.'),
    replicationFactor: positive(100)
      .optional()
      .describe('Copies of each shard; at most qdrant.replicas. Left out: 2 in distributed mode (survives the loss of one peer), 1 on a single node.'),
    writeConsistencyFactor: positive(100).optional().describe('Copies that must acknowledge a write; at most replicationFactor.'),
    payloadIndexes: z
      .record(
        z.string().regex(/^[A-Za-z0-9_.\[\]-]{1,255}$/, { error: 'must be a payload field path such as "tenant" or "meta.lang"' }),
        payloadIndexSchema,
        { error: 'must be a map of payload field to index type' },
      )
      .optional()
      .describe('Payload indexes (field → type, or { type, isTenant, isPrincipal, onDisk }); created by the reconciler, checked by the smoke test.'),
    aliases: z
      .array(z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, { error: 'must be 1-255 letters, digits, "_" or "-"' }), { error: 'must be a list of alias names' })
      .optional()
      .describe('Aliases that must point at this collection.'),
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const named = c.vectors !== undefined;
    if (named && (c.vectorSize !== undefined || c.distance !== undefined)) issue(['vectors'], 'give either vectorSize and distance (one unnamed vector) or vectors (named), not both');
    if (!named && c.vectorSize === undefined) issue(['vectorSize'], 'is required (or name the vectors under vectors)');
    if (!named && c.distance === undefined) issue(['distance'], 'is required (or name the vectors under vectors)');
    if (named && Object.keys(c.vectors!).length === 0 && !c.sparseVectors) issue(['vectors'], 'must name at least one vector');
    if (named) for (const key of ['datatype', 'onDisk', 'memory', 'multivector'] as const) if (c[key] !== undefined) issue([key], 'applies to the unnamed vector: set it on each named vector under vectors');
    if (c.embeddingVector !== undefined && !c.vectors?.[c.embeddingVector]) {
      issue(['embeddingVector'], `must name a dense vector of this collection (${named ? Object.keys(c.vectors!).join(', ') : 'it has one unnamed vector'})`);
    }
    for (const name of Object.keys(c.sparseVectors ?? {})) if (c.vectors?.[name]) issue(['sparseVectors', name], 'is also a dense vector name: vector names must be unique');
    if (c.writeConsistencyFactor !== undefined && c.replicationFactor !== undefined && c.writeConsistencyFactor > c.replicationFactor) {
      issue(['writeConsistencyFactor'], `${c.writeConsistencyFactor} exceeds replicationFactor (${c.replicationFactor}): a write could never be acknowledged`);
    }
    for (const [field, index] of Object.entries(c.payloadIndexes ?? {})) {
      if (typeof index === 'string') continue;
      for (const option of ['isTenant', 'isPrincipal', 'onDisk'] as const) {
        if (index[option] !== undefined && !INDEX_OPTIONS[option].includes(index.type)) issue(['payloadIndexes', field, option], `does not apply to a ${index.type} index (only ${INDEX_OPTIONS[option].join(', ')})`);
      }
    }
    const aliases = c.aliases ?? [];
    aliases.forEach((a, i) => {
      if (aliases.indexOf(a) !== i) issue(['aliases', i], `"${a}" is listed twice`);
      if (a === c.name) issue(['aliases', i], 'is the collection\'s own name');
    });
  });

export type CollectionConfig = z.output<typeof collectionSchema>;
export type Distance = z.output<typeof distanceSchema>;

/** Whether a stack reconciles its collections (a Job; locally a one-shot): managed, and something declared. */
export function managesCollections(stack: { qdrant: { manageCollections: boolean; collections: readonly unknown[] } }): boolean {
  return stack.qdrant.manageCollections && stack.qdrant.collections.length > 0;
}
