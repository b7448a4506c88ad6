/**
 * Latency: seed a temporary collection (or, read-only, use an expected one), time M queries through
 * `/points/query`, and compare a sample with exact search for recall@10. The temporary collection is
 * deleted in every outcome, including an abort; nothing else is ever written or deleted.
 */
import { mapPool, pollUntil, retry, throwIfAborted } from '../backoff';
import { describeError, errorKind, isTransient } from '../client';
import { latencyShape, TEMP_COLLECTION_PREFIX } from '../options';
import type { LatencyReport } from '../report';
import { meanRecall, summarize } from '../stats';
import { batches, pointsPerRequest, randomPoints, randomVector } from '../vectors';
import { CheckContext, runCheck, skip } from './context';
import type { FoundCollection } from './schema';

/** Raw samples (ms) beside the summary, for the histogram. */
export interface LatencyResult {
  readonly latency: LatencyReport | null;
  readonly samples: { readonly client: number[]; readonly server: number[] };
}

const NONE: LatencyResult = { latency: null, samples: { client: [], server: [] } };
const K = 10;

/** Runs the latency stage in write mode, falling back to read-only when the key may not write. */
export async function checkLatency(ctx: CheckContext, found: readonly FoundCollection[]): Promise<LatencyResult> {
  if (ctx.options.readOnly) return readOnly(ctx, found, '--read-only');
  const name = `${TEMP_COLLECTION_PREFIX}${ctx.runId}`;
  let mayExist = false;
  try {
    let forbidden = false;
    const seeded = await runCheck(ctx, 'latency.seed', async () => {
      const { size, distance } = latencyShape(ctx.options);
      mayExist = true;
      try {
        await ctx.qdrant.createCollection(name, { size, distance });
      } catch (e) {
        mayExist = errorKind(e) !== 'forbidden';
        forbidden = !mayExist;
        if (forbidden) return { status: 'skip', message: `the API key is read-only (${describeError(e)}); measuring an existing collection` };
        throw e;
      }
      return seed(ctx, name, size, distance);
    });
    if (forbidden) return readOnly(ctx, found, 'a read-only API key');
    if (seeded.status !== 'pass') {
      skip(ctx, 'latency.server.p95', 'the temporary collection could not be seeded');
      return NONE;
    }
    return await measure(ctx, { name, size: latencyShape(ctx.options).size, pointsCount: ctx.options.vectors }, 'temporary');
  } finally {
    if (mayExist) await deleteTemporary(ctx, name, 'cleanup');
  }
}

/** Upserts N random points in batches with several requests in flight, then waits for green. */
async function seed(ctx: CheckContext, name: string, size: number, distance: string) {
  const { vectors, concurrency, backoff } = ctx.options;
  const started = performance.now();
  let retries = 0;
  let done = 0;
  await mapPool(batches(vectors, pointsPerRequest(size, ctx.options.batchSize)), concurrency, async ([from, to]) => {
    const points = randomPoints(from, to, size);
    await retry(() => ctx.qdrant.upsert(name, points), {
      retries: 5,
      ...backoff,
      isRetryable: isTransient,
      signal: ctx.signal,
      onRetry: () => retries++,
    });
    done += to - from;
    ctx.onSeedProgress?.(done, vectors);
  });
  const seconds = (performance.now() - started) / 1000;
  const green = await pollUntil(async () => ((await ctx.qdrant.collection(name, ctx.deadline)).status === 'green' ? true : undefined), ctx.deadline, backoff, ctx.signal);
  const what = `${vectors} × ${size} ${distance} vectors in ${seconds.toFixed(2)} s (${concurrency} in flight, ${retries} retried)`;
  return green
    ? { status: 'pass' as const, value: vectors, message: `${what}; green` }
    : { status: 'fail' as const, value: vectors, threshold: 'green', message: `${what}; not green within the deadline` };
}

/** Latency on an existing expected collection, for keys that may not write. */
async function readOnly(ctx: CheckContext, found: readonly FoundCollection[], why: string): Promise<LatencyResult> {
  const target = found.find((c) => c.pointsCount > 0) ?? found[0];
  if (!target) {
    skip(ctx, 'latency.server.p95', `read-only (${why}) and no expected collection passed the schema check to query`);
    return NONE;
  }
  return measure(ctx, target, 'read-only');
}

