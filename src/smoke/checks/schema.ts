/**
 * Schema: every expected collection exists, is green or yellow, and is what is expected. Read-only calls only.
 *
 * A collection of the stack model (`declared`) is compared with its declaration by the collections
 * reconciler's own comparison (src/collections/diff.ts: per leaf — vectors, sparse vectors, HNSW,
 * quantization, optimizers, payload indexes, aliases, copies of shards), so "in sync" means the same to
 * this check and to `qdrant-stack collections plan`. Under plain kubectl or Flux the collections Job starts
 * with the smoke Job: while such a collection is still to be created or updated, the check waits for it
 * within the run's deadline and says how long it waited. A collection given by flags only (`--collection
 * NAME --vector-size N --distance D`) is compared by size, distance and payload index types.
 */
import type { CollectionConfig } from '../../config/collection';
import { denseVectors, embeddingVectorOf } from '../../config/vectors';
import { Change, compareCollection as compareDeclared, Comparison } from '../../collections/diff';
import { showValue } from '../../collections/report';
import { CollectionShape, declaredShape, foundCollection } from '../../collections/wire';
import { pollUntil, throwIfAborted } from '../backoff';
import { CollectionInfo, describeError, errorKind } from '../client';
import type { CollectionsJobRef, ExpectedCollection } from '../options';
import { CheckContext, cutByDeadline, Outcome, runCheck, seconds } from './context';

interface VectorParams {
  size?: number;
  distance?: string;
}

/** A collection found as expected; read-only latency queries it. */
export interface FoundCollection {
  readonly name: string;
  readonly vectorName?: string;
  readonly size: number;
  readonly pointsCount: number;
}

/** The vector parameters to compare: the named one asked for, the single one, or the one that matches. */
export function pickVector(vectors: unknown, expected: ExpectedCollection): { name?: string; params?: VectorParams; problem?: string } {
  const v = (vectors ?? {}) as Record<string, unknown>;
  const unnamed = typeof v.size === 'number';
  if (expected.vectorName) {
    if (unnamed) return { problem: `has one unnamed vector, expected a named vector "${expected.vectorName}"` };
    const params = v[expected.vectorName] as VectorParams | undefined;
    return params ? { name: expected.vectorName, params } : { problem: `has no named vector "${expected.vectorName}" (has: ${Object.keys(v).join(', ') || 'none'})` };
  }
  if (unnamed) return { params: v as VectorParams };
  const named = Object.entries(v) as [string, VectorParams][];
  const match = named.find(([, p]) => (expected.vectorSize === undefined || p.size === expected.vectorSize) && (expected.distance === undefined || p.distance === expected.distance));
  const [name, params] = match ?? named[0] ?? [];
  return name ? { name, params } : { problem: 'has no dense vectors' };
}

const healthy = (status: string | undefined) => status === 'green' || status === 'yellow';

/** A collection given by flags only: its size, distance and payload index types, as far as given. */
export function compareSizeAndDistance(info: CollectionInfo, expected: ExpectedCollection): Outcome & { vectorName?: string; size?: number } {
  const picked = pickVector(info.config?.params?.vectors, expected);
  const threshold = `${expected.vectorSize ?? '*'}/${expected.distance ?? '*'} green|yellow`;
  if (picked.problem) return { status: 'fail', threshold, message: picked.problem };
  const { size, distance } = picked.params!;
  const label = picked.name ? `vector "${picked.name}" ` : '';
  const value = `${size}/${distance} ${info.status}`;
  const problems: string[] = [];
  if (expected.vectorSize !== undefined && size !== expected.vectorSize) problems.push(`${label}size is ${size}, expected ${expected.vectorSize}`);
  if (expected.distance !== undefined && distance !== expected.distance) problems.push(`${label}distance is ${distance}, expected ${expected.distance}`);
  if (!healthy(info.status)) problems.push(`status is ${info.status}, expected green or yellow`);
  for (const [field, type] of Object.entries(expected.payloadIndexes ?? {})) {
    const actual = info.payload_schema?.[field]?.data_type;
    if (!actual) problems.push(`payload index on "${field}" is missing`);
    else if (type !== true && actual !== type) problems.push(`payload index on "${field}" is ${actual}, expected ${type}`);
  }
  return problems.length
    ? { status: 'fail', value, threshold, message: problems.join('; ') }
    : { status: 'pass', value, threshold, message: `${label}as expected`, vectorName: picked.name, size };
}

