/**
 * Random vectors for seeding and querying. Components are uniform in [-1, 1) rounded to 4 decimals:
 * the JSON body of 10k × 1024 vectors shrinks by more than half, and search still has clear neighbours.
 */

/** Unique suffix of a run's temporary names: time plus randomness, lower case for Qdrant and Redis. */
export function runId(random: () => number = Math.random): string {
  return `${Date.now().toString(36)}-${Math.floor(random() * 36 ** 6).toString(36).padStart(6, '0')}`;
}

/** One random vector of `size` components. */
export function randomVector(size: number, random: () => number = Math.random): number[] {
  const v = new Array<number>(size);
  for (let i = 0; i < size; i++) v[i] = Math.round((random() * 2 - 1) * 1e4) / 1e4;
  return v;
}

/** Points `from`..`to`-1 (ids from 1: Qdrant ids are unsigned) with random vectors. */
export function randomPoints(from: number, to: number, size: number, random: () => number = Math.random): { id: number; vector: number[] }[] {
  const points = [];
  for (let id = from; id < to; id++) points.push({ id: id + 1, vector: randomVector(size, random) });
  return points;
}

/** Splits 0..total into [from, to) ranges of at most `size`. */
export function batches(total: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let from = 0; from < total; from += size) out.push([from, Math.min(total, from + size)]);
  return out;
}

/** Bytes of request body an upsert aims at: a quarter of Qdrant's default 32 MB limit. */
export const UPSERT_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Points per upsert: `batchSize`, fewer for large vectors so a request body (and the arrays and JSON
 * behind it, times the requests in flight) stays near UPSERT_BODY_BYTES. A component is at most 8
 * characters of JSON ("-0.1234,"), so 1024 dimensions keep 512 points and 65,536 dimensions send 15.
 */
export function pointsPerRequest(size: number, batchSize: number): number {
  return Math.max(1, Math.min(batchSize, Math.floor(UPSERT_BODY_BYTES / (size * 8 + 64))));
}
