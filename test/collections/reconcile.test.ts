/**
 * The reconciler over HTTP: @qdrant/js-client-rest against the stateful stand-in. Exact request bodies,
 * counted writes, refused keys, parallel runs, faults and the deadline.
 */
import { CollectionsError } from '../../src/collections/qdrant';
import { applyCollections, planCollections, ReconcileOptions } from '../../src/collections/reconcile';
import { exitCodeOf } from '../../src/collections/report';
import { CollectionsStandIn, startCollectionsStandIn } from '../support/qdrant-collections-stand-in';
import { ADMIN_KEY, declared, HYBRID, READ_ONLY_KEY, HYBRID_PUT_BODY } from './fixtures';

const fast: ReconcileOptions = { backoff: { baseMs: 2, capMs: 20 }, deadlineMs: 5000 };
const docs = declared([HYBRID], 3);
const docsPut = HYBRID_PUT_BODY;

let qdrant: CollectionsStandIn;
afterEach(() => qdrant?.close());
const admin = () => ({ url: qdrant.url, apiKey: ADMIN_KEY });
const writes = () => qdrant.writes().map((r) => [r.method, `${r.path}${r.query}`, r.status, r.body]);

describe('apply', () => {
  it('creates a missing collection with every declared parameter, waits for it, then its indexes and aliases', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY, peers: 3, faults: { yellowPolls: 2 } });
    const report = await applyCollections(admin(), docs, { ...fast, peers: 3 });
    expect(report.collections).toEqual([expect.objectContaining({ name: 'docs', action: 'create', applied: true, changes: [] })]);
    expect(exitCodeOf(report)).toBe(0);
    expect(writes()).toEqual([
      ['POST', '/collections/aliases', 200, { actions: [] }], // the write-access check: changes nothing
      ['PUT', '/collections/docs', 200, docsPut],
      ['PUT', '/collections/docs/index?wait=true', 200, { field_name: 'tenant', field_schema: { type: 'keyword', is_tenant: true } }],
      ['PUT', '/collections/docs/index?wait=true', 200, { field_name: 'lang', field_schema: 'keyword' }],
      ['POST', '/collections/aliases', 200, { actions: [{ create_alias: { collection_name: 'docs', alias_name: 'docs-current' } }] }],
    ]);
    // It waited out the two yellow answers before the first index.
    const firstIndex = qdrant.log.findIndex((r) => r.path === '/collections/docs/index');
    expect(qdrant.log.slice(0, firstIndex).filter((r) => r.method === 'GET' && r.path === '/collections/docs').length).toBeGreaterThanOrEqual(3);
    expect(qdrant.state.aliases.get('docs-current')).toBe('docs');
  });

  it('writes nothing on a second run: no PUT, PATCH, POST or DELETE', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY, peers: 3 });
    await applyCollections(admin(), docs, { ...fast, peers: 3 });
    const before = qdrant.writes().length;
    const again = await applyCollections(admin(), docs, { ...fast, peers: 3 });
    expect(again.collections).toEqual([{ name: 'docs', action: 'none', changes: [], extra: { indexes: [], aliases: [] } }]);
    expect(qdrant.writes().length).toBe(before);
  });

  it('updates mutable fields with one PATCH holding only what differs', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY, peers: 3 });
    await applyCollections(admin(), docs, { ...fast, peers: 3 });
    const stored = qdrant.state.collections.get('docs')!;
    stored.hnsw_config.m = 8;
    stored.optimizer_config.indexing_threshold = 10000;
    stored.params.sparse_vectors.text.index = { on_disk: false };
    qdrant.log.length = 0;
    const report = await applyCollections(admin(), docs, { ...fast, peers: 3 });
    expect(report.collections[0]).toMatchObject({ action: 'update', applied: true });
    expect(report.collections[0].changes.map((c) => c.field).sort()).toEqual(['docs.hnsw.m', 'docs.optimizers.indexingThreshold', 'docs.sparseVectors.text.onDisk']);
    expect(writes()).toEqual([
      ['POST', '/collections/aliases', 200, { actions: [] }],
      ['PATCH', '/collections/docs', 200, { hnsw_config: { m: 16 }, optimizers_config: { indexing_threshold: 20000 }, sparse_vectors: { text: { index: { on_disk: true } } } }],
    ]);
    expect((await planCollections(admin(), docs, { ...fast, peers: 3 })).collections[0].action).toBe('none');
  });

  it('leaves a collection in drift untouched and names each immutable leaf', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY });
    qdrant.seed('docs', { vectors: { dense: { size: 768, distance: 'Dot' } }, sparse_vectors: { text: { modifier: 'idf', index: { on_disk: true } } }, hnsw_config: { m: 4 } });
    const report = await applyCollections(admin(), docs, { ...fast, peers: 3 });
    expect(report.collections[0].action).toBe('drift');
    expect(report.collections[0].changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'docs.vectors.dense.size', declared: 1024, found: 768, kind: 'immutable' }),
        expect.objectContaining({ field: 'docs.vectors.dense.distance', declared: 'Cosine', found: 'Dot', kind: 'immutable' }),
        expect.objectContaining({ field: 'docs.hnsw.m', declared: 16, found: 4, kind: 'mutable' }),
      ]),
    );
    expect(exitCodeOf(report)).toBe(1);
    expect(qdrant.writes()).toEqual([]);
  });

  it('leaves indexes and aliases the model does not name alone, and lists them', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY });
    const knowledge = declared([{ name: 'knowledge', vectorSize: 4, distance: 'Dot', payloadIndexes: { lang: 'keyword' } }]);
    qdrant.seed('knowledge', { vectors: { size: 4, distance: 'Dot' } }, [{ field_name: 'lang', field_schema: 'keyword' }, { field_name: 'legacy', field_schema: 'integer' }], ['kb-old']);
    const report = await applyCollections(admin(), knowledge, fast);
    expect(report.collections[0]).toEqual({ name: 'knowledge', action: 'none', changes: [], extra: { indexes: ['legacy'], aliases: ['kb-old'] } });
    expect(qdrant.writes()).toEqual([]);
    expect(Object.keys(qdrant.state.collections.get('knowledge')!.payload_schema).sort()).toEqual(['lang', 'legacy']);
  });

  it('with a read-only key: plan works, apply stops before its first write', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY, readOnlyApiKey: READ_ONLY_KEY });
    const readOnly = { url: qdrant.url, apiKey: READ_ONLY_KEY };
    expect((await planCollections(readOnly, docs, fast)).collections[0].action).toBe('create');
    expect(qdrant.writes()).toEqual([]);
    const failure = await applyCollections(readOnly, docs, fast).catch((e) => e);
    expect(failure).toBeInstanceOf(CollectionsError);
    expect(failure).toMatchObject({ failure: 'refused', message: expect.stringMatching(/may not write \(HTTP 403.*apply needs the admin key.*Nothing was written/) });
    expect(writes()).toEqual([['POST', '/collections/aliases', 403, { actions: [] }]]);
    expect(qdrant.state.collections.size).toBe(0);
  });

  it('refuses a wrong key at the first authenticated read', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY });
    await expect(planCollections({ url: qdrant.url, apiKey: 'wrong-key-123' }, docs, fast)).rejects.toMatchObject({ failure: 'refused', message: expect.stringContaining('HTTP 401: Invalid API key or JWT') });
  });

  it('lets two reconcilers run at once: both succeed, one collection', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY, faults: { barrier: { count: 2, match: (m, p) => m === 'GET' && p === '/collections/docs' } } });
    const [a, b] = await Promise.all([applyCollections(admin(), docs, fast), applyCollections(admin(), docs, fast)]);
    for (const r of [a, b]) expect(r.collections[0]).toMatchObject({ action: 'create', applied: true });
    expect(qdrant.writes().filter((r) => r.method === 'PUT' && r.path === '/collections/docs').map((r) => r.status).sort()).toEqual([200, 409]);
    expect([...qdrant.state.collections.keys()]).toEqual(['docs']);
    expect(Object.keys(qdrant.state.collections.get('docs')!.payload_schema).sort()).toEqual(['lang', 'tenant']);
    expect(qdrant.state.aliases.get('docs-current')).toBe('docs');
    expect((await planCollections(admin(), docs, fast)).collections[0].action).toBe('none');
  });

  it('retries 503, 429 and connection resets with backoff, and a write that was done before the reset is not done twice', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY });
    // The create answers 503 twice, then is done but its connection resets: the retry finds it (409) and goes on.
    qdrant.faults.transient = { status: 503, count: 2, match: (m, p) => m === 'PUT' && p === '/collections/docs' };
    qdrant.faults.reset = { count: 1, afterWork: true, match: (m, p) => m === 'PUT' && p === '/collections/docs' };
    const retried: string[] = [];
    const report = await applyCollections(admin(), docs, { ...fast, log: (l) => void (l.startsWith('retrying') && retried.push(l)) });
    expect(report.collections[0]).toMatchObject({ action: 'create', applied: true });
    expect(qdrant.writes().filter((r) => r.path === '/collections/docs').map((r) => r.status)).toEqual([503, 503, 0, 409]);
    expect(retried.length).toBe(3);
    expect(retried[0]).toMatch(/^retrying PUT \/collections\/docs \(attempt 2\) after HTTP 503: Service internal error/);
    expect(qdrant.state.aliases.get('docs-current')).toBe('docs');

    // Indexes answer 429 twice; a read loses its connection.
    qdrant.state.collections.get('docs')!.payload_schema = {};
    qdrant.faults.transient = { status: 429, count: 2, match: (m, p) => m === 'PUT' && p === '/collections/docs/index' };
    qdrant.faults.reset = { count: 1, match: (m, p) => m === 'GET' && p === '/aliases' };
    await applyCollections(admin(), docs, fast);
    expect(qdrant.writes().filter((r) => r.path === '/collections/docs/index').map((r) => r.status).slice(-4)).toEqual([429, 429, 200, 200]);
    expect(Object.keys(qdrant.state.collections.get('docs')!.payload_schema).sort()).toEqual(['lang', 'tenant']);
  });

  it('fails a collection whose change Qdrant rejects (exit 1), and still reconciles the others', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY });
    const error = 'Wrong input: `pinned` is not supported for dense vector storage';
    qdrant.faults.refuse = { count: 1, status: 400, error, match: (m, p) => m === 'PUT' && p === '/collections/docs' };
    const report = await applyCollections(admin(), [...docs, ...declared([{ name: 'knowledge', vectorSize: 4, distance: 'Dot' }])], fast);
    expect(report.collections).toEqual([
      expect.objectContaining({ name: 'docs', action: 'create', error: `HTTP 400: ${error}` }),
      expect.objectContaining({ name: 'knowledge', action: 'create', applied: true }),
    ]);
    expect(exitCodeOf(report)).toBe(1);
    expect([...qdrant.state.collections.keys()]).toEqual(['knowledge']);
  });

  it('ends as unreachable when Qdrant does not answer, or is not ready, within the deadline', async () => {
    qdrant = await startCollectionsStandIn();
    const url = qdrant.url;
    await qdrant.close();
    const started = Date.now();
    await expect(planCollections({ url }, docs, { ...fast, deadlineMs: 300 })).rejects.toMatchObject({ failure: 'unreachable', message: expect.stringContaining('ECONNREFUSED') });
    expect(Date.now() - started).toBeLessThan(3000);
    qdrant = await startCollectionsStandIn({ faults: { readyzFailures: 1_000_000 } });
    await expect(planCollections({ url: qdrant.url }, docs, { ...fast, deadlineMs: 300 })).rejects.toMatchObject({ failure: 'unreachable', message: expect.stringContaining('HTTP 503') });
    qdrant.faults.readyzFailures = 0;
    qdrant.faults.transient = { status: 502, count: 1_000_000, match: (m) => m === 'PUT' };
    await expect(applyCollections({ url: qdrant.url }, docs, { ...fast, deadlineMs: 300 })).rejects.toMatchObject({ failure: 'unreachable', message: expect.stringMatching(/^PUT \/collections\/docs: HTTP 502.*deadline/) });
  });

  it('raises the replication factor and says which shards still need a copy, with the replicate_shard step', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY, peers: 3 });
    qdrant.seed('knowledge', { vectors: { size: 4, distance: 'Dot' }, shard_number: 2, replication_factor: 1 });
    const knowledge = declared([{ name: 'knowledge', vectorSize: 4, distance: 'Dot' }], 3);
    const report = await applyCollections(admin(), knowledge, { ...fast, peers: 3 });
    expect(writes()).toEqual([
      ['POST', '/collections/aliases', 200, { actions: [] }],
      ['PATCH', '/collections/knowledge', 200, { params: { replication_factor: 2 } }],
    ]);
    expect(report.collections[0].changes).toEqual([
      expect.objectContaining({ field: 'knowledge.replicationFactor', declared: 2, found: 1, kind: 'mutable' }),
      expect.objectContaining({ field: 'knowledge.shards.0.replicas', kind: 'replicas', note: expect.stringContaining('POST /collections/knowledge/cluster {"replicate_shard": {"shard_id": 0, "from_peer_id": 1, "to_peer_id": 2}}') }),
      expect.objectContaining({ field: 'knowledge.shards.1.replicas', kind: 'replicas' }),
    ]);
    expect(exitCodeOf(report)).toBe(1);
    // The factor is in line now; the shards are still short, and the plan says so rather than "in sync".
    const plan = await planCollections(admin(), knowledge, { ...fast, peers: 3 });
    expect(plan.collections[0].action).toBe('drift');
    expect(plan.collections[0].changes.map((c) => c.field)).toEqual(['knowledge.shards.0.replicas', 'knowledge.shards.1.replicas']);
  });
});
