/**
 * The collections model on the wire, both ways, without zod (the in-cluster runners import this):
 * a declared collection (src/config/collection.ts, camelCase) → the shape the reconciler compares → the
 * REST bodies of Qdrant 1.19 (`PUT /collections/{name}`, `PUT /collections/{name}/index`); and what
 * `GET /collections/{name}`, `GET /aliases` and `GET /collections/{name}/cluster` answer → the same shape.
 * Only REST names leave this file; only model names enter the comparison.
 */
import type { CollectionConfig } from '../config/collection';
import { replicationFactorOf } from '../config/cluster';

export type Json = Record<string, unknown>;

/** A dense vector in model names. */
export interface VectorShape {
  size?: number;
  distance?: string;
  datatype?: string;
  onDisk?: boolean;
  memory?: string;
  multivector?: Json;
  hnsw?: Json;
  quantization?: Json;
}

/** A sparse vector in model names (`onDisk` and `memory` are its index's). */
export interface SparseShape {
  modifier?: string;
  onDisk?: boolean;
  memory?: string;
}

/** A payload index: its type and the options it was created with. */
export interface IndexShape {
  type: string;
  isTenant?: boolean;
  isPrincipal?: boolean;
  onDisk?: boolean;
}

/** A collection in the one form that is compared, declared or found: the model's names, '' for the unnamed vector. */
export interface CollectionShape {
  name: string;
  /** Named dense vectors (a map), or the single unnamed one (under ''). */
  named: boolean;
  vectors: Record<string, VectorShape>;
  sparseVectors: Record<string, SparseShape>;
  hnsw?: Json;
  quantization?: Json;
  optimizers?: Json;
  onDiskPayload?: boolean;
  shardNumber?: number;
  shardingMethod?: string;
  replicationFactor?: number;
  writeConsistencyFactor?: number;
  payloadIndexes: Record<string, IndexShape>;
  aliases: string[];
}

/** The copies of one shard: the peers holding it. */
export interface ShardReplicas {
  shard: number;
  peers: number[];
}

/** What Qdrant has for a collection, read back into the compared shape. */
export interface FoundCollection extends CollectionShape {
  status?: string;
  /** Every alias of the server and the collection it points at (to see a declared alias pointing elsewhere). */
  aliasTargets: Record<string, string>;
  /** Copies of each shard, when the cluster info was read. */
  shards?: ShardReplicas[];
  /** Every peer the cluster info named. */
  peerIds?: number[];
}

/** What the declared shape needs besides the model: the peers, for the default replication factor. */
export interface ShapeOptions {
  /** Qdrant peers (`qdrant.replicas`): more than one is distributed mode, where 2 copies are the default. */
  peers?: number;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Renames every key of a nested object (model ↔ REST names map one to one: efConstruct ↔ ef_construct). */
function renameKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => renameKeys(v, rename));
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [rename(k), renameKeys(v, rename)]));
}
export const toRest = (value: Json | undefined): Json | undefined => (value === undefined ? undefined : (renameKeys(value, snake) as Json));
const fromRest = (value: unknown): Json | undefined => (isObject(value) ? (renameKeys(value, camel) as Json) : undefined);

/** The declared collection in the compared shape; the replication factor defaults as src/config/cluster.ts says. */
export function declaredShape(c: CollectionConfig, options: ShapeOptions = {}): CollectionShape {
  const named = c.vectors !== undefined;
  const vectors: Record<string, VectorShape> = named
    ? Object.fromEntries(Object.entries(c.vectors!).map(([name, v]) => [name, defined({ ...v }) as VectorShape]))
    : { '': defined({ size: c.vectorSize, distance: c.distance, datatype: c.datatype, onDisk: c.onDisk, memory: c.memory, multivector: c.multivector }) };
  const payloadIndexes = Object.fromEntries(Object.entries(c.payloadIndexes ?? {}).map(([field, i]) => [field, typeof i === 'string' ? { type: i } : defined({ ...i })]));
  return defined({
    name: c.name,
    named,
    vectors,
    sparseVectors: Object.fromEntries(Object.entries(c.sparseVectors ?? {}).map(([name, s]) => [name, defined({ ...s })])),
    hnsw: c.hnsw,
    quantization: c.quantization,
    optimizers: c.optimizers,
    onDiskPayload: c.onDiskPayload,
    shardNumber: c.shardNumber,
    shardingMethod: c.shardingMethod,
    replicationFactor: replicationFactorOf(c, { qdrant: { replicas: options.peers ?? 1, collections: [], readOnlyApiKey: undefined } }),
    writeConsistencyFactor: c.writeConsistencyFactor,
    payloadIndexes,
    aliases: [...(c.aliases ?? [])],
  });
}

