/**
 * The schema check of a collection the stack model declares: the reconciler's own comparison
 * (src/collections/diff.ts) over what the real client reads from the stand-in — `GET /collections/{name}`,
 * its aliases and, for more than one copy, its shards — the green/yellow status, and the wait for a
 * collection the collections Job has yet to create or update (plain kubectl and Flux start both Jobs together).
 */
import { applyCollections } from '../../src/collections/reconcile';
import { createBody, declaredShape, indexBody } from '../../src/collections/wire';
import { resolveConfig } from '../../src/config/load';
import { runSmoke } from '../../src/smoke/run';
import { expectationsFromConfig, SmokeInput } from '../../src/smoke/options';
import { HYBRID } from '../collections/fixtures';
import { ADMIN_KEY, appCollection, checkNamed, fastOptions, READ_ONLY_KEY } from './support/fixtures';
import { QdrantStandIn, startQdrantStandIn } from './support/qdrant-stand-in';

let qdrant: QdrantStandIn | undefined;
afterEach(async () => {
  await qdrant?.close();
  qdrant = undefined;
});

/** A stack model of these collections, validated; its expectations as `--config` gives them. */
function model(collections: object[], replicas = 1) {
  const config = resolveConfig({ ollama: { enabled: false }, qdrant: { replicas, collections } });
  return { config, collections: expectationsFromConfig(config).collections };
}

const hybrid = model([HYBRID]);
/** Small numbers: the temporary collection follows the 1024-dimension dense vector. */
const run = (url: string, extra: Partial<SmokeInput> = {}) => runSmoke(fastOptions(url, { apiKey: ADMIN_KEY, vectors: 200, queries: 5, collections: hybrid.collections, ...extra }));
/** Reads of the run against `docs`, as `METHOD path`. */
const reads = (q: QdrantStandIn) => q.log.filter((r) => r.method === 'GET' && r.path.startsWith('/collections/docs')).map((r) => `${r.path} ${r.status}`);

/** The hybrid collection as the reconciler creates it, over HTTP with the real client. */
async function reconciled(options: Parameters<typeof startQdrantStandIn>[0] = {}, declared = hybrid) {
  const q = (qdrant = await startQdrantStandIn({ apiKey: ADMIN_KEY, readOnlyApiKey: READ_ONLY_KEY, ...options }));
  const report = await applyCollections({ url: q.url, apiKey: ADMIN_KEY }, declared.config.qdrant.collections, { peers: declared.config.qdrant.replicas, backoff: { baseMs: 2, capMs: 20 }, deadlineMs: 5000 });
  expect(report.collections.map((c) => [c.name, c.action, c.error])).toEqual(declared.config.qdrant.collections.map((c) => [c.name, 'create', undefined]));
  q.log.length = 0;
  return q;
}

