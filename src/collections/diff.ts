/**
 * Declared against found, per leaf field, without zod (the in-cluster runners and the smoke test import
 * this): only what the model declares is compared (Qdrant fills in the rest). Each difference is
 * classified — immutable (drift: nothing is written to that collection), mutable (one PATCH holding only
 * the differing fields), a missing payload index or alias (created), or shards with fewer copies than the
 * replication factor (a manual step, named). Nothing here deletes or recreates anything.
 */
import type { CollectionConfig } from '../config/collection';
import { CollectionShape, declaredShape, FoundCollection, indexBody, IndexShape, Json, ShapeOptions, toRest } from './wire';

export type ChangeKind = 'immutable' | 'mutable' | 'index' | 'alias' | 'replicas';
export type Action = 'create' | 'update' | 'none' | 'drift';

/** One differing leaf: `field` in model names (`docs.hnsw.m`), `found` null when Qdrant has none. */
export interface Change {
  readonly field: string;
  readonly declared: unknown;
  readonly found: unknown;
  readonly kind: ChangeKind;
  /** What the reconciler cannot do itself, and how to. */
  readonly note?: string;
}

/** An existing collection against its declaration, and the writes that would bring it in line. */
export interface Comparison {
  /** drift: an immutable difference (nothing is written) or shards short of copies; update: writes pending; none: in sync. */
  readonly action: Exclude<Action, 'create'>;
  readonly changes: readonly Change[];
  /** Indexes and aliases of the collection the model does not name: listed, never deleted. */
  readonly extra: { readonly indexes: readonly string[]; readonly aliases: readonly string[] };
  /** The `PATCH /collections/{name}` body, when a mutable field differs. */
  readonly update?: Json;
  /** `PUT /collections/{name}/index` bodies of the missing payload indexes. */
  readonly indexes: readonly { field_name: string; field_schema: string | Json }[];
  /** The one atomic `POST /collections/aliases` batch (a moved alias is delete_alias + create_alias). */
  readonly aliasActions: readonly Json[];
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Equal as Qdrant stores them: floats (quantile is an f32) within a rounding error. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a));
  if (isObject(a) && isObject(b)) return Object.keys(a).every((k) => a[k] === undefined || sameValue(a[k], b[k]));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  return a === b;
}

/** The declared leaves that differ: into objects where the server has an object too, else the whole value. */
function leafDiffs(declared: Json, found: Json | undefined, path: string[] = []): { path: string[]; declared: unknown; found: unknown }[] {
  return Object.entries(declared).flatMap(([key, value]) => {
    if (value === undefined) return [];
    const there = found?.[key];
    if (isObject(value) && isObject(there)) return leafDiffs(value, there, [...path, key]);
    return sameValue(value, there) ? [] : [{ path: [...path, key], declared: value, found: there ?? null }];
  });
}

/** Sets a nested value, creating the objects on the way. */
function put(target: Json, path: readonly string[], value: unknown): void {
  let at = target;
  for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Json;
  at[path[path.length - 1]] = value;
}

const kindOf = (q: Json | undefined) => (q ? Object.keys(q).sort().join('+') : undefined);

