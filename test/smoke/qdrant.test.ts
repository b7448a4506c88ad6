/**
 * The library against the Qdrant stand-in, through the real @qdrant/js-client-rest: the healthy path
 * and every Qdrant fault of issue 4. Each test checks the verdict, the exit code and that nothing but
 * the run's temporary collection was ever written or deleted.
 */
import { createServer } from 'node:net';
import { runSmoke } from '../../src/smoke/run';
import { TEMP_COLLECTION_PREFIX } from '../../src/smoke/options';
import { startQdrantStandIn, QdrantStandIn } from './support/qdrant-stand-in';
import { ADMIN_KEY, appCollection, checkNamed, fastOptions, READ_ONLY_KEY } from './support/fixtures';

let qdrant: QdrantStandIn | undefined;
afterEach(async () => {
  await qdrant?.close();
  qdrant = undefined;
});

async function standIn(options: Parameters<typeof startQdrantStandIn>[0] = {}): Promise<QdrantStandIn> {
  qdrant = await startQdrantStandIn({ apiKey: ADMIN_KEY, readOnlyApiKey: READ_ONLY_KEY, collections: { knowledge: appCollection() }, ...options });
  return qdrant;
}

/** Requests that wrote or deleted something other than this run's temporary collections. */
const foreignWrites = (q: QdrantStandIn) =>
  q.log.filter((r) => r.method !== 'GET' && !/\/points\/query$/.test(r.path) && !r.path.startsWith(`/collections/${TEMP_COLLECTION_PREFIX}`));
const statuses = (checks: readonly { name: string; status: string }[]) => Object.fromEntries(checks.map((c) => [c.name, c.status]));