/** One change as the reconciler's report lists it: `docs.hnsw.m: declared 32, found 16`, and what it takes. */
export function changeLine(c: Change): string {
  const line = `${c.field}: declared ${showValue(c.declared)}, found ${showValue(c.found)}`;
  if (c.kind === 'immutable') return `${line} (fixed at creation${c.note ? `; ${c.note}` : ''})`;
  if (c.kind === 'replicas') return `${line} (a manual step${c.note ? `: ${c.note}` : ''})`;
  return c.note ? `${line} (${c.note})` : line;
}

/** Where the declared collections come from: the collections Job's log in the cluster, else the command. */
function jobLog(job: CollectionsJobRef): string {
  return `the collections Job ${job.name}-<hash> (its log: kubectl -n ${job.namespace} logs job/$(qdrant-stack plan --job collections))`;
}

/** What brings a missing collection or pending updates in: the collections Job in the cluster, else apply by hand. */
function remedy(job: CollectionsJobRef | undefined, what: 'create' | 'update'): string {
  const apply = 'qdrant-stack collections apply (with the same --url and --config)';
  if (what === 'create') return job ? `${jobLog(job)} should have created it` : `run ${apply} to create it`;
  return job ? `${jobLog(job)} makes these changes, as does qdrant-stack collections apply` : `${apply} makes these changes, as does the collections Job after a deploy`;
}

/** What a declared collection reads back as: the collection, its aliases and (for more than one copy) its shards. */
async function observe(ctx: CheckContext, shape: CollectionShape): Promise<{ info: CollectionInfo; comparison: Comparison }> {
  const name = shape.name;
  const info = await ctx.qdrant.collection(name, ctx.deadline);
  const aliases = await ctx.qdrant.collectionAliases(name, ctx.deadline);
  // As the reconciler: the copies of each shard matter only when more than one is declared.
  const cluster = (shape.replicationFactor ?? 1) > 1 ? await ctx.qdrant.collectionCluster(name, ctx.deadline) : undefined;
  return { info, comparison: compareDeclared(shape, foundCollection(name, info, aliases, cluster)) };
}

/** The vector a read-only run queries: the one the expectation names, else the declaration's embedding (or first dense) vector. */
function queriedVector(expected: ExpectedCollection, declared: CollectionConfig): { name?: string; size?: number } {
  if (expected.vectorSize !== undefined) return { name: expected.vectorName, size: expected.vectorSize };
  const v = embeddingVectorOf(declared) ?? denseVectors(declared)[0];
  return v ? { name: v.name || undefined, size: v.size } : {};
}

/**
 * A declared collection against its declaration, through the reconciler's comparison. Polls (within the
 * run's deadline) while it does not exist or has updates pending — the collections Job may be creating or
 * updating it right now; drift and a collection in sync end the wait at once.
 */
