/**
 * Companions: Ollama (stand-in) and Redis (a real redis-server with a password), plus the RAG round
 * through the Qdrant stand-in. Redis tests skip, naming the reason, when redis-server is not installed.
 */
import { runSmoke } from '../../src/smoke/run';
import { formatJson } from '../../src/smoke/format/json';
import { formatJunit } from '../../src/smoke/format/junit';
import { formatText } from '../../src/smoke/format/text';
import { startOllamaStandIn, OllamaStandIn } from './support/ollama-stand-in';
import { startQdrantStandIn, QdrantStandIn } from './support/qdrant-stand-in';
import { findRedisServer, RedisServer, startRedis } from '../support/redis-server';
import { ADMIN_KEY, appCollection, checkNamed, fastOptions } from './support/fixtures';

const REDIS_PASSWORD = 'redis-pass-7d41c2e9b8';
const redisBinary = findRedisServer();

let qdrant: QdrantStandIn;
let ollama: OllamaStandIn | undefined;
beforeAll(async () => {
  qdrant = await startQdrantStandIn({ apiKey: ADMIN_KEY, collections: { knowledge: appCollection() } });
});
afterAll(() => qdrant.close());
afterEach(async () => {
  await ollama?.close();
  ollama = undefined;
});

const small = { apiKey: ADMIN_KEY, vectors: 300, queries: 5 };

describe('Ollama and the RAG round', () => {
  it('passes when the model is pulled and embeds at the collection dimension; the text is found first', async () => {
    ollama = await startOllamaStandIn({ models: ['nomic-embed-text:latest'], dimension: 64 });
    const { report } = await runSmoke(fastOptions(qdrant.url, { ...small, ollama: { url: ollama.url, embeddingModel: 'nomic-embed-text' } }));
    expect(checkNamed(report.checks, 'ollama.model').status).toBe('pass');
    expect(checkNamed(report.checks, 'ollama.embed')).toMatchObject({ status: 'pass', value: 64, threshold: 64 });
    expect(checkNamed(report.checks, 'rag')).toMatchObject({ status: 'pass', value: 1 });
    expect(checkNamed(report.checks, 'rag.cleanup').status).toBe('pass');
    expect(qdrant.collectionNames()).toEqual(['knowledge']);
    expect(report.exitCode).toBe(0);
  });

  it('fails on a dimension mismatch and skips the RAG round', async () => {
    ollama = await startOllamaStandIn({ models: ['all-minilm:latest'], dimension: 384 });
    const { report } = await runSmoke(fastOptions(qdrant.url, { ...small, ollama: { url: ollama.url, embeddingModel: 'all-minilm' } }));
    expect(checkNamed(report.checks, 'ollama.embed')).toMatchObject({ status: 'fail', value: 384, threshold: 64 });
    expect(checkNamed(report.checks, 'ollama.embed').message).toBe('"all-minilm" embeds with 384 dimensions, collection "knowledge" expects 64');
    expect(checkNamed(report.checks, 'rag').status).toBe('skip');
    expect(report.exitCode).toBe(1);
  });

  it('fails when the model is not pulled by the deadline, naming it, what Ollama has, and the deadline', async () => {
    ollama = await startOllamaStandIn({ models: ['llama3.2:latest'], dimension: 64 });
    // 3 s, not less: on a loaded machine the checks before Ollama's must not use up the deadline.
    const { report } = await runSmoke(fastOptions(qdrant.url, { ...small, deadlineS: 3, ollama: { url: ollama.url, embeddingModel: 'mxbai-embed-large' } }));
    expect(checkNamed(report.checks, 'ollama.model')).toMatchObject({
      status: 'fail',
      threshold: 'mxbai-embed-large',
      message: 'model "mxbai-embed-large" is not pulled (has: llama3.2:latest): the model pull did not finish within the deadline (3 s from the start of the run)',
    });
    expect(checkNamed(report.checks, 'ollama.embed').status).toBe('skip');
    expect(report.exitCode).toBe(1);
  });

  it('waits for a model still being pulled, then passes and says it waited', async () => {
    ollama = await startOllamaStandIn({ models: ['llama3.2:latest'], dimension: 64, pulling: { model: 'nomic-embed-text:latest', afterCalls: 3 } });
    const { report } = await runSmoke(fastOptions(qdrant.url, { ...small, ollama: { url: ollama.url, embeddingModel: 'nomic-embed-text' } }));
    const model = checkNamed(report.checks, 'ollama.model');
    expect(model).toMatchObject({ status: 'pass', value: 'nomic-embed-text' });
    expect(model.message).toMatch(/^model is pulled \(waited \d+\.\d s for the model pull\)$/);
    // Listed on the 4th call: three answers without it, then the one with it, and no call after.
    expect(ollama.tagsCalls()).toBe(4);
    expect(checkNamed(report.checks, 'ollama.embed').status).toBe('pass');
    expect(checkNamed(report.checks, 'rag').status).toBe('pass');
    expect(report.exitCode).toBe(0);
  });

  it('says nothing about waiting when the model is there at once', async () => {
    ollama = await startOllamaStandIn({ models: ['nomic-embed-text:latest'], dimension: 64 });
    const { report } = await runSmoke(fastOptions(qdrant.url, { ...small, ollama: { url: ollama.url, embeddingModel: 'nomic-embed-text' } }));
    expect(checkNamed(report.checks, 'ollama.model').message).toBe('model is pulled');
    expect(ollama.tagsCalls()).toBe(1);
  });

  it('fails when the pull outlasts the deadline, after polling until then (not before)', async () => {
    ollama = await startOllamaStandIn({ models: [], dimension: 64, pulling: { model: 'mxbai-embed-large:latest', afterMs: 60_000 } });
    const started = Date.now();
    const { report } = await runSmoke(fastOptions(qdrant.url, { ...small, deadlineS: 1.5, ollama: { url: ollama.url, embeddingModel: 'mxbai-embed-large' } }));
    const elapsed = Date.now() - started;
    const model = checkNamed(report.checks, 'ollama.model');
    expect(model.status).toBe('fail');
    expect(model.message).toBe('model "mxbai-embed-large" is not pulled (has: none): the model pull did not finish within the deadline (1.5 s from the start of the run)');
    expect(ollama.tagsCalls()).toBeGreaterThan(2);
    // The deadline counts from the start of the run, like Qdrant's waits: reached, and the 60 s pull not waited out
    // (a generous bound: a loaded CI machine must not fail it; timing itself is for bench/).
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(30_000);
    expect(report.exitCode).toBe(1);
  });

  it('waits out an Ollama that does not answer yet (connection refused), like a pull', async () => {
    const probe = await startOllamaStandIn({ models: [], dimension: 64 });
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const later = new Promise<OllamaStandIn>((resolve) => setTimeout(() => resolve(startOllamaStandIn({ models: ['nomic-embed-text:latest'], dimension: 64, port })), 400));
    try {
      const { report } = await runSmoke(fastOptions(qdrant.url, { ...small, ollama: { url: `http://127.0.0.1:${port}`, embeddingModel: 'nomic-embed-text' } }));
      const model = checkNamed(report.checks, 'ollama.model');
      expect(model).toMatchObject({ status: 'pass' });
      expect(model.message).toMatch(/^model is pulled \(waited \d+\.\d s for Ollama to answer\)$/);
      expect(report.exitCode).toBe(0);
    } finally {
      await (await later).close();
    }
  });

  it('names the last error when Ollama never answers within the deadline', async () => {
    const probe = await startOllamaStandIn({ models: [], dimension: 64 });
    const url = probe.url;
    await probe.close();
    const { report } = await runSmoke(fastOptions(qdrant.url, { ...small, deadlineS: 1, ollama: { url, embeddingModel: 'nomic-embed-text' } }));
    expect(checkNamed(report.checks, 'ollama.model').message).toBe(
      'model "nomic-embed-text" is not pulled (has: unknown, Ollama never answered): the model pull did not finish within the deadline (1 s from the start of the run); last error: Ollama /api/tags: ECONNREFUSED',
    );
  });

  it('an abort ends the wait at once: the run reports the interruption, not a missing model', async () => {
    ollama = await startOllamaStandIn({ models: [], dimension: 64, pulling: { model: 'mxbai-embed-large:latest', afterMs: 60_000 } });
    const controller = new AbortController();
    const stand = ollama;
    const polling = setInterval(() => stand.tagsCalls() > 0 && controller.abort('received SIGTERM, cleaning up'), 10);
    const started = Date.now();
    try {
      const { report } = await runSmoke(fastOptions(qdrant.url, { ...small, deadlineS: 60, ollama: { url: ollama.url, embeddingModel: 'mxbai-embed-large' } }), { signal: controller.signal });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(report.checks.find((c) => c.name === 'ollama.model')).toBeUndefined();
      expect(checkNamed(report.checks, 'interrupted').message).toMatch(/received SIGTERM/);
      expect(report.exitCode).toBe(1);
    } finally {
      clearInterval(polling);
    }
  });
});