/** One dense vector's `VectorParams`. */
export function vectorParams(v: VectorShape): Json {
  return defined({
    size: v.size,
    distance: v.distance,
    datatype: v.datatype,
    on_disk: v.onDisk,
    memory: v.memory,
    multivector_config: v.multivector,
    hnsw_config: toRest(v.hnsw),
    quantization_config: toRest(v.quantization),
  });
}

/** One sparse vector's `SparseVectorParams`: `{modifier, index: {on_disk, memory}}`. */
export function sparseParams(s: SparseShape): Json {
  const index = defined({ on_disk: s.onDisk, memory: s.memory });
  return defined({ modifier: s.modifier, index: Object.keys(index).length ? index : undefined });
}

/** The body of `PUT /collections/{name}`: every declared parameter, nothing else. */
export function createBody(shape: CollectionShape): Json {
  const sparse = Object.entries(shape.sparseVectors);
  return defined({
    vectors: shape.named ? Object.fromEntries(Object.entries(shape.vectors).map(([n, v]) => [n, vectorParams(v)])) : vectorParams(shape.vectors['']),
    sparse_vectors: sparse.length ? Object.fromEntries(sparse.map(([n, s]) => [n, sparseParams(s)])) : undefined,
    hnsw_config: toRest(shape.hnsw),
    quantization_config: toRest(shape.quantization),
    optimizers_config: toRest(shape.optimizers),
    on_disk_payload: shape.onDiskPayload,
    shard_number: shape.shardNumber,
    sharding_method: shape.shardingMethod,
    replication_factor: shape.replicationFactor,
    write_consistency_factor: shape.writeConsistencyFactor,
  });
}

/** The body of `PUT /collections/{name}/index`: a plain type, or `{type, is_tenant, is_principal, on_disk}`. */
export function indexBody(field: string, index: IndexShape): { field_name: string; field_schema: string | Json } {
  const options = Object.keys(index).length > 1;
  return { field_name: field, field_schema: options ? toRest(index as unknown as Json)! : index.type };
}

/** Qdrant's defaults where it leaves a field out, so an unset field and its default compare equal. */
function foundVector(w: Json): VectorShape {
  const memory = w.memory as string | undefined;
  const onDisk = w.on_disk as boolean | undefined;
  return defined({
    size: w.size as number,
    distance: w.distance as string,
    datatype: (w.datatype as string | undefined) ?? 'float32',
    onDisk: onDisk ?? (memory !== undefined && memory !== null ? memory === 'cold' : false),
    memory: memory ?? (onDisk ? 'cold' : 'cached'),
    multivector: isObject(w.multivector_config) ? w.multivector_config : undefined,
    hnsw: fromRest(w.hnsw_config),
    quantization: foundQuantization(w.quantization_config),
  });
}

/** `always_ram` is deprecated for `memory`: pinned quantized vectors are always in RAM. */
function foundQuantization(w: unknown): Json | undefined {
  const q = fromRest(w);
  if (!q) return undefined;
  for (const kind of Object.values(q)) if (isObject(kind) && kind.alwaysRam === undefined && kind.memory !== undefined) kind.alwaysRam = kind.memory === 'pinned';
  return q;
}