describe('smoke run against the Qdrant stand-in', () => {
  it('passes a healthy target: version, health, key, schema, latency, recall; deletes its temporary collection', async () => {
    const q = await standIn();
    const { report, samples } = await runSmoke(fastOptions(q.url, { apiKey: ADMIN_KEY, expectedVersion: 'v1.19.0' }));
    expect(statuses(report.checks)).toMatchObject({
      'qdrant.reachable': 'pass', 'qdrant.version': 'pass', 'qdrant.healthz': 'pass', 'qdrant.readyz': 'pass', 'qdrant.auth': 'pass',
      'collection.knowledge': 'pass', 'latency.seed': 'pass', 'latency.server.p95': 'pass', 'latency.recall': 'pass', cleanup: 'pass',
    });
    expect(report).toMatchObject({ exitCode: 0, status: 'pass', version: '1.19.0', target: { url: q.url, apiKey: '***' } });
    expect(report.latency).toMatchObject({ mode: 'temporary', vectors: 2000, queries: 40, recall: 1 });
    expect(report.latency!.server.p95).toBeLessThanOrEqual(report.latency!.server.max);
    expect(samples.client).toHaveLength(40);
    // Recall is computed from real exact searches on the stand-in.
    expect(q.log.filter((r) => r.path.endsWith('/points/query')).length).toBe(2 + 40 + 5);
    expect(q.collectionNames()).toEqual(['knowledge']);
    expect(foreignWrites(q)).toEqual([]);
    expect(q.log.filter((r) => r.method === 'PUT' && r.path.endsWith('/points'))).toHaveLength(8); // 2000 / 256
  });

  it('reports a different server version as a failed check (exit 1)', async () => {
    const q = await standIn({ version: '1.18.2' });
    const { report } = await runSmoke(fastOptions(q.url, { apiKey: ADMIN_KEY, expectedVersion: '1.19.0', vectors: 300, queries: 5 }));
    expect(checkNamed(report.checks, 'qdrant.version')).toMatchObject({ status: 'fail', value: '1.18.2', threshold: '1.19.0' });
    expect(report.exitCode).toBe(1);
  });

  it('exits 3 when nothing listens, after waiting until the deadline', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const { report } = await runSmoke(fastOptions(`http://127.0.0.1:${port}`, { apiKey: ADMIN_KEY, deadlineS: 0.3 }));
    expect(checkNamed(report.checks, 'qdrant.reachable')).toMatchObject({ status: 'fail', unreachable: true });
    expect(checkNamed(report.checks, 'qdrant.reachable').message).toMatch(/ECONNREFUSED/);
    expect(checkNamed(report.checks, 'collection.knowledge').status).toBe('skip');
    expect(report).toMatchObject({ exitCode: 3, version: null, latency: null });
  });

  it('fails the key check with Qdrant\'s 401 text for a wrong key, and for a missing one (exit 1)', async () => {
    const q = await standIn();
    const wrong = (await runSmoke(fastOptions(q.url, { apiKey: 'not-the-key-123' }))).report;
    expect(checkNamed(wrong.checks, 'qdrant.auth')).toMatchObject({ status: 'fail', value: 'refused' });
    expect(checkNamed(wrong.checks, 'qdrant.auth').message).toContain('HTTP 401: Invalid API key or JWT');
    expect(checkNamed(wrong.checks, 'qdrant.readyz').status).toBe('pass'); // health bypasses auth
    expect(checkNamed(wrong.checks, 'latency.server.p95').status).toBe('skip');
    expect(wrong.exitCode).toBe(1);
    const missing = (await runSmoke(fastOptions(q.url))).report;
    expect(checkNamed(missing.checks, 'qdrant.auth').message).toContain('Must provide an API key or an Authorization bearer token');
    expect(missing.exitCode).toBe(1);
    expect(q.collectionNames()).toEqual(['knowledge']);
  });

  it('with a read-only key, falls back to querying an expected collection and writes nothing', async () => {
    const q = await standIn();
    const { report } = await runSmoke(fastOptions(q.url, { apiKey: READ_ONLY_KEY }));
    expect(checkNamed(report.checks, 'latency.seed')).toMatchObject({ status: 'skip' });
    expect(checkNamed(report.checks, 'latency.seed').message).toMatch(/read-only \(HTTP 403/);
    expect(report.latency).toMatchObject({ mode: 'read-only', collection: 'knowledge', vectors: 50, recall: 1 });
    expect(report.checks.some((c) => c.name === 'cleanup')).toBe(false);
    expect(report.exitCode).toBe(0);
    // The only refused write is the attempt to create the temporary collection.
    expect(q.log.filter((r) => r.method !== 'GET' && !r.path.endsWith('/points/query'))).toEqual([
      expect.objectContaining({ method: 'PUT', status: 403, path: expect.stringMatching(`^/collections/${TEMP_COLLECTION_PREFIX}`) }),
    ]);
  });

  it('with readOnly set, does not even try to write', async () => {
    const q = await standIn();
    const { report } = await runSmoke(fastOptions(q.url, { apiKey: ADMIN_KEY, readOnly: true }));
    expect(report.latency?.mode).toBe('read-only');
    expect(q.log.filter((r) => r.method !== 'GET' && !r.path.endsWith('/points/query'))).toEqual([]);
    expect(report.exitCode).toBe(0);
  });

  it('waits for /readyz through 503s, then passes', async () => {
    const q = await standIn({ faults: { readyzFailures: 3 } });
    const { report } = await runSmoke(fastOptions(q.url, { apiKey: ADMIN_KEY, vectors: 300, queries: 5 }));
    expect(checkNamed(report.checks, 'qdrant.readyz')).toMatchObject({ status: 'pass', value: 4 });
    expect(q.log.filter((r) => r.path === '/readyz').map((r) => r.status)).toEqual([503, 503, 503, 200]);
    expect(report.exitCode).toBe(0);
  });

  it('exits 3 when /readyz stays 503 past the deadline', async () => {
    const q = await standIn({ faults: { readyzFailures: 1_000_000 } });
    // Long enough for a loaded machine to see at least one 503 before the deadline.
    const { report } = await runSmoke(fastOptions(q.url, { apiKey: ADMIN_KEY, deadlineS: 2 }));
    expect(checkNamed(report.checks, 'qdrant.readyz')).toMatchObject({ status: 'fail', unreachable: true });
    expect(checkNamed(report.checks, 'qdrant.readyz').message).toMatch(/not ready within the deadline: HTTP 503: some shards are not ready/);
    expect(report.exitCode).toBe(3);
  });

  it('a poll the deadline cuts short does not hide what the server last answered', async () => {
    // The first /readyz answers 503; every later one hangs until the run's deadline cuts it.
    let readyzCalls = 0;
    const q = await standIn({ faults: { readyzFailures: 1_000_000, silent: (_m, p) => p === '/readyz' && ++readyzCalls > 1 } });
    const { report } = await runSmoke(fastOptions(q.url, { apiKey: ADMIN_KEY, deadlineS: 1 }));
    expect(readyzCalls).toBeGreaterThan(1);
    expect(checkNamed(report.checks, 'qdrant.readyz').message).toBe('/readyz not ready within the deadline: HTTP 503: some shards are not ready');
    expect(report.exitCode).toBe(3);
  });

  it('retries transient 500s and 429s on upserts and queries', async () => {
    const q = await standIn({ faults: { transient: { status: 500, count: 3, match: (m, p) => m === 'PUT' && p.endsWith('/points') } } });
    const { report } = await runSmoke(fastOptions(q.url, { apiKey: ADMIN_KEY }));
    expect(checkNamed(report.checks, 'latency.seed').message).toMatch(/3 retried/);
    expect(q.log.filter((r) => r.status === 500)).toHaveLength(3);
    q.faults.transient = { status: 429, count: 2, match: (_m, p) => p.endsWith('/points/query') };
    const again = await runSmoke(fastOptions(q.url, { apiKey: ADMIN_KEY, vectors: 300, queries: 10 }));
    expect(q.log.filter((r) => r.status === 429)).toHaveLength(2);
    expect(again.report.latency?.queries).toBe(10);
    expect(report.exitCode).toBe(0);
    expect(again.report.exitCode).toBe(0);
    expect(q.collectionNames()).toEqual(['knowledge']);
  });

  it('fails when a transient error outlasts the retries, and still cleans up', async () => {
    const q = await standIn({ faults: { transient: { status: 503, count: 1000, match: (m, p) => m === 'PUT' && p.endsWith('/points') } } });
    const { report } = await runSmoke(fastOptions(q.url, { apiKey: ADMIN_KEY, vectors: 300 }));
    expect(checkNamed(report.checks, 'latency.seed')).toMatchObject({ status: 'fail' });
    expect(checkNamed(report.checks, 'latency.seed').message).toMatch(/HTTP 503/);
    expect(checkNamed(report.checks, 'cleanup').status).toBe('pass');
    expect(q.collectionNames()).toEqual(['knowledge']);
    expect(report.exitCode).toBe(1);
  });

  it('fails the budget when the server answers slower than max p95 (exit 1)', async () => {
    const q = await standIn({ faults: { queryDelayMs: 30 } });
    const { report } = await runSmoke(fastOptions(q.url, { apiKey: ADMIN_KEY, vectors: 300, queries: 5, warmupQueries: 0, maxP95Ms: 20 }));
    const p95 = checkNamed(report.checks, 'latency.server.p95');
    expect(p95).toMatchObject({ status: 'fail', threshold: 20 });
    expect(p95.value as number).toBeGreaterThanOrEqual(30); // the server's own `time`
    expect(p95.message).toMatch(/exceeds the budget of 20 ms/);
    expect(report.exitCode).toBe(1);
    expect(q.collectionNames()).toEqual(['knowledge']);
  });

  it('fails the schema for a wrong vector size and a missing collection', async () => {
    const q = await standIn({ collections: { knowledge: appCollection(32) } });
    const { report } = await runSmoke(
      fastOptions(q.url, { apiKey: ADMIN_KEY, vectors: 300, queries: 5, collections: [{ name: 'knowledge', vectorSize: 64, distance: 'Cosine' }, { name: 'faq' }] }),
    );
    expect(checkNamed(report.checks, 'collection.knowledge')).toMatchObject({ status: 'fail', value: '32/Cosine green', threshold: '64/Cosine green|yellow', message: 'size is 32, expected 64' });
    expect(checkNamed(report.checks, 'collection.faq')).toMatchObject({ status: 'fail', value: 'missing' });
    expect(checkNamed(report.checks, 'collection.faq').message).toMatch(/HTTP 404: Not found: Collection `faq` doesn't exist!/);
    expect(report.exitCode).toBe(1);
  });

  it('checks named vectors and payload indexes', async () => {
    const q = await standIn({
      collections: {
        docs: {
          vectors: { title: { size: 16, distance: 'Dot' }, body: { size: 64, distance: 'Cosine' } },
          payloadSchema: { tenant: { data_type: 'keyword' } },
          points: [{ id: 1, vector: { title: new Array(16).fill(0.1), body: new Array(64).fill(0.1) } }],
        },
      },
    });
    const { report } = await runSmoke(
      fastOptions(q.url, { apiKey: READ_ONLY_KEY, readOnly: true, queries: 5, collections: [{ name: 'docs', vectorName: 'body', vectorSize: 64, distance: 'Cosine', payloadIndexes: { tenant: 'keyword' } }] }),
    );
    expect(checkNamed(report.checks, 'collection.docs')).toMatchObject({ status: 'pass', message: 'vector "body" as expected' });
    expect(report.latency).toMatchObject({ collection: 'docs', mode: 'read-only', recall: 1 });
    expect(report.exitCode).toBe(0);
  });

  it('waits for a yellow temporary collection to turn green before timing', async () => {
    const q = await standIn({ faults: { yellowPolls: 2 } });
    const { report } = await runSmoke(fastOptions(q.url, { apiKey: ADMIN_KEY, vectors: 300, queries: 5 }));
    expect(checkNamed(report.checks, 'latency.seed').message).toMatch(/green$/);
    const tempGets = q.log.filter((r) => r.method === 'GET' && r.path.startsWith(`/collections/${TEMP_COLLECTION_PREFIX}`));
    expect(tempGets).toHaveLength(3);
    expect(report.exitCode).toBe(0);
  });

  it('deletes the temporary collection when the run is interrupted mid-seed', async () => {
    const controller = new AbortController();
    let upserts = 0;
    const q = await standIn({
      onRequest: (m, p) => {
        if (m === 'PUT' && p.endsWith('/points') && ++upserts === 2) controller.abort('received SIGINT, cleaning up');
      },
    });
    const { report } = await runSmoke(fastOptions(q.url, { apiKey: ADMIN_KEY, vectors: 20_000, concurrency: 1 }), { signal: controller.signal });
    expect(upserts).toBeLessThan(20_000 / 256);
    expect(checkNamed(report.checks, 'interrupted')).toMatchObject({ status: 'fail' });
    expect(checkNamed(report.checks, 'interrupted').message).toMatch(/received SIGINT/);
    expect(checkNamed(report.checks, 'cleanup').status).toBe('pass');
    expect(q.log.filter((r) => r.method === 'DELETE')).toEqual([expect.objectContaining({ status: 200, path: expect.stringMatching(`^/collections/${TEMP_COLLECTION_PREFIX}`) })]);
    expect(q.collectionNames()).toEqual(['knowledge']);
    expect(report.exitCode).toBe(1);
  });
});
