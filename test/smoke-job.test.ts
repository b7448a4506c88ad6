/**
 * The in-cluster smoke Job, run for real: the bundled runner is taken out of the rendered ConfigMap and
 * started with the Job's own command and environment (Secrets and the connection ConfigMap resolved as the
 * kubelet would), against the Qdrant and Ollama stand-ins and a real redis-server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMOKE_BUNDLE_PATH } from '../src/smoke/bundle';
import { existsSync } from 'node:fs';
import { resolveConfig } from '../src/config/load';
import type { StackInput } from '../src/config/schema';
import { smokeJobExpectations } from '../src/stack/jobs';
import { find, Manifest, synthStack } from './support/stack';
import { hasRedisServer, RedisServer, startRedis } from './support/redis-server';
import { startOllamaStandIn, OllamaStandIn } from './smoke/support/ollama-stand-in';
import { startQdrantStandIn, QdrantStandIn } from './smoke/support/qdrant-stand-in';
import { startImpostor } from './smoke/support/impostor';
import { appCollection } from './smoke/support/fixtures';
import { applyCollections } from '../src/collections/reconcile';
import { HYBRID } from './collections/fixtures';

const API_KEY = 'job-admin-key-3c9d1e';
const REDIS_PASSWORD = 'job-redis-pw-8a7f';

describe('smoke Job manifests', () => {
  const objects = synthStack({ name: 'test' });
  const job = find(objects, 'Job', 'test-smoke');
  const spec = job.spec.template.spec;
  const container = spec.containers[0];

  test('a PostSync hook (after the model pull), BeforeHookCreation, bounded retries and run time', () => {
    expect(job.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation', 'argocd.argoproj.io/sync-wave': '1' });
    expect(find(objects, 'Job', 'test-ollama-pull-models').metadata.annotations!['argocd.argoproj.io/sync-wave']).toBe('0');
    expect(job.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 1200 });
  });

  test('the Helm-test style is an option', () => {
    const helm = find(synthStack({ name: 'test', smoke: { hook: 'helm-test' } }), 'Job', 'test-smoke');
    expect(helm.metadata.annotations).toEqual({ 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'before-hook-creation' });
  });

  test('a stock node image, the runner from a ConfigMap, nothing downloaded', () => {
    expect(container.image).toBe('node:22-alpine');
    expect(container.command.slice(0, 2)).toEqual(['node', '-e']);
    expect(container.command[2]).not.toMatch(/npm|npx|http/);
    const files = find(objects, 'ConfigMap', 'test-smoke');
    expect(Object.keys(files.binaryData)).toEqual(['smoke-runner.js.br']);
    expect(Object.keys(files.data)).toEqual(['expectations.json']);
  });

  test('the ConfigMap carries the expectations the runner checks: the declared collections, not the whole stack model', () => {
    const files = find(objects, 'ConfigMap', 'test-smoke');
    const expectations = JSON.parse(files.data['expectations.json']);
    expect(expectations).toEqual(JSON.parse(JSON.stringify(smokeJobExpectations(resolveConfig({ name: 'test' })))));
    expect(expectations).toEqual({
      expectedVersion: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      // The declaration as validated and the peers: the schema check compares them as the collections Job does.
      collections: [{ name: 'knowledge', vectorSize: 1024, distance: 'Cosine', declared: { name: 'knowledge', vectorSize: 1024, distance: 'Cosine' }, peers: 1 }],
      ollama: { embeddingModel: 'mxbai-embed-large', dimension: 1024 },
      // The Job the schema check waits for and points to.
      collectionsJob: { namespace: 'test', name: 'test-collections' },
    });
    expect(find(objects, 'Job', 'test-collections').metadata.labels!['app.kubernetes.io/name']).toBe('collections'); // `plan --job collections` names it
    const unmanaged = find(synthStack({ name: 'test', qdrant: { manageCollections: false } }), 'ConfigMap', 'test-smoke');
    expect(JSON.parse(unmanaged.data['expectations.json']).collectionsJob).toBeUndefined();
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    expect(env.SMOKE_EXPECTATIONS).toBe('/runner/expectations.json');
    expect(env.SMOKE_CONFIG).toBeUndefined();
  });

  test('secrets only through secretKeyRef; URLs from the connection contract; client label for the NetworkPolicies', () => {
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e]));
    expect(env.QDRANT_API_KEY.valueFrom.secretKeyRef).toEqual({ name: 'test-qdrant-api-key', key: 'api-key' });
    expect(env.REDIS_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'test-redis-password', key: 'password' });
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'test-connection' } }]);
    expect(job.spec.template.metadata.labels['qdrant-stack/client']).toBe('true');
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });

  // Client-side `kubectl apply` (and Argo CD's default sync) copies each object into the
  // last-applied-configuration annotation, and all annotations of an object may hold 262,144 bytes.
  test('the runner ConfigMap is at most 150 KB serialized, far below what client-side apply can annotate', () => {
    const files = find(objects, 'ConfigMap', 'test-smoke');
    expect(Buffer.byteLength(JSON.stringify(files))).toBeLessThanOrEqual(150 * 1000);
  });

  test.each<[string, StackInput]>([
    ['default', { name: 'test' }],
    ['TLS', { name: 'test', qdrant: { tls: { secretName: 't' } } }],
    ['prod profile', { name: 'test', profile: 'prod' }],
  ])('no rendered object of the %s stack is above 200 KB', (_what, input) => {
    const sizes = synthStack(input).map((o) => ({ object: `${o.kind}/${o.metadata.name}`, bytes: Buffer.byteLength(JSON.stringify(o)) }));
    expect(sizes.length).toBeGreaterThan(10);
    expect(sizes.filter((s) => s.bytes > 200 * 1000)).toEqual([]);
  });

  test('disabled: no smoke chart', () => {
    expect(synthStack({ name: 'test', smoke: { enabled: false } }).filter((o) => o.metadata.name === 'test-smoke')).toEqual([]);
  });
});

/** Runs the Job's container command locally, with its env resolved and its paths moved into `dir`. */
function runJob(objects: Manifest[], resolve: { secrets: Record<string, string>; urls: Record<string, string>; extraEnv?: Record<string, string> }) {
  const dir = mkdtempSync(join(tmpdir(), 'smoke-job-'));
  // The ConfigMap volume, as the kubelet projects it: one file per key.
  const files = find(objects, 'ConfigMap', 'test-smoke');
  for (const [key, text] of Object.entries<string>(files.data ?? {})) writeFileSync(join(dir, key), text);
  for (const [key, base64] of Object.entries<string>(files.binaryData ?? {})) writeFileSync(join(dir, key), Buffer.from(base64, 'base64'));
  const container = find(objects, 'Job', 'test-smoke').spec.template.spec.containers[0];
  const env: Record<string, string> = { PATH: process.env.PATH! };
  for (const from of container.envFrom) Object.assign(env, find(objects, 'ConfigMap', from.configMapRef.name).data, resolve.urls);
  for (const e of container.env) {
    if (e.value !== undefined) env[e.name] = e.value.replace('/runner/', `${dir}/`);
    else env[e.name] = resolve.secrets[`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`];
  }
  Object.assign(env, resolve.extraEnv);
  const program = container.command[2].replace(/\/(runner|tmp)\//g, `${dir}/`);
  return new Promise<{ code: number | null; output: string }>((done) => {
    const child = spawn(container.command[0] === 'node' ? process.execPath : container.command[0], ['-e', program], { env });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('close', (code) => done({ code, output }));
  });
}

(existsSync(SMOKE_BUNDLE_PATH) && hasRedisServer() ? describe : describe.skip)('the smoke Job, run as rendered', () => {
  let qdrant: QdrantStandIn;
  let ollama: OllamaStandIn;
  let redis: RedisServer;
  // Small numbers keep the run short; everything else is as rendered.
  const objects = synthStack({ name: 'test', smoke: { vectors: 500, queries: 20, deadlineSeconds: 5 } });

  beforeAll(async () => {
    qdrant = await startQdrantStandIn({ apiKey: API_KEY, collections: { knowledge: appCollection(1024, 20) } });
    ollama = await startOllamaStandIn({ models: ['mxbai-embed-large:latest'], dimension: 1024 });
    redis = await startRedis(REDIS_PASSWORD);
  });
  afterAll(async () => {
    await Promise.all([qdrant?.close(), ollama?.close(), redis?.stop()]);
  });

  const urls = () => ({ QDRANT_URL: qdrant.url, OLLAMA_URL: ollama.url, REDIS_URL: redis.url });
  const secrets = (apiKey: string, password: string) => ({ 'test-qdrant-api-key/api-key': apiKey, 'test-redis-password/password': password });

  test('passes against a healthy stack: exit 0, every check listed, no secret printed', async () => {
    const { code, output } = await runJob(objects, { secrets: secrets(API_KEY, REDIS_PASSWORD), urls: urls() });
    expect(output).toMatch(/collection\.knowledge/);
    expect(output).toMatch(/ollama/i);
    expect(output).toMatch(/redis/i);
    expect(code).toBe(0);
    expect(output).not.toContain(API_KEY);
    expect(output).not.toContain(REDIS_PASSWORD);
    expect(qdrant.collectionNames()).toEqual(['knowledge']);
  }, 60_000);

  test('a wrong API key fails the Job (exit 1) without printing either key', async () => {
    const { code, output } = await runJob(objects, { secrets: secrets('not-the-key', REDIS_PASSWORD), urls: urls() });
    expect(output).toMatch(/Invalid API key|refused|401/);
    expect(code).toBe(1);
    expect(output).not.toContain('not-the-key');
    expect(output).not.toContain(API_KEY);
  }, 60_000);

  test('waits for the model pull that started with it (plain kubectl, Flux): exit 0, and says it waited', async () => {
    const pulling = await startOllamaStandIn({ models: [], dimension: 1024, pulling: { model: 'mxbai-embed-large:latest', afterCalls: 2 } });
    try {
      const { code, output } = await runJob(objects, { secrets: secrets(API_KEY, REDIS_PASSWORD), urls: { ...urls(), OLLAMA_URL: pulling.url } });
      expect(output).toMatch(/^ollama\.model\s+PASS\s.*model is pulled \(waited [\d.]+ s for the model pull\)$/m);
      expect(pulling.tagsCalls()).toBe(3);
      expect(code).toBe(0);
    } finally {
      await pulling.close();
    }
  }, 60_000);

  test('a model pull that outlasts the deadline fails the Job (exit 1), naming the model', async () => {
    const stuck = await startOllamaStandIn({ models: ['llama3.2:latest'], dimension: 1024, pulling: { model: 'mxbai-embed-large:latest' } });
    try {
      const { code, output } = await runJob(objects, { secrets: secrets(API_KEY, REDIS_PASSWORD), urls: { ...urls(), OLLAMA_URL: stuck.url } });
      expect(output).toMatch(/^ollama\.model\s+FAIL\s.*model "mxbai-embed-large" is not pulled \(has: llama3\.2:latest\): the model pull did not finish within the deadline \(5 s/m);
      expect(code).toBe(1);
    } finally {
      await stuck.close();
    }
  }, 60_000);

  test('reads at most 32 MiB of an answer and keeps to its deadline (undici inside Node\'s fetch, as bundled)', async () => {
    const endless = await startImpostor('endless');
    const silent = await startImpostor('silent');
    try {
      const big = await runJob(objects, { secrets: secrets(API_KEY, REDIS_PASSWORD), urls: { ...urls(), QDRANT_URL: endless.url } });
      expect(big.output).toMatch(/^qdrant\.reachable\s+FAIL\s.*GET \/ did not answer as Qdrant: the answer passed the 32 MiB a smoke check reads$/m);
      expect(big.code).toBe(1);
      const started = Date.now();
      const hung = await runJob(objects, { secrets: secrets(API_KEY, REDIS_PASSWORD), urls: { ...urls(), QDRANT_URL: silent.url }, extraEnv: { SMOKE_DEADLINE_S: '1' } });
      expect(hung.output).toMatch(/no answer on GET \/ within the deadline: no answer within 1\.0 s/);
      expect(hung.code).toBe(3);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await Promise.all([endless.close(), silent.close()]);
    }
  }, 60_000);

  test('an unreachable Qdrant exits 3', async () => {
    const { code } = await runJob(objects, { secrets: secrets(API_KEY, REDIS_PASSWORD), urls: { ...urls(), QDRANT_URL: 'http://127.0.0.1:9' }, extraEnv: { SMOKE_DEADLINE_S: '2' } });
    expect(code).toBe(3);
  }, 60_000);
});

/**
 * A fresh install: the collections Job creates the declared collections, the smoke Job checks them with the
 * reconciler's comparison. Under Argo CD the Jobs run in that order (PostSync waves 0 and 1); under plain
 * kubectl and Flux they start together, and the smoke Job waits for the collections.
 */
(existsSync(SMOKE_BUNDLE_PATH) && hasRedisServer() ? describe : describe.skip)('a fresh install: the collections reconciler, then the smoke Job', () => {
  let ollama: OllamaStandIn;
  let redis: RedisServer;
  let qdrant: QdrantStandIn | undefined;
  // A hybrid collection (named dense vector for the embeddings, sparse vector, HNSW, quantization, indexes, an alias).
  const input: StackInput = { name: 'test', smoke: { vectors: 300, queries: 10, deadlineSeconds: 5 }, qdrant: { collections: [HYBRID as never] } };
  const objects = synthStack(input);
  const config = resolveConfig(input);
  const reconcile = (url: string) =>
    applyCollections({ url, apiKey: API_KEY }, config.qdrant.collections, { peers: config.qdrant.replicas, deadlineMs: 10_000, backoff: { baseMs: 20, capMs: 200 } });

  beforeAll(async () => {
    ollama = await startOllamaStandIn({ models: ['mxbai-embed-large:latest'], dimension: 1024 });
    redis = await startRedis(REDIS_PASSWORD);
  });
  beforeEach(async () => {
    qdrant = await startQdrantStandIn({ apiKey: API_KEY });
  });
  afterEach(() => qdrant?.close());
  afterAll(async () => {
    await Promise.all([ollama?.close(), redis?.stop()]);
  });
  const job = (extraEnv: Record<string, string> = {}) =>
    runJob(objects, {
      secrets: { 'test-qdrant-api-key/api-key': API_KEY, 'test-redis-password/password': REDIS_PASSWORD },
      urls: { QDRANT_URL: qdrant!.url, OLLAMA_URL: ollama.url, REDIS_URL: redis.url },
      extraEnv,
    });

  test('the reconciler first (Argo CD\'s order): the smoke Job passes, the collection in sync with the model', async () => {
    const applied = await reconcile(qdrant!.url);
    expect(applied.collections).toEqual([expect.objectContaining({ name: 'docs', action: 'create', applied: true })]);
    const { code, output } = await job();
    expect(output).toMatch(/^collection\.docs\s+PASS\s+in sync green\s+in sync green\|yellow\s+\d+\s+in sync with the stack model$/m);
    expect(code).toBe(0);
    expect(qdrant!.collectionNames()).toEqual(['docs']);
  }, 60_000);

  test('both started together (plain kubectl, Flux): the smoke Job waits for the collection and says how long', async () => {
    const reconciler = new Promise((r) => setTimeout(r, 1000)).then(() => reconcile(qdrant!.url));
    const [{ code, output }, applied] = await Promise.all([job(), reconciler]);
    expect(applied.collections[0]).toMatchObject({ action: 'create', applied: true });
    expect(output).toMatch(/^collection\.docs\s+PASS\s.*in sync with the stack model \(waited [\d.]+ s for it to be created/m);
    expect(code).toBe(0);
  }, 60_000);

  test('no reconciler within the deadline: the smoke Job fails, naming the collection and the collections Job', async () => {
    const { code, output } = await job({ SMOKE_DEADLINE_S: '1' });
    expect(output).toMatch(
      /^collection\.docs\s+FAIL\s+missing\s+.*collection "docs" does not exist within the deadline \(1 s from the start of the run\) \(waited [\d.]+ s for it to be created\): the collections Job test-collections-<hash> \(its log: kubectl -n test logs job\/\$\(qdrant-stack plan --job collections\)\) should have created it$/m,
    );
    expect(code).toBe(1);
  }, 60_000);
});
