/**
 * Schema: every expected collection exists with the expected vector size and distance (unnamed or
 * named vectors), is green or yellow, and has the expected payload indexes. Read-only calls only.
 */
import type { ExpectedCollection } from '../options';
import { CollectionInfo, describeError, errorKind } from '../client';
import { CheckContext, Outcome, runCheck } from './context';

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

/** Checks one collection against its expectation. */
export function compareCollection(info: CollectionInfo, expected: ExpectedCollection): Outcome & { vectorName?: string; size?: number } {
  const picked = pickVector(info.config?.params?.vectors, expected);
  const threshold = `${expected.vectorSize ?? '*'}/${expected.distance ?? '*'} green|yellow`;
  if (picked.problem) return { status: 'fail', threshold, message: picked.problem };
  const { size, distance } = picked.params!;
  const label = picked.name ? `vector "${picked.name}" ` : '';
  const value = `${size}/${distance} ${info.status}`;
  const problems: string[] = [];
  if (expected.vectorSize !== undefined && size !== expected.vectorSize) problems.push(`${label}size is ${size}, expected ${expected.vectorSize}`);
  if (expected.distance !== undefined && distance !== expected.distance) problems.push(`${label}distance is ${distance}, expected ${expected.distance}`);
  if (info.status !== 'green' && info.status !== 'yellow') problems.push(`status is ${info.status}, expected green or yellow`);
  for (const [field, type] of Object.entries(expected.payloadIndexes ?? {})) {
    const actual = info.payload_schema?.[field]?.data_type;
    if (!actual) problems.push(`payload index on "${field}" is missing`);
    else if (type !== true && actual !== type) problems.push(`payload index on "${field}" is ${actual}, expected ${type}`);
  }
  return problems.length
    ? { status: 'fail', value, threshold, message: problems.join('; ') }
    : { status: 'pass', value, threshold, message: `${label}as expected`, vectorName: picked.name, size };
}

/** Runs one check per expected collection; returns those that passed (for read-only latency). */
export async function checkSchema(ctx: CheckContext): Promise<FoundCollection[]> {
  const found: FoundCollection[] = [];
  for (const expected of ctx.options.collections) {
    await runCheck(ctx, `collection.${expected.name}`, async () => {
      let info: CollectionInfo;
      try {
        info = await ctx.qdrant.collection(expected.name);
      } catch (e) {
        if (errorKind(e) !== 'not-found') throw e;
        return { status: 'fail', value: 'missing', threshold: 'exists', message: `collection "${expected.name}" does not exist (${describeError(e)})` };
      }
      const outcome = compareCollection(info, expected);
      if (outcome.status === 'pass') {
        found.push({ name: expected.name, vectorName: outcome.vectorName, size: outcome.size!, pointsCount: info.points_count ?? 0 });
      }
      const { vectorName: _n, size: _s, ...result } = outcome;
      return result;
    });
  }
  return found;
}