async function checkDeclared(ctx: CheckContext, expected: ExpectedCollection, declared: CollectionConfig): Promise<Outcome & { found?: FoundCollection }> {
  const shape = declaredShape(declared, { peers: expected.peers });
  const job = ctx.options.collectionsJob;
  const threshold = 'in sync green|yellow';
  const started = performance.now();
  const waitedFor = new Set<'it to be created' | 'its updates'>();
  let observed: { info: CollectionInfo; comparison: Comparison } | undefined;
  let lastError = '';
  const settled = await pollUntil(
    async () => {
      try {
        observed = await observe(ctx, shape);
        lastError = '';
      } catch (e) {
        throwIfAborted(ctx.signal);
        const kind = errorKind(e);
        if (kind === 'not-found') {
          observed = undefined;
          lastError = '';
          waitedFor.add('it to be created');
          return undefined;
        }
        if (kind !== 'unreachable' && kind !== 'timeout' && kind !== 'transient') throw e;
        // A request cut only because the run's deadline arrived says nothing new: what the server last
        // answered (e.g. "not found") stands.
        if (waitedFor.size && cutByDeadline(ctx, kind)) return undefined;
        lastError = describeError(e);
        return undefined;
      }
      if (observed.comparison.action !== 'update') return observed;
      waitedFor.add('its updates');
      return undefined;
    },
    ctx.deadline,
    ctx.options.backoff,
    ctx.signal,
  );
  const waited = waitedFor.size ? `waited ${seconds(performance.now() - started)} for ${[...waitedFor].join(' and ')}` : '';
  const deadline = `within the deadline (${ctx.options.deadlineS} s from the start of the run)`;
  const lastErrorText = lastError ? `; last error: ${lastError}` : '';

  if (!settled) {
    if (!observed) {
      const problem = `collection "${expected.name}" does not exist${lastError ? ' or did not answer' : ''} ${deadline}${waited ? ` (${waited})` : ''}`;
      return { status: 'fail', value: 'missing', threshold, message: `${problem}: ${remedy(job, 'create')}${lastErrorText}` };
    }
    const { comparison } = observed;
    return {
      status: 'fail',
      value: 'update pending',
      threshold,
      message: `not in sync with the stack model ${deadline}${waited ? ` (${waited})` : ''}: ${comparison.changes.map(changeLine).join('; ')}. ${remedy(job, 'update')}${lastErrorText}`,
    };
  }

  const { info, comparison } = settled;
  if (comparison.action === 'drift') {
    return {
      status: 'fail',
      value: 'drift',
      threshold,
      message:
        `in drift from the stack model: ${comparison.changes.map(changeLine).join('; ')}. ` +
        'The reconciler writes nothing to a collection in drift: this needs a decision (a new collection and an alias move, or a declaration that matches; see "Collections as code" in the README)',
    };
  }
  const status = String(info.status);
  const extras = [
    comparison.extra.indexes.length ? `payload indexes ${comparison.extra.indexes.join(', ')}` : '',
    comparison.extra.aliases.length ? `aliases ${comparison.extra.aliases.join(', ')}` : '',
  ].filter(Boolean);
  const notes = [waited, extras.length ? `not in the model, left alone: ${extras.join('; ')}` : ''].filter(Boolean);
  const inSync = `in sync with the stack model${notes.length ? ` (${notes.join('; ')})` : ''}`;
  if (!healthy(info.status)) return { status: 'fail', value: `in sync ${status}`, threshold, message: `${inSync}, but its status is ${status}, expected green or yellow` };
  const vector = queriedVector(expected, declared);
  const found = vector.size !== undefined ? { name: expected.name, vectorName: vector.name, size: vector.size, pointsCount: info.points_count ?? 0 } : undefined;
  return { status: 'pass', value: `in sync ${status}`, threshold, message: inSync, found };
}

/** A collection given by flags only: it must exist now (nothing in the stack creates it). */
async function checkGiven(ctx: CheckContext, expected: ExpectedCollection): Promise<Outcome & { found?: FoundCollection }> {
  let info: CollectionInfo;
  try {
    info = await ctx.qdrant.collection(expected.name);
  } catch (e) {
    if (errorKind(e) !== 'not-found') throw e;
    return { status: 'fail', value: 'missing', threshold: 'exists', message: `collection "${expected.name}" does not exist (${describeError(e)})` };
  }
  const { vectorName, size, ...outcome } = compareSizeAndDistance(info, expected);
  return outcome.status === 'pass' ? { ...outcome, found: { name: expected.name, vectorName, size: size!, pointsCount: info.points_count ?? 0 } } : outcome;
}

/** Runs one check per expected collection; returns those that passed (for read-only latency). */
export async function checkSchema(ctx: CheckContext): Promise<FoundCollection[]> {
  const found: FoundCollection[] = [];
  for (const expected of ctx.options.collections) {
    await runCheck(ctx, `collection.${expected.name}`, async () => {
      const { found: passed, ...outcome } = expected.declared ? await checkDeclared(ctx, expected, expected.declared) : await checkGiven(ctx, expected);
      if (passed) found.push(passed);
      return outcome;
    });
  }
  return found;
}
