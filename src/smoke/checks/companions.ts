/**
 * Companions, when configured: Ollama has the embedding model (its pull is waited for within the run's
 * deadline) and embeds at the collection's dimension; Redis answers AUTH/PING/SET/GET/DEL; and one RAG
 * round trip through Qdrant.
 */
import { pollUntil, retry, throwIfAborted } from '../backoff';
import { isTransient } from '../client';
import type { RequestLimits } from '../http';
import { embed, isRetryableOllamaError, listModels, sameModel } from '../ollama';
import { latencyShape, TEMP_COLLECTION_PREFIX } from '../options';
import { redisRoundTrip } from '../redis';
import { CheckContext, Outcome, runCheck, seconds, skip } from './context';
import { deleteTemporary } from './latency';

/** Texts of the RAG round: the first is the one looked up, the others are near-miss distractors. */
export const RAG_TEXTS = [
  'Qdrant stores vectors and answers nearest-neighbour searches for the stack.',
  'Redis caches answers so repeated questions skip the model.',
  'Ollama runs the embedding model next to the vector database.',
  'Kubernetes restarts the pods when their probes fail.',
] as const;

/** A companion request's limits: the request timeout and the run's signal. */
const requestLimits = (ctx: CheckContext): RequestLimits => ({ timeoutMs: ctx.options.requestTimeoutMs, signal: ctx.signal });

/** Ollama's model and embedding dimension; returns true when a RAG round can follow. */
export async function checkOllama(ctx: CheckContext): Promise<boolean> {
  const ollama = ctx.options.ollama;
  if (!ollama) {
    const why = ctx.options.unchecked?.ollama;
    skip(ctx, 'ollama.model', why ?? 'no Ollama configured (--ollama-url and --embedding-model)');
    skip(ctx, 'ollama.embed', why ? 'Ollama not checked (see ollama.model)' : 'no Ollama configured');
    return false;
  }
  const listed = await runCheck(ctx, 'ollama.model', () => waitForModel(ctx, ollama.url, ollama.embeddingModel));
  if (listed.status !== 'pass') {
    skip(ctx, 'ollama.embed', 'the embedding model is not available');
    return false;
  }
  const expected = ollama.dimension ?? ctx.options.collections[0]?.vectorSize ?? latencyShape(ctx.options).size;
  const source = ollama.dimension ? 'configured' : ctx.options.collections[0] ? `collection "${ctx.options.collections[0].name}"` : 'the latency collection';
  const embedded = await runCheck(ctx, 'ollama.embed', async () => {
    const [vector] = await embed(ollama.url, ollama.embeddingModel, [RAG_TEXTS[0]], requestLimits(ctx));
    return vector.length === expected
      ? { status: 'pass', value: vector.length, threshold: expected, message: `embeddings match ${source}` }
      : { status: 'fail', value: vector.length, threshold: expected, message: `"${ollama.embeddingModel}" embeds with ${vector.length} dimensions, ${source} expects ${expected}` };
  });
  return embedded.status === 'pass';
}

/**
 * Waits, within the run's deadline, until Ollama lists `model`: under plain kubectl or Flux the smoke Job
 * and the model-pull Job start together, and a pull of several hundred MB takes minutes. Ollama not
 * answering (or answering 5xx/429) is waited out the same way; an abort ends the wait at once.
 */