/** Compares an existing collection with its declaration (a model entry, or its shape with the defaults applied). */
export function compareCollection(declared: CollectionConfig | CollectionShape, found: FoundCollection, options: ShapeOptions = {}): Comparison {
  const d: CollectionShape = 'named' in declared ? declared : declaredShape(declared, options);
  const c = d.name;
  const changes: Change[] = [];
  const patch: Json = {};
  const change = (field: string, declaredValue: unknown, foundValue: unknown, kind: ChangeKind, note?: string) =>
    changes.push({ field: `${c}.${field}`, declared: declaredValue, found: foundValue ?? null, kind, ...(note ? { note } : {}) });

  compareVectors(d, found, change, patch);
  compareSparse(d, found, change, patch);
  // Collection-level HNSW and optimizers merge on PATCH: only the differing fields are sent.
  for (const [section, rest] of [['hnsw', 'hnsw_config'], ['optimizers', 'optimizers_config']] as const) {
    for (const diff of leafDiffs(d[section] ?? {}, found[section])) {
      change(`${section}.${diff.path.join('.')}`, diff.declared, diff.found, 'mutable');
      put(patch, [rest, ...diff.path.map(snake)], diff.declared);
    }
  }
  if (quantizationDiffs(d.quantization, found.quantization, 'quantization', change)) patch.quantization_config = toRest(d.quantization);

  for (const [field, rest] of [['onDiskPayload', 'on_disk_payload'], ['replicationFactor', 'replication_factor'], ['writeConsistencyFactor', 'write_consistency_factor']] as const) {
    const want = d[field];
    if (want === undefined || sameValue(want, found[field])) continue;
    change(field, want, found[field], 'mutable', field === 'replicationFactor' ? replicationNote(c, want as number, found.replicationFactor) : undefined);
    put(patch, ['params', rest], want);
  }
  for (const field of ['shardNumber', 'shardingMethod'] as const) {
    if (d[field] !== undefined && !sameValue(d[field], found[field])) change(field, d[field], found[field], 'immutable');
  }

  const indexes = compareIndexes(d, found, change);
  const aliasActions = compareAliases(d, found, change);
  compareReplicas(d, found, change);

  const has = (...kinds: ChangeKind[]) => changes.some((ch) => kinds.includes(ch.kind));
  const action = has('immutable') ? 'drift' : has('mutable', 'index', 'alias') ? 'update' : has('replicas') ? 'drift' : 'none';
  return {
    action,
    changes,
    extra: {
      indexes: Object.keys(found.payloadIndexes).filter((f) => !(f in d.payloadIndexes)).sort(),
      aliases: found.aliases.filter((a) => !d.aliases.includes(a)).sort(),
    },
    ...(Object.keys(patch).length ? { update: patch } : {}),
    indexes,
    aliasActions,
  };
}

type AddChange = (field: string, declared: unknown, found: unknown, kind: ChangeKind, note?: string) => void;

/** Quantization: another method is one change; the same method is compared per leaf. Any difference sends the whole declared config. */
function quantizationDiffs(declared: Json | undefined, found: Json | undefined, field: string, change: AddChange): boolean {
  if (!declared) return false;
  if (kindOf(declared) !== kindOf(found)) {
    change(field, declared, found, 'mutable');
    return true;
  }
  const diffs = leafDiffs(declared, found);
  for (const diff of diffs) change(`${field}.${diff.path.join('.')}`, diff.declared, diff.found, 'mutable');
  return diffs.length > 0;
}

const IMMUTABLE_VECTOR = new Set(['size', 'distance', 'datatype', 'multivector']);

/** The model's name of a dense vector's leaf: `vectors.dense.size`, or `vectorSize` / `onDisk` for the unnamed vector. */
const vectorField = (name: string, leaf: string) => (name === '' ? (leaf === 'size' ? 'vectorSize' : leaf) : `vectors.${name}.${leaf}`);
const describeVector = (v: { size?: number; distance?: string }) => `${v.size}/${v.distance}`;

function compareVectors(d: CollectionShape, found: FoundCollection, change: AddChange, patch: Json): void {
  if (d.named !== found.named) {
    const names = (s: CollectionShape) => (s.named ? `named vectors (${Object.keys(s.vectors).join(', ') || 'none'})` : `one unnamed vector ${describeVector(s.vectors[''])}`);
    change(d.named ? 'vectors' : 'vectorSize', names(d), names(found), 'immutable');
    return;
  }
  for (const name of Object.keys(found.vectors)) {
    if (!(name in d.vectors)) change(`vectors.${name}`, null, describeVector(found.vectors[name]), 'immutable');
  }
  for (const [name, want] of Object.entries(d.vectors)) {
    const have = found.vectors[name];
    if (!have) {
      change(`vectors.${name}`, describeVector(want), null, 'immutable');
      continue;
    }
    const diff: Json = {};
    // A multivector the model does not declare is compared too: its absence is the declaration.
    if (want.multivector === undefined && have.multivector !== undefined) change(vectorField(name, 'multivector'), null, have.multivector, 'immutable');
    for (const [leaf, value] of Object.entries(want)) {
      if (value === undefined || leaf === 'hnsw' || leaf === 'quantization') continue;
      const there = have[leaf as keyof typeof have];
      if (sameValue(value, there)) continue;
      const immutable = IMMUTABLE_VECTOR.has(leaf);
      change(vectorField(name, leaf), value, there, immutable ? 'immutable' : 'mutable');
      if (!immutable) diff[snake(leaf)] = value;
    }
    // A vector's own HNSW and quantization are sent whole: whether Qdrant merges or replaces them, the declared leaves result.
    const hnsw = leafDiffs(want.hnsw ?? {}, have.hnsw);
    for (const h of hnsw) change(vectorField(name, `hnsw.${h.path.join('.')}`), h.declared, h.found, 'mutable');
    if (hnsw.length) diff.hnsw_config = toRest(want.hnsw);
    if (quantizationDiffs(want.quantization, have.quantization, vectorField(name, 'quantization'), change)) diff.quantization_config = toRest(want.quantization);
    if (Object.keys(diff).length) put(patch, ['vectors', name], diff);
  }
}

