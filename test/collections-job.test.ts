/**
 * The in-cluster collections Job, run for real: the bundled reconciler is taken out of the rendered
 * ConfigMap and started with the Job's own command and environment (the Secret and the connection ConfigMap
 * resolved as the kubelet would) against the stateful Qdrant stand-in.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundlePath } from '../src/jobs/bundles';

import { CollectionsStandIn, startCollectionsStandIn } from './support/qdrant-collections-stand-in';
import { HYBRID } from './support/hybrid-collection';
import { find, Manifest, synthStack } from './support/stack';

const API_KEY = 'collections-admin-key-5b1e';


describe('collections Job manifests', () => {
  const objects = synthStack({ name: 'test', qdrant: { collections: [HYBRID] } });
  const job = find(objects, 'Job', 'test-collections');

  test('a PostSync hook in wave 0, before the smoke test (wave 1), with the admin key and the client label', () => {
    expect(job.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/sync-wave': '0' });
    expect(find(objects, 'Job', 'test-smoke').metadata.annotations!['argocd.argoproj.io/sync-wave']).toBe('1');
    const container = job.spec.template.spec.containers[0];
    expect(container.env.find((e: any) => e.name === 'QDRANT_API_KEY').valueFrom.secretKeyRef).toEqual({ name: 'test-qdrant-api-key', key: 'api-key' });
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'test-connection' } }]);
    expect(job.spec.template.metadata.labels['qdrant-stack/client']).toBe('true');
  });

  test('a changed declaration is a new Job; none without collections or with manageCollections off', () => {
    const other = find(synthStack({ name: 'test', qdrant: { collections: [{ ...HYBRID, aliases: ['docs-next'] }] } }), 'Job', 'test-collections');
    expect(other.metadata.name).not.toBe(job.metadata.name);
    expect(synthStack({ name: 'test', qdrant: { manageCollections: false } }).filter((o) => o.metadata.name.startsWith('test-collections'))).toEqual([]);
  });
});

/** Runs the Job's container command locally, with its env resolved and its paths moved into a folder. */
function runJob(objects: Manifest[], urls: Record<string, string>, apiKey: string) {
  const dir = mkdtempSync(join(tmpdir(), 'collections-job-'));
  const files = find(objects, 'ConfigMap', 'test-collections');
  for (const [key, text] of Object.entries<string>(files.data)) writeFileSync(join(dir, key), text);
  for (const [key, b64] of Object.entries<string>(files.binaryData)) writeFileSync(join(dir, key), Buffer.from(b64, 'base64'));
  const container = find(objects, 'Job', 'test-collections').spec.template.spec.containers[0];
  const env: Record<string, string> = { PATH: process.env.PATH! };
  for (const from of container.envFrom) Object.assign(env, find(objects, 'ConfigMap', from.configMapRef.name).data);
  for (const e of container.env) env[e.name] = e.value !== undefined ? e.value.replace('/runner/', `${dir}/`) : apiKey;
  Object.assign(env, urls);
  const program = container.command[2].replace(/\/(runner|tmp)\//g, `${dir}/`);
  return new Promise<{ code: number | null; output: string }>((done) => {
    const child = spawn(process.execPath, ['-e', program], { env });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('close', (code) => done({ code, output }));
  });
}

(existsSync(bundlePath('collections-runner')) ? describe : describe.skip)('the collections Job, run as rendered', () => {
  let qdrant: CollectionsStandIn;
  const objects = synthStack({ name: 'test', qdrant: { collections: [HYBRID] }, smoke: { deadlineSeconds: 5 } });

  beforeAll(async () => {
    qdrant = await startCollectionsStandIn({ apiKey: API_KEY });
  });
  afterAll(() => qdrant?.close());

  test('creates the hybrid collection, its index and alias; a second run writes nothing; no key printed', async () => {
    const first = await runJob(objects, { QDRANT_URL: qdrant.url }, API_KEY);
    expect(first.output).toMatch(/\+ created +docs +vectors dense 1024\/Cosine; sparse bm25 \(idf\)/);
    expect(first.output).toContain("apply: 1 created");
    expect(first.code).toBe(0);
    expect(first.output).not.toContain(API_KEY);
    const create = qdrant.log.find((r) => r.method === 'PUT' && r.path === '/collections/docs');
    expect(create?.body).toMatchObject({ vectors: { dense: { size: 1024, distance: 'Cosine', hnsw_config: { m: 32 } } }, sparse_vectors: { bm25: { modifier: 'idf' } } });
    expect(qdrant.log.some((r) => r.method === 'PUT' && r.path === '/collections/docs/index' && r.body?.field_name === 'tenant')).toBe(true);
    const writesBefore = qdrant.log.filter((r) => r.method !== 'GET').length;
    const second = await runJob(objects, { QDRANT_URL: qdrant.url }, API_KEY);
    expect(second.code).toBe(0);
    expect(qdrant.log.filter((r) => r.method !== 'GET').length).toBe(writesBefore);
  }, 60_000);

  test('a wrong key fails the Job (exit 1) without printing it; an unreachable Qdrant exits 3', async () => {
    const refused = await runJob(objects, { QDRANT_URL: qdrant.url }, 'not-the-key');
    expect(refused.code).toBe(1);
    expect(refused.output).not.toContain('not-the-key');
    const unreachable = await runJob(objects, { QDRANT_URL: 'http://127.0.0.1:9', COLLECTIONS_DEADLINE_S: '2' }, API_KEY);
    expect(unreachable.code).toBe(3);
  }, 60_000);
});