async function waitForModel(ctx: CheckContext, url: string, model: string): Promise<Outcome> {
  const started = performance.now();
  let models: string[] | undefined;
  let lastError = '';
  let missing = false;
  let unanswered = false;
  const found = await pollUntil(
    async () => {
      try {
        models = await listModels(url, { ...requestLimits(ctx), until: ctx.deadline });
      } catch (e) {
        throwIfAborted(ctx.signal);
        if (!isRetryableOllamaError(e)) throw e;
        lastError = (e as Error).message;
        unanswered = true;
        return undefined;
      }
      lastError = '';
      if (models.some((m) => sameModel(m, model))) return true;
      missing = true;
      return undefined;
    },
    ctx.deadline,
    ctx.options.backoff,
    ctx.signal,
  );
  if (found) {
    const waitedFor = [unanswered ? 'Ollama to answer' : '', missing ? 'the model pull' : ''].filter(Boolean).join(' and ');
    return { status: 'pass', value: model, message: waitedFor ? `model is pulled (waited ${seconds(performance.now() - started)} for ${waitedFor})` : 'model is pulled' };
  }
  const has = models ? models.slice(0, 10).join(', ') || 'none' : 'unknown, Ollama never answered';
  const why = lastError ? `; last error: ${lastError}` : '';
  return {
    status: 'fail',
    value: null,
    threshold: model,
    message: `model "${model}" is not pulled (has: ${has}): the model pull did not finish within the deadline (${ctx.options.deadlineS} s from the start of the run)${why}`,
  };
}

/** AUTH (on connect), PING, SET/GET/DEL of a temporary key. */
export async function checkRedis(ctx: CheckContext): Promise<void> {
  const redis = ctx.options.redis;
  if (!redis) return skip(ctx, 'redis', ctx.options.unchecked?.redis ?? 'no Redis configured (--redis-url)');
  await runCheck(ctx, 'redis', async () => {
    const r = await redisRoundTrip(redis.url, redis.password, `${TEMP_COLLECTION_PREFIX}${ctx.runId}`, requestLimits(ctx));
    return r.roundTripOk
      ? { status: 'pass', value: r.pong, message: 'AUTH, PING, SET/GET/DEL of a temporary key' }
      : { status: 'fail', value: r.pong, message: 'SET/GET/DEL did not round-trip the temporary key' };
  });
}

/** Embed texts, upsert them into a temporary collection, query with the first text: it must come first. */
export async function checkRag(ctx: CheckContext, writable: boolean): Promise<void> {
  const ollama = ctx.options.ollama!;
  if (!writable) return skip(ctx, 'rag', 'needs a key that may write (read-only run)');
  const name = `${TEMP_COLLECTION_PREFIX}${ctx.runId}-rag`;
  let mayExist = false;
  try {
    await runCheck(ctx, 'rag', async () => {
      const vectors = await embed(ollama.url, ollama.embeddingModel, [...RAG_TEXTS], requestLimits(ctx));
      mayExist = true;
      await ctx.qdrant.createCollection(name, { size: vectors[0].length, distance: 'Cosine' });
      const points = vectors.map((vector, i) => ({ id: i + 1, vector, payload: { text: RAG_TEXTS[i] } }));
      await retry(() => ctx.qdrant.upsert(name, points), { retries: 5, ...ctx.options.backoff, isRetryable: isTransient, signal: ctx.signal });
      const [query] = await embed(ollama.url, ollama.embeddingModel, [RAG_TEXTS[0]], requestLimits(ctx));
      const res = await ctx.qdrant.query(name, { query, limit: 3, with_payload: true });
      const top = res.points[0];
      return top?.id === 1
        ? { status: 'pass', value: Number(top.score.toFixed(4)), message: 'embedded text found first by its own embedding' }
        : { status: 'fail', value: top ? String(top.id) : null, threshold: '1', message: `the embedded text was not found first (got ${top ? `point ${top.id}` : 'nothing'})` };
    });
  } finally {
    if (mayExist) await deleteTemporary(ctx, name, 'rag.cleanup');
  }
}

/** The companion stage: Ollama, Redis, then the RAG round when Ollama embeds and Qdrant is usable and writable. */
export async function checkCompanions(ctx: CheckContext, qdrantUsable: boolean): Promise<void> {
  const embeds = await checkOllama(ctx);
  await checkRedis(ctx);
  if (!ctx.options.ollama) return;
  if (!embeds) return skip(ctx, 'rag', 'Ollama cannot embed at the expected dimension');
  if (!qdrantUsable) return skip(ctx, 'rag', 'Qdrant is not usable');
  // A read-only key shows as a skipped seed (403 on create).
  const readOnly = ctx.options.readOnly || ctx.checks.some((c) => c.name === 'latency.seed' && c.status === 'skip');
  await checkRag(ctx, !readOnly);
}