/** Warms up, times M queries, computes recall on a sample, and records the p95 and recall checks. */
async function measure(ctx: CheckContext, target: Pick<FoundCollection, 'name' | 'size' | 'pointsCount' | 'vectorName'>, mode: LatencyReport['mode']): Promise<LatencyResult> {
  const { queries, warmupQueries, recallSample, maxP95Ms, minRecall } = ctx.options;
  const client: number[] = [];
  const server: number[] = [];
  const sampled: { vector: number[]; approximate: (string | number)[] }[] = [];
  const query = (vector: number[], exact = false) =>
    retry(
      async () => {
        const started = performance.now();
        const res = await ctx.qdrant.query(target.name, { query: vector, using: target.vectorName, limit: K, with_payload: false, params: exact ? { exact: true } : undefined });
        return { clientMs: performance.now() - started, serverMs: res.time * 1000, ids: res.points.map((p) => p.id) };
      },
      { retries: 3, ...ctx.options.backoff, isRetryable: isTransient, signal: ctx.signal },
    );

  const timed = await runCheck(ctx, 'latency.server.p95', async () => {
    for (let i = 0; i < warmupQueries; i++) await query(randomVector(target.size));
    for (let i = 0; i < queries; i++) {
      throwIfAborted(ctx.signal);
      const vector = randomVector(target.size);
      const r = await query(vector);
      client.push(r.clientMs);
      server.push(r.serverMs);
      if (sampled.length < recallSample) sampled.push({ vector, approximate: r.ids });
    }
    const p95 = summarize(server).p95;
    const where = `${queries} queries on ${mode === 'temporary' ? 'the temporary collection' : `"${target.name}" (read-only)`}`;
    return p95 <= maxP95Ms
      ? { status: 'pass', value: p95, threshold: maxP95Ms, message: `server p95 ${p95} ms over ${where}` }
      : { status: 'fail', value: p95, threshold: maxP95Ms, message: `server p95 ${p95} ms exceeds the budget of ${maxP95Ms} ms over ${where}` };
  });
  if (timed.status !== 'pass' && client.length < queries) {
    skip(ctx, 'latency.recall', 'queries failed');
    return NONE;
  }

  let recall: number | null = null;
  if (target.pointsCount === 0 || sampled.length === 0) skip(ctx, 'latency.recall', `collection "${target.name}" is empty`);
  else {
    await runCheck(ctx, 'latency.recall', async () => {
      const pairs = [];
      for (const s of sampled) pairs.push({ approximate: s.approximate, exact: (await query(s.vector, true)).ids });
      recall = Math.round(meanRecall(pairs, K) * 1000) / 1000;
      return recall >= minRecall
        ? { status: 'pass', value: recall, threshold: minRecall, message: `recall@${K} against exact search over ${pairs.length} queries` }
        : { status: 'fail', value: recall, threshold: minRecall, message: `recall@${K} ${recall} is below ${minRecall} over ${pairs.length} queries` };
    });
  }
  return {
    latency: { collection: target.name, mode, vectors: target.pointsCount, queries: client.length, client: summarize(client), server: summarize(server), recall },
    samples: { client, server },
  };
}

/**
 * Deletes a temporary collection of this run and records the outcome under `check`. Refuses any name
 * without this run's prefix: the last guard against deleting an application's collection.
 */
export async function deleteTemporary(ctx: CheckContext, name: string, check: string): Promise<void> {
  if (!name.startsWith(`${TEMP_COLLECTION_PREFIX}${ctx.runId}`)) throw new Error(`refusing to delete "${name}": not a temporary collection of this run`);
  // Not tied to the run's signal: cleanup must still happen after an abort.
  const cleanupCtx = { ...ctx, signal: undefined };
  await runCheck(cleanupCtx, check, async () => {
    await retry(() => ctx.qdrant.deleteCollection(name), { retries: 3, ...ctx.options.backoff, isRetryable: isTransient });
    return { status: 'pass', value: name, message: `deleted the temporary collection "${name}"` };
  });
}