describe('a declared collection, compared as the reconciler compares it', () => {
  it('in sync (a hybrid collection as the reconciler created it): pass, without a wait; extra indexes and aliases are fine', async () => {
    const q = await reconciled();
    q.state.createIndex(q.state.collections.get('docs')!, { field_name: 'year', field_schema: 'integer' });
    q.state.aliases.set('docs-old', 'docs');
    const { report } = await run(q.url);
    expect(checkNamed(report.checks, 'collection.docs')).toMatchObject({
      status: 'pass',
      value: 'in sync green',
      threshold: 'in sync green|yellow',
      message: 'in sync with the stack model (not in the model, left alone: payload indexes year; aliases docs-old)',
    });
    // The collection and its aliases, once; no cluster info for one copy per shard.
    expect(reads(q)).toEqual(['/collections/docs 200', '/collections/docs/aliases 200']);
    expect(report.exitCode).toBe(0);
  });

  it('a mutable difference (HNSW m of the collection and of its dense vector): fail with the per-leaf lines, and apply makes them', async () => {
    const q = await reconciled();
    const stored = q.state.collections.get('docs')!;
    stored.hnsw_config.m = 8;
    stored.params.vectors.dense.hnsw_config.m = 16;
    const { report } = await run(q.url, { deadlineS: 0.5 });
    const check = checkNamed(report.checks, 'collection.docs');
    expect(check).toMatchObject({ status: 'fail', value: 'update pending', threshold: 'in sync green|yellow' });
    expect(check.message).toMatch(
      /^not in sync with the stack model within the deadline \(0\.5 s from the start of the run\) \(waited [\d.]+ s for its updates\): docs\.vectors\.dense\.hnsw\.m: declared 32, found 16; docs\.hnsw\.m: declared 16, found 8\. qdrant-stack collections apply \(with the same --url and --config\) makes these changes, as does the collections Job after a deploy(; last error: .*)?$/,
    );
    expect(report.exitCode).toBe(1);
    // And apply does make them: the check passes next time.
    await applyCollections({ url: q.url, apiKey: ADMIN_KEY }, hybrid.config.qdrant.collections, { backoff: { baseMs: 2, capMs: 20 } });
    expect(checkNamed((await run(q.url)).report.checks, 'collection.docs').status).toBe('pass');
  });

  it('a missing payload index and a missing alias are updates too', async () => {
    const q = await reconciled();
    delete q.state.collections.get('docs')!.payload_schema.lang;
    q.state.aliases.delete('docs-current');
    const { report } = await run(q.url, { deadlineS: 0.3 });
    expect(checkNamed(report.checks, 'collection.docs').message).toMatch(/: docs\.payloadIndexes\.lang: declared keyword, found \(none\); docs\.aliases\.docs-current: declared docs, found \(none\)\. /);
  });

  it('drift (the dense vector\'s size): fail at once, naming the leaf fixed at creation and that it needs a decision', async () => {
    const q = (qdrant = await startQdrantStandIn({ apiKey: ADMIN_KEY }));
    const shape = declaredShape(hybrid.config.qdrant.collections[0]);
    const body = createBody(shape) as { vectors: Record<string, { size: number }> };
    body.vectors.dense.size = 768;
    q.seed('docs', body, Object.entries(shape.payloadIndexes).map(([f, i]) => indexBody(f, i)), shape.aliases);
    const started = Date.now();
    const { report } = await run(q.url, { deadlineS: 3 });
    const check = checkNamed(report.checks, 'collection.docs');
    expect(check).toMatchObject({ status: 'fail', value: 'drift' });
    expect(check.message).toBe(
      'in drift from the stack model: docs.vectors.dense.size: declared 1024, found 768 (fixed at creation). The reconciler writes nothing to a collection in drift: this needs a decision (a new collection and an alias move, or a declaration that matches; see "Collections as code" in the README)',
    );
    // No wait: nothing the reconciler does would change it.
    expect(reads(q)).toEqual(['/collections/docs 200', '/collections/docs/aliases 200']);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(report.exitCode).toBe(1);
  });

  it('in sync but red: the status check stays', async () => {
    const q = (qdrant = await startQdrantStandIn({ apiKey: ADMIN_KEY, collections: { knowledge: { ...appCollection(64, 0), status: 'red' } } }));
    const { report } = await run(q.url, { collections: model([{ name: 'knowledge', vectorSize: 64, distance: 'Cosine' }]).collections });
    expect(checkNamed(report.checks, 'collection.knowledge')).toMatchObject({ status: 'fail', value: 'in sync red', message: 'in sync with the stack model, but its status is red, expected green or yellow' });
  });

  it('more than one copy per shard: reads the cluster info, and a shard short of a copy is drift with the step to take', async () => {
    const three = model([HYBRID], 3);
    const q = await reconciled({ peers: 3 }, three);
    const { report } = await run(q.url, { collections: three.collections });
    expect(checkNamed(report.checks, 'collection.docs').status).toBe('pass');
    expect(reads(q)).toEqual(['/collections/docs 200', '/collections/docs/aliases 200', '/collections/docs/cluster 200']);
    q.state.collections.get('docs')!.replicas[1] = [2];
    const short = checkNamed((await run(q.url, { collections: three.collections })).report.checks, 'collection.docs');
    expect(short).toMatchObject({ status: 'fail', value: 'drift' });
    expect(short.message).toMatch(/^in drift from the stack model: docs\.shards\.1\.replicas: declared 2, found 1 \(a manual step: add a copy: POST \/collections\/docs\/cluster \{"replicate_shard": \{"shard_id": 1, "from_peer_id": 2, "to_peer_id": 1\}\}\)\. /);
  });

  it('with a read-only key, measures latency on the declared collection\'s embedding vector', async () => {
    const q = (qdrant = await startQdrantStandIn({ apiKey: ADMIN_KEY, readOnlyApiKey: READ_ONLY_KEY, collections: { knowledge: appCollection(64, 30) } }));
    const { report } = await runSmoke(fastOptions(q.url, { apiKey: READ_ONLY_KEY, queries: 5, collections: model([{ name: 'knowledge', vectorSize: 64, distance: 'Cosine' }]).collections }));
    expect(checkNamed(report.checks, 'collection.knowledge').status).toBe('pass');
    expect(report.latency).toMatchObject({ mode: 'read-only', collection: 'knowledge', vectors: 30, recall: 1 });
    expect(report.exitCode).toBe(0);
  });
});

