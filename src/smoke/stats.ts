/**
 * Pure statistics for the latency check: percentiles, recall and a histogram. No I/O, no clocks.
 */

/** p50/p95/p99/max of a latency sample, in milliseconds. */
export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * The `p`-th percentile (0–100) by the nearest-rank method: the smallest sample with at least p% of the
 * samples at or below it. Nearest rank never invents a value between two samples, so a reported p95 is
 * a latency that really happened. Throws on an empty sample.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('percentile of an empty sample');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** p50/p95/p99/max, rounded to microseconds (the REST `time` has no finer meaning). */
export function summarize(samples: readonly number[]): LatencySummary {
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    p99: round(percentile(samples, 99)),
    max: round(percentile(samples, 100)),
  };
}

/** The median of a sample (p50 by nearest rank). */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/**
 * recall@k of one result list against the exact one: the share of the exact top-k ids that the
 * approximate top-k also returned. An empty exact list (empty collection) counts as full recall.
 */
export function recallAtK(approximate: readonly (string | number)[], exact: readonly (string | number)[], k = 10): number {
  const truth = exact.slice(0, k);
  if (truth.length === 0) return 1;
  const found = new Set(approximate.slice(0, k).map(String));
  return truth.filter((id) => found.has(String(id))).length / truth.length;
}

/** Mean recall@k over several queries. */
export function meanRecall(pairs: readonly { approximate: readonly (string | number)[]; exact: readonly (string | number)[] }[], k = 10): number {
  if (pairs.length === 0) throw new RangeError('recall of no queries');
  return pairs.reduce((sum, p) => sum + recallAtK(p.approximate, p.exact, k), 0) / pairs.length;
}

/** One histogram bucket: samples in (from, to]; the first bucket starts at 0, the last is open-ended. */
export interface Bucket {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** Upper bucket edges in ms, roughly logarithmic: loopback answers land low, remote ones spread out. */
export const DEFAULT_EDGES_MS = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] as const;

/**
 * Counts samples per bucket. `edges` are increasing upper bounds; one more open bucket collects the
 * rest. Leading and trailing empty buckets are dropped so the chart shows only the occupied range.
 */
export function histogram(samples: readonly number[], edges: readonly number[] = DEFAULT_EDGES_MS): Bucket[] {
  const bounds = [...edges, Infinity];
  const counts = bounds.map(() => 0);
  for (const s of samples) counts[bounds.findIndex((edge) => s <= edge)]++;
  const buckets = bounds.map((to, i) => ({ from: i === 0 ? 0 : bounds[i - 1], to, count: counts[i] }));
  const first = buckets.findIndex((b) => b.count > 0);
  if (first < 0) return [];
  const last = buckets.length - 1 - [...buckets].reverse().findIndex((b) => b.count > 0);
  return buckets.slice(first, last + 1);
}
