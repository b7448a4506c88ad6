/**
 * The in-cluster runner's configuration: the environment only (the variables the CLI's --help lists) and
 * the expectations.json the smoke chart renders. Usage errors exit 2 and name the variable or file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/load';
import { distanceSchema } from '../../src/config/schema';
import { DISTANCES, parseExpectations } from '../../src/smoke/input';
import { expectationsFromConfig } from '../../src/smoke/options';
import { runnerInput, runnerMain } from '../../src/smoke/runner';

const dir = mkdtempSync(join(tmpdir(), 'smoke-runner-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** Runs the runner's main with `env`; returns the exit code and what it wrote. */
async function main(env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runnerMain(env, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('the runner reads the environment and the rendered expectations', () => {
  const model = resolveConfig({
    qdrant: { version: '1.19.0', collections: [{ name: 'faq', vectorSize: 384, distance: 'Dot' }, { name: 'knowledge', vectorSize: 1024, distance: 'Cosine', embeddings: true, payloadIndexes: { tenant: 'keyword' } }] },
  });
  const expectations = expectationsFromConfig(model);
  const path = file('expectations.json', `${JSON.stringify(expectations, null, 2)}\n`);

  it('takes collections, version and the embedding model (with its dimension) from the file, the rest from the env', () => {
    const input = runnerInput({
      QDRANT_URL: 'http://qdrant:6333',
      QDRANT_API_KEY: 'k-123456',
      SMOKE_EXPECTATIONS: path,
      SMOKE_VECTORS: '500',
      SMOKE_QUERIES: '20',
      SMOKE_MAX_P95_MS: '12.5',
      SMOKE_DEADLINE_S: '30',
      OLLAMA_URL: 'http://ollama:11434',
      REDIS_URL: 'redis://redis:6379',
      REDIS_PASSWORD: 'pw-123456',
    });
    expect(input).toMatchObject({
      url: 'http://qdrant:6333',
      apiKey: 'k-123456',
      expectedVersion: '1.19.0',
      vectors: 500,
      queries: 20,
      maxP95Ms: 12.5,
      deadlineS: 30,
      readOnly: false,
      ollama: { url: 'http://ollama:11434', embeddingModel: model.ollama.embeddingModel, dimension: 1024 },
      redis: { url: 'redis://redis:6379', password: 'pw-123456' },
    });
    // The embedding collection first: the embedding dimension is compared with it.
    // Each with the model's declaration as validated, and the peers: the schema check compares as the reconciler does.
    expect(input.collections).toEqual([
      { name: 'knowledge', vectorSize: 1024, distance: 'Cosine', declared: { name: 'knowledge', vectorSize: 1024, distance: 'Cosine', embeddings: true, payloadIndexes: { tenant: 'keyword' } }, peers: 1 },
      { name: 'faq', vectorSize: 384, distance: 'Dot', declared: { name: 'faq', vectorSize: 384, distance: 'Dot' }, peers: 1 },
    ]);
    expect(input.collectionsJob).toBeUndefined();
  });

  it('a model with Ollama needs OLLAMA_URL (as the CLI needs --ollama-url with --config)', async () => {
    const { code, err } = await main({ QDRANT_URL: 'http://qdrant:6333', SMOKE_EXPECTATIONS: path });
    expect(code).toBe(2);
    expect(err).toMatch(/--ollama-url and --embedding-model go together/);
    const noOllama = file('no-ollama.json', JSON.stringify(expectationsFromConfig(resolveConfig({ ollama: { enabled: false } }))));
    expect(runnerInput({ QDRANT_URL: 'http://qdrant:6333', SMOKE_EXPECTATIONS: noOllama }).ollama).toBeUndefined();
  });

  it('round-trips every rendered expectation and keeps the distance list in step with the model', () => {
    expect(parseExpectations(JSON.stringify(expectations), 'x')).toEqual(JSON.parse(JSON.stringify(expectations)));
    expect([...DISTANCES].sort()).toEqual([...distanceSchema.options].sort());
  });

  it.each([
    [{}, /QDRANT_URL is required/],
    [{ QDRANT_URL: 'qdrant:6333x' }, /QDRANT_URL: expected a URL|QDRANT_URL: expected a http: or https: URL/],
    [{ QDRANT_URL: 'http://q:6333', SMOKE_VECTORS: 'many' }, /SMOKE_VECTORS: expected a number of vectors, a positive integer/],
    [{ QDRANT_URL: 'http://q:6333', SMOKE_DISTANCE: 'cosine' }, /SMOKE_DISTANCE: expected one of Cosine, Dot, Euclid, Manhattan/],
    [{ QDRANT_URL: 'http://q:6333', REDIS_URL: 'http://redis:6379' }, /REDIS_URL: expected a redis: or rediss: URL/],
    [{ QDRANT_URL: 'http://q:6333', OLLAMA_EMBEDDING_MODEL: 'm' }, /--ollama-url and --embedding-model go together/],
    [{ QDRANT_URL: 'http://q:6333', SMOKE_CONFIG: '/smoke/stack.json' }, /SMOKE_CONFIG .*qdrant-stack smoke --config.*SMOKE_EXPECTATIONS/],
    [{ QDRANT_URL: 'http://q:6333', SMOKE_FORMAT: 'junit' }, /text report only/],
    [{ QDRANT_URL: 'http://q:6333', SMOKE_EXPECTATIONS: '/nonexistent/expectations.json' }, /SMOKE_EXPECTATIONS: cannot read \/nonexistent\/expectations.json \(ENOENT\)/],
    [{ QDRANT_URL: 'http://q:6333', SMOKE_EXPECTATIONS: '/dev/zero' }, /SMOKE_EXPECTATIONS: \/dev\/zero is not a regular file/],
    [{ QDRANT_URL: 'http://q:6333', SMOKE_VECTORS: '99999999999999999999' }, /SMOKE_VECTORS: expected a number of vectors, a positive integer up to 1000000/],
  ])('exits 2 on %j, naming what is wrong', async (env, message) => {
    const { code, out, err } = await main(env as Record<string, string>);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['a list', '[]', /not an object/],
    ['no collections', '{"expectedVersion":"1.19.0"}', /collections must be a list/],
    ['a nameless collection', '{"collections":[{"vectorSize":3}]}', /collections\[0\] needs a name/],
    ['a wrong distance', '{"collections":[{"name":"a","distance":"cosine"}]}', /collections\[0\]\.distance must be one of/],
    ['a size as text', '{"collections":[{"name":"a","vectorSize":"3"}]}', /collections\[0\]\.vectorSize must be a number/],
    ['Ollama without a model', '{"collections":[],"ollama":{"dimension":3}}', /ollama needs an embeddingModel/],
    ['a declaration of another collection', '{"collections":[{"name":"a","declared":{"name":"b","vectorSize":3,"distance":"Dot"}}]}', /collections\[0\]\.declared must be the model's declaration of "a"/],
    ['a declaration without vectors', '{"collections":[{"name":"a","declared":{"name":"a"}}]}', /collections\[0\]\.declared needs vectors or a vectorSize/],
    ['peers as text', '{"collections":[{"name":"a","peers":"3"}]}', /collections\[0\]\.peers must be a positive whole number/],
    ['a collections Job without a namespace', '{"collections":[],"collectionsJob":{"name":"s-collections"}}', /collectionsJob must be \{ namespace, name \}/],
  ])('exits 2 for an expectations file with %s, naming the file', async (_what, text, message) => {
    const bad = file('bad.json', text);
    const { code, err } = await main({ QDRANT_URL: 'http://q:6333', SMOKE_EXPECTATIONS: bad });
    expect(code).toBe(2);
    expect(err).toContain(bad);
    expect(err).toMatch(message);
  });
});
