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

  it('fails when the model is not pulled, listing what is', async () => {
    ollama = await startOllamaStandIn({ models: ['llama3.2:latest'], dimension: 64 });
    const { report } = await runSmoke(fastOptions(qdrant.url, { ...small, ollama: { url: ollama.url, embeddingModel: 'mxbai-embed-large' } }));
    expect(checkNamed(report.checks, 'ollama.model').message).toBe('model "mxbai-embed-large" is not pulled (has: llama3.2:latest)');
    expect(report.exitCode).toBe(1);
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