(redisBinary ? describe : describe.skip)(`Redis (real redis-server)${redisBinary ? '' : ' — SKIPPED: redis-server not installed (apt-get install -y redis-server)'}`, () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis(REDIS_PASSWORD);
  });
  afterAll(() => redis?.stop());

  it('passes AUTH, PING, SET/GET/DEL with the password from REDIS_PASSWORD or from the URL', async () => {
    const viaEnv = await runSmoke(fastOptions(qdrant.url, { ...small, redis: { url: redis.url, password: REDIS_PASSWORD } }));
    expect(checkNamed(viaEnv.report.checks, 'redis')).toMatchObject({ status: 'pass', value: 'PONG' });
    const inUrl = `redis://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`;
    const viaUrl = await runSmoke(fastOptions(qdrant.url, { ...small, redis: { url: inUrl } }));
    expect(checkNamed(viaUrl.report.checks, 'redis').status).toBe('pass');
    expect(viaUrl.report.target.redisUrl).toBe(`redis://:***@127.0.0.1:${redis.port}`);
    for (const out of [formatJson(viaUrl.report), formatJunit(viaUrl.report), formatText(viaUrl.report)]) expect(out).not.toContain(REDIS_PASSWORD);
  });

  it('fails with a wrong password, without printing it', async () => {
    const wrong = 'wrong-redis-pass-123';
    const { report } = await runSmoke(fastOptions(qdrant.url, { ...small, redis: { url: redis.url, password: wrong } }));
    const check = checkNamed(report.checks, 'redis');
    expect(check.status).toBe('fail');
    expect(check.message).toMatch(/WRONGPASS/);
    expect(report.exitCode).toBe(1);
    expect(formatJson(report)).not.toContain(wrong);
  });

  it('fails when Redis requires a password and none is given', async () => {
    const { report } = await runSmoke(fastOptions(qdrant.url, { ...small, redis: { url: redis.url } }));
    expect(checkNamed(report.checks, 'redis').message).toMatch(/NOAUTH/);
    expect(report.exitCode).toBe(1);
  });
});