function compareSparse(d: CollectionShape, found: FoundCollection, change: AddChange, patch: Json): void {
  for (const name of Object.keys(found.sparseVectors)) if (!(name in d.sparseVectors)) change(`sparseVectors.${name}`, null, 'present', 'immutable');
  for (const [name, want] of Object.entries(d.sparseVectors)) {
    const have = found.sparseVectors[name];
    if (!have) {
      change(`sparseVectors.${name}`, 'present', null, 'immutable');
      continue;
    }
    const diffs = leafDiffs(want as Json, have as Json);
    for (const diff of diffs) change(`sparseVectors.${name}.${diff.path.join('.')}`, diff.declared, diff.found, 'mutable');
    if (!diffs.length) continue;
    const modifier = diffs.some((x) => x.path[0] === 'modifier') ? want.modifier : undefined;
    const indexChanged = diffs.some((x) => x.path[0] !== 'modifier');
    const index = Object.fromEntries(Object.entries({ on_disk: want.onDisk, memory: want.memory }).filter(([, v]) => v !== undefined));
    put(patch, ['sparse_vectors', name], { ...(modifier !== undefined ? { modifier } : {}), ...(indexChanged ? { index } : {}) });
  }
}

const modelIndex = (i: IndexShape): unknown => (Object.keys(i).length > 1 ? i : i.type);

function compareIndexes(d: CollectionShape, found: FoundCollection, change: AddChange): Comparison['indexes'] {
  const missing: { field_name: string; field_schema: string | Json }[] = [];
  for (const [field, want] of Object.entries(d.payloadIndexes)) {
    const have = found.payloadIndexes[field];
    if (!have) {
      change(`payloadIndexes.${field}`, modelIndex(want), null, 'index');
      missing.push(indexBody(field, want));
    } else if (!sameValue(want, have)) {
      const shown = Object.fromEntries(Object.keys(want).map((k) => [k, have[k as keyof IndexShape]]));
      const note = `an index changes only when it is created again, which qdrant-stack never does: delete it (DELETE /collections/${d.name}/index/${field}), then apply`;
      change(`payloadIndexes.${field}`, modelIndex(want), modelIndex(shown as unknown as IndexShape), 'immutable', note);
    }
  }
  return missing;
}

function compareAliases(d: CollectionShape, found: FoundCollection, change: AddChange): Json[] {
  const actions: Json[] = [];
  for (const alias of d.aliases) {
    const target = found.aliasTargets[alias];
    if (target === d.name) continue;
    change(`aliases.${alias}`, d.name, target, 'alias');
    if (target !== undefined) actions.push({ delete_alias: { alias_name: alias } });
    actions.push({ create_alias: { collection_name: d.name, alias_name: alias } });
  }
  return actions;
}

function replicationNote(name: string, want: number, have: number | undefined): string | undefined {
  if (have === undefined) return undefined;
  if (want > have) return `Qdrant gives only new shards ${want} copies: the existing shards keep ${have} until replicated (POST /collections/${name}/cluster {"replicate_shard": {...}} per shard)`;
  return `the existing shards keep their ${have} copies until dropped (POST /collections/${name}/cluster {"drop_replica": {...}} per extra copy)`;
}

/** Shards holding fewer copies than the declared replication factor: a step per shard, never taken automatically. */
function compareReplicas(d: CollectionShape, found: FoundCollection, change: AddChange): void {
  const want = d.replicationFactor;
  if (!found.shards || want === undefined) return;
  for (const { shard, peers } of found.shards) {
    if (peers.length >= want) continue;
    const to = found.peerIds?.find((p) => !peers.includes(p));
    const step = `{"replicate_shard": {"shard_id": ${shard}, "from_peer_id": ${peers[0]}, "to_peer_id": ${to ?? '<a peer without it: GET /cluster>'}}}`;
    change(`shards.${shard}.replicas`, want, peers.length, 'replicas', `add a copy: POST /collections/${d.name}/cluster ${step}`);
  }
}