describe('waiting for the collections Job (plain kubectl, Flux: it starts with the smoke Job)', () => {
  it('a collection created (then given its indexes and aliases) only after a few reads: pass, saying how long it waited', async () => {
    const shape = declaredShape(hybrid.config.qdrant.collections[0]);
    let gets = 0;
    const q = (qdrant = await startQdrantStandIn({
      apiKey: ADMIN_KEY,
      onRequest: (method, path) => {
        if (method !== 'GET' || path !== '/collections/docs') return;
        gets++;
        // As the reconciler does it: the collection first, its indexes and aliases after.
        if (gets === 3) q.seed('docs', createBody(shape));
        if (gets === 5) {
          for (const [field, index] of Object.entries(shape.payloadIndexes)) q.state.createIndex(q.state.collections.get('docs')!, indexBody(field, index));
          q.state.aliases.set('docs-current', 'docs');
        }
      },
    }));
    const { report } = await run(q.url);
    const check = checkNamed(report.checks, 'collection.docs');
    expect(check).toMatchObject({ status: 'pass', value: 'in sync green' });
    expect(check.message).toMatch(/^in sync with the stack model \(waited [\d.]+ s for it to be created and its updates\)$/);
    expect(reads(q).filter((r) => r.startsWith('/collections/docs '))).toEqual(['/collections/docs 404', '/collections/docs 404', '/collections/docs 200', '/collections/docs 200', '/collections/docs 200']);
    expect(report.exitCode).toBe(0);
  });

  it('created by the reconciler running beside the smoke run: pass', async () => {
    const q = (qdrant = await startQdrantStandIn({ apiKey: ADMIN_KEY }));
    const reconciler = new Promise((r) => setTimeout(r, 300)).then(() =>
      applyCollections({ url: q.url, apiKey: ADMIN_KEY }, hybrid.config.qdrant.collections, { backoff: { baseMs: 2, capMs: 20 }, deadlineMs: 5000 }),
    );
    const [{ report }, applied] = await Promise.all([run(q.url), reconciler]);
    expect(applied.collections[0]).toMatchObject({ action: 'create', applied: true });
    expect(checkNamed(report.checks, 'collection.docs')).toMatchObject({ status: 'pass', message: expect.stringMatching(/^in sync with the stack model \(waited [\d.]+ s for it to be created/) });
  });

  it('transient answers while waiting are waited out', async () => {
    const q = await reconciled();
    q.faults.transient = { status: 503, count: 2, match: (m, p) => m === 'GET' && p === '/collections/docs' };
    const { report } = await run(q.url);
    expect(checkNamed(report.checks, 'collection.docs')).toMatchObject({ status: 'pass', message: 'in sync with the stack model' });
    expect(reads(q)).toEqual(['/collections/docs 503', '/collections/docs 503', '/collections/docs 200', '/collections/docs/aliases 200']);
  });

  it('never created within the deadline: fail naming the collection and the Job that should have created it', async () => {
    const q = (qdrant = await startQdrantStandIn({ apiKey: ADMIN_KEY }));
    const started = Date.now();
    const { report } = await run(q.url, { deadlineS: 0.5, collectionsJob: { namespace: 'search', name: 'shop-collections' } });
    const check = checkNamed(report.checks, 'collection.docs');
    expect(check).toMatchObject({ status: 'fail', value: 'missing', threshold: 'in sync green|yellow' });
    expect(check.message).toMatch(
      // Under load the last poll may be cut by the deadline: then it also says so, with the last error.
      /^collection "docs" does not exist (or did not answer )?within the deadline \(0\.5 s from the start of the run\) \(waited [\d.]+ s for it to be created\): the collections Job shop-collections-<hash> \(its log: kubectl -n search logs job\/\$\(qdrant-stack plan --job collections\)\) should have created it(; last error: .+)?$/,
    );
    expect(reads(q).length).toBeGreaterThan(1); // polled
    expect(Date.now() - started).toBeLessThan(5000);
    expect(report.exitCode).toBe(1);
  });

  it('run by hand (no Job): the message says to run collections apply', async () => {
    const q = (qdrant = await startQdrantStandIn({ apiKey: ADMIN_KEY }));
    const { report } = await run(q.url, { deadlineS: 0.3 });
    expect(checkNamed(report.checks, 'collection.docs').message).toMatch(/\): run qdrant-stack collections apply \(with the same --url and --config\) to create it(; last error: .*)?$/);
  });

  it('a collection given by flags only is not waited for: it must exist now', async () => {
    const q = (qdrant = await startQdrantStandIn({ apiKey: ADMIN_KEY }));
    const { report } = await run(q.url, { deadlineS: 3, collections: [{ name: 'faq', vectorSize: 64 }] });
    expect(checkNamed(report.checks, 'collection.faq')).toMatchObject({ status: 'fail', value: 'missing', threshold: 'exists' });
    expect(reads(q)).toEqual([]);
    expect(q.log.filter((r) => r.path === '/collections/faq')).toHaveLength(1);
  });
});