function foundSparse(w: unknown): SparseShape {
  const s = isObject(w) ? w : {};
  const index = isObject(s.index) ? s.index : {};
  const memory = index.memory as string | undefined;
  const onDisk = (index.on_disk as boolean | undefined) ?? (memory !== undefined && memory !== null ? memory === 'cold' : false);
  return { modifier: (s.modifier as string | undefined) ?? 'none', onDisk, memory: memory ?? (onDisk ? 'cold' : 'pinned') };
}

function foundIndex(w: unknown): IndexShape {
  const info = isObject(w) ? w : {};
  const params = isObject(info.params) ? info.params : {};
  return { type: String(info.data_type ?? params.type), isTenant: params.is_tenant === true, isPrincipal: params.is_principal === true, onDisk: params.on_disk === true };
}

/** Alias list entries as `GET /aliases` and `GET /collections/{name}/aliases` answer them. */
export interface AliasDescription {
  alias_name: string;
  collection_name: string;
}

/**
 * What Qdrant answered for a collection (`result` of `GET /collections/{name}`), every alias of the server
 * (`result.aliases` of `GET /aliases`) and, optionally, the collection's cluster info, in the compared shape.
 */
export function foundCollection(name: string, info: unknown, aliases: readonly AliasDescription[] = [], cluster?: unknown): FoundCollection {
  const i = isObject(info) ? info : {};
  const config = isObject(i.config) ? i.config : {};
  const params = isObject(config.params) ? config.params : {};
  const vectors = isObject(params.vectors) ? params.vectors : {};
  const named = typeof vectors.size !== 'number';
  const hnsw = fromRest(config.hnsw_config);
  if (hnsw && hnsw.onDisk === undefined) hnsw.onDisk = hnsw.memory !== undefined ? hnsw.memory === 'cold' : false;
  const found: FoundCollection = defined({
    name,
    status: i.status as string | undefined,
    named,
    vectors: named ? Object.fromEntries(Object.entries(vectors).map(([n, v]) => [n, foundVector(isObject(v) ? v : {})])) : { '': foundVector(vectors) },
    sparseVectors: Object.fromEntries(Object.entries(isObject(params.sparse_vectors) ? params.sparse_vectors : {}).map(([n, s]) => [n, foundSparse(s)])),
    hnsw,
    quantization: foundQuantization(config.quantization_config),
    optimizers: fromRest(config.optimizer_config),
    onDiskPayload: params.on_disk_payload as boolean | undefined,
    shardNumber: params.shard_number as number | undefined,
    shardingMethod: (params.sharding_method as string | undefined) ?? 'auto',
    replicationFactor: params.replication_factor as number | undefined,
    writeConsistencyFactor: params.write_consistency_factor as number | undefined,
    payloadIndexes: Object.fromEntries(Object.entries(isObject(i.payload_schema) ? i.payload_schema : {}).map(([f, w]) => [f, foundIndex(w)])),
    aliases: aliases.filter((a) => a.collection_name === name).map((a) => a.alias_name),
    aliasTargets: Object.fromEntries(aliases.map((a) => [a.alias_name, a.collection_name])),
  });
  if (isObject(cluster)) Object.assign(found, shardReplicas(cluster));
  return found;
}

/** The peers holding each shard, from `GET /collections/{name}/cluster` (local and remote replicas). */
export function shardReplicas(cluster: Json): { shards: ShardReplicas[]; peerIds: number[] } {
  const peer = Number(cluster.peer_id);
  const byShard = new Map<number, number[]>();
  const peers = new Set<number>([peer]);
  const add = (shard: unknown, p: number) => {
    const id = Number(shard);
    byShard.set(id, [...(byShard.get(id) ?? []), p]);
    peers.add(p);
  };
  for (const s of Array.isArray(cluster.local_shards) ? cluster.local_shards : []) add((s as Json).shard_id, peer);
  for (const s of Array.isArray(cluster.remote_shards) ? cluster.remote_shards : []) add((s as Json).shard_id, Number((s as Json).peer_id));
  const shards = [...byShard.entries()].sort(([a], [b]) => a - b).map(([shard, held]) => ({ shard, peers: held }));
  return { shards, peerIds: [...peers].sort((a, b) => a - b) };
}
