import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main';
import { startS3StandIn, type S3StandIn } from './support/s3-stand-in';

const ACCESS_KEY_ID = 'AKIASTANDIN000000001';
const SECRET = 'stand-in-secret-access-key-0123456789';
const API_KEY = 'stand-in-qdrant-admin-key';
const BUCKET = 'snapshots-bucket';
const REGION = 'eu-central-1';

interface Recovery {
  path: string;
  body: { location: string; priority?: string };
  apiKey?: string;
  fetched: number;
  content: string;
}

/** A stand-in Qdrant peer: cluster info, collection info and placement, and recover calls that download the presigned URL. */
async function startQdrant(options: { peerId: number; cluster: boolean; collections: Record<string, { shards: number; local: number[] }>; downloadDelayMs?: number }) {
  const recoveries: Recovery[] = [];
  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, result: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status < 300 ? { result, status: 'ok', time: 0 } : { status: { error: result }, time: 0 }));
    if (req.headers['api-key'] !== API_KEY) return reply(401, 'Invalid API key or JWT');
    const url = new URL(req.url!, 'http://q');
    if (req.method === 'GET' && url.pathname === '/cluster') return reply(200, options.cluster ? { status: 'enabled', peer_id: options.peerId, peers: {} } : { status: 'disabled' });
    const m = /^\/collections\/([^/]+)(\/cluster|\/snapshots\/recover|\/shards\/(\d+)\/snapshots\/recover)?$/.exec(url.pathname);
    const collection = m && options.collections[decodeURIComponent(m[1])];
    if (req.method === 'PUT' && m?.[2]?.endsWith('/recover')) {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const body = JSON.parse(raw);
      await new Promise((r) => setTimeout(r, options.downloadDelayMs ?? 0));
      const download = await fetch(body.location);
      const content = await download.text();
      recoveries.push({ path: url.pathname, body, apiKey: req.headers['api-key'] as string, fetched: download.status, content });
      // As Qdrant does, an error quotes the location it could not download.
      return download.ok ? reply(200, true) : reply(400, `Failed to download snapshot from ${body.location}: status ${download.status}`);
    }
    if (!collection) return reply(404, 'Not found: Collection doesn\'t exist!');
    if (m![2] === '/cluster') return reply(200, { peer_id: options.peerId, shard_count: collection.shards, local_shards: collection.local.map((shard_id) => ({ shard_id, points_count: 1, state: 'Active' })), remote_shards: [], shard_transfers: [] });
    return reply(200, { status: 'green', config: { params: { shard_number: collection.shards } } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, recoveries, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function stackFile(endpoint: string, prefix = 'prod'): string {
  const dir = mkdtempSync(join(tmpdir(), 'restore-'));
  const file = join(dir, 'stack.yaml');
  writeFileSync(file, `name: shop\nsnapshots:\n  enabled: true\n  target: s3\n  s3:\n    endpoint: ${endpoint}\n    bucket: ${BUCKET}\n    region: ${REGION}\n    prefix: ${prefix}\n    credentials: { secretName: s3-credentials }\n`);
  return file;
}

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(['node', 'qdrant-stack', 'restore', ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const saved = { ...process.env };
beforeEach(() => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, QDRANT_API_KEY: API_KEY });
  // Never the developer's own ~/.aws.
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
});
afterAll(() => {
  process.env = saved;
});

/** Nothing secret in what the command wrote: the key pair, the API key, a signature. */
function expectNoSecrets(text: string) {
  for (const secret of [SECRET, ACCESS_KEY_ID, API_KEY, 'X-Amz-Signature', 'X-Amz-Credential']) expect(text).not.toContain(secret);
}

describe('restore: single node', () => {
  let s3: S3StandIn;
  beforeEach(async () => {
    s3 = await startS3StandIn({
      bucket: BUCKET,
      region: REGION,
      accessKeyId: ACCESS_KEY_ID,
      pageSize: 2,
      objects: {
        'snapshots/prod/knowledge/knowledge-4411-2026-03-01-03-00-00.snapshot': 'knowledge, older',
        'snapshots/prod/knowledge/knowledge-4411-2026-03-02-03-00-00.snapshot': 'knowledge, newest',
        'snapshots/prod/knowledge-v2/knowledge-v2-4411-2026-03-01-03-00-00.snapshot': 'knowledge-v2',
        'snapshots/prod/knowledge/notes.txt': 'not a snapshot',
        'snapshots/staging/knowledge/knowledge-9-2026-04-01-03-00-00.snapshot': 'another stack',
      },
    });
  });
  afterEach(() => s3.close());

  test('each collection from its newest snapshot, downloaded by Qdrant through a presigned URL', async () => {
    const qdrant = await startQdrant({ peerId: 1, cluster: false, collections: {} });
    try {
      const r = await run(['--url', qdrant.url, '--config', stackFile(s3.endpoint), '--format', 'json']);
      expect(r.err).toContain('3 snapshot(s)');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out);
      expect(report).toMatchObject({ verdict: 'ok', mode: 'single', dryRun: false, source: `s3://${BUCKET}/snapshots/prod/` });
      expect(report.steps.map((s: any) => [s.collection, s.snapshot, s.status])).toEqual([
        ['knowledge', 'knowledge-4411-2026-03-02-03-00-00.snapshot', 'recovered'],
        ['knowledge-v2', 'knowledge-v2-4411-2026-03-01-03-00-00.snapshot', 'recovered'],
      ]);
      expect(qdrant.recoveries.map((x) => [x.path, x.body.priority, x.apiKey, x.fetched, x.content])).toEqual([
        ['/collections/knowledge/snapshots/recover', 'snapshot', API_KEY, 200, 'knowledge, newest'],
        ['/collections/knowledge-v2/snapshots/recover', 'snapshot', API_KEY, 200, 'knowledge-v2'],
      ]);
      const presigned = new URL(qdrant.recoveries[0].body.location);
      expect(presigned.pathname).toBe(`/${BUCKET}/snapshots/prod/knowledge/knowledge-4411-2026-03-02-03-00-00.snapshot`);
      expect(presigned.searchParams.get('X-Amz-Expires')).toBe('3600');
      // Listed with paging (two keys a page), signed with the environment's key pair.
      const lists = s3.requests.filter((q) => q.query.get('list-type') === '2');
      expect(lists.length).toBe(2);
      expect(lists[0].query.get('prefix')).toBe('snapshots/prod/');
      expectNoSecrets(r.out + r.err);
    } finally {
      await qdrant.close();
    }
  });

  test('--dry-run lists the plan and writes nothing', async () => {
    const qdrant = await startQdrant({ peerId: 1, cluster: false, collections: {} });
    try {
      const r = await run(['--url', qdrant.url, '--config', stackFile(s3.endpoint), '--dry-run']);
      expect(r.code).toBe(0);
      expect(r.out).toContain('(dry run: nothing written)');
      expect(r.out).toMatch(/planned\s+knowledge ← knowledge-4411-2026-03-02-03-00-00\.snapshot \(17 bytes\)/);
      expect(r.out).toContain('restore: OK — 0 recovered, 2 planned, 0 failed');
      expect(qdrant.recoveries).toEqual([]);
      expect(s3.served).toEqual([]);
      expectNoSecrets(r.out + r.err);
    } finally {
      await qdrant.close();
    }
  });

  test('a recovery Qdrant refuses fails the verdict (exit 1), without quoting the signature', async () => {
    // Qdrant downloads after the URL's second has passed: S3 refuses it as expired, Qdrant quotes the URL.
    const qdrant = await startQdrant({ peerId: 1, cluster: false, collections: {}, downloadDelayMs: 2100 });
    try {
      const r = await run(['--url', qdrant.url, '--config', stackFile(s3.endpoint), '--url-expiry-s', '1', '--collection', 'knowledge']);
      expect(r.code).toBe(1);
      expect(qdrant.recoveries[0].fetched).toBe(403);
      expect(r.out).toMatch(/failed {4}knowledge ← knowledge-4411-2026-03-02-03-00-00\.snapshot .*: PUT \/collections\/knowledge\/snapshots\/recover answered 400: .*Failed to download snapshot from http:\/\/127\.0\.0\.1:\d+\/snapshots-bucket\/snapshots\/prod\/knowledge\/knowledge-4411-2026-03-02-03-00-00\.snapshot\?…/);
      const late = await run(['--url', qdrant.url, '--config', stackFile(s3.endpoint), '--collection', 'missing']);
      expect(late.code).toBe(1);
      expect(late.out).toContain('failed    missing: no snapshot of it under s3://snapshots-bucket/snapshots/prod/');
      expectNoSecrets(r.out + r.err + late.out + late.err);
    } finally {
      await qdrant.close();
    }
  });

  test('no such bucket, no credentials, a refused key: usage errors (exit 2) that name the fix', async () => {
    const qdrant = await startQdrant({ peerId: 1, cluster: false, collections: {} });
    try {
      const noBucket = await run(['--url', qdrant.url, '--config', stackFile(s3.endpoint), '--bucket', 'no-such-bucket']);
      expect(noBucket.code).toBe(2);
      expect(noBucket.err).toContain(`s3://no-such-bucket at ${s3.endpoint}: the bucket does not exist`);

      process.env.AWS_ACCESS_KEY_ID = 'AKIAWRONGKEY00000000';
      const refused = await run(['--url', qdrant.url, '--config', stackFile(s3.endpoint), '--format', 'json']);
      expect(refused.code).toBe(2);
      expect(refused.err).toContain('refused (InvalidAccessKeyId)');
      expect(JSON.parse(refused.out).error.kind).toBe('config');

      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      const none = await run(['--url', qdrant.url, '--config', stackFile(s3.endpoint)]);
      expect(none.code).toBe(2);
      expect(none.err).toContain('no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
      expect(qdrant.recoveries).toEqual([]);
      expectNoSecrets(noBucket.out + noBucket.err + refused.out + refused.err + none.out + none.err);
    } finally {
      await qdrant.close();
    }
  });

  test('a config without target s3 is a config error; an unreachable Qdrant exits 3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restore-'));
    writeFileSync(join(dir, 'pvc.yaml'), 'snapshots: { enabled: true }\n');
    const pvc = await run(['--url', 'http://127.0.0.1:1', '--config', join(dir, 'pvc.yaml')]);
    expect(pvc.code).toBe(2);
    expect(pvc.err).toContain('snapshots.target: is not "s3"');
    const down = await run(['--url', 'http://127.0.0.1:1', '--config', stackFile(s3.endpoint)]);
    expect(down.code).toBe(3);
    expect(down.err).toContain('127.0.0.1:1: unreachable');
  });
});

describe('restore: a cluster of 3 peers', () => {
  test('each shard from its newest shard snapshot, on a peer holding a replica of it', async () => {
    const s3 = await startS3StandIn({
      bucket: BUCKET,
      region: REGION,
      accessKeyId: ACCESS_KEY_ID,
      objects: {
        'snapshots/prod/knowledge/shards/0/knowledge-shard-0-2026-03-01-03-00-00.snapshot': 'shard 0, older',
        'snapshots/prod/knowledge/shards/0/knowledge-shard-0-2026-03-02-03-00-00.snapshot': 'shard 0, newest',
        'snapshots/prod/knowledge/shards/1/knowledge-shard-1-2026-03-02-03-00-01.snapshot': 'shard 1',
        'snapshots/prod/knowledge/shards/2/knowledge-shard-2-2026-03-02-03-00-02.snapshot': 'shard 2',
        'snapshots/prod/undeclared/shards/0/undeclared-shard-0-2026-03-02-03-00-00.snapshot': 'not in the target',
      },
    });
    // Placement of the fresh cluster (replication factor 2): 0 → peers 1 and 3, 1 → peers 1 and 2, 2 → peers 2 and 3.
    const shards = (local: number[]) => ({ knowledge: { shards: 3, local } });
    const peers = await Promise.all([
      startQdrant({ peerId: 101, cluster: true, collections: shards([0, 1]) }),
      startQdrant({ peerId: 102, cluster: true, collections: shards([1, 2]) }),
      startQdrant({ peerId: 103, cluster: true, collections: shards([2, 0]) }),
    ]);
    try {
      const config = stackFile(s3.endpoint);
      const args = ['--url', peers[0].url, '--peer-urls', `${peers[1].url},${peers[2].url}`, '--config', config];
      const dry = await run([...args, '--dry-run', '--format', 'json']);
      expect(JSON.parse(dry.out).steps.map((s: any) => [s.collection, s.shard, s.status])).toEqual([
        ['knowledge', 0, 'planned'],
        ['knowledge', 1, 'planned'],
        ['knowledge', 2, 'planned'],
        ['undeclared', undefined, 'failed'],
      ]);
      expect(peers.flatMap((p) => p.recoveries)).toEqual([]);

      const r = await run(args);
      expect(r.code).toBe(1); // the undeclared collection
      expect(r.out).toContain('failed    undeclared: does not exist in the target: declare it in qdrant.collections');
      const recovered = peers.map((p) => p.recoveries.map((x) => [x.path, x.body.priority, x.content]));
      expect(recovered).toEqual([
        [
          ['/collections/knowledge/shards/0/snapshots/recover', 'snapshot', 'shard 0, newest'],
          ['/collections/knowledge/shards/1/snapshots/recover', 'snapshot', 'shard 1'],
        ],
        [['/collections/knowledge/shards/2/snapshots/recover', 'snapshot', 'shard 2']],
        [],
      ]);
      expectNoSecrets(r.out + r.err + dry.out + dry.err);

      // Without the other peers' URLs, shard 2 has no reachable holder.
      const partial = await run(['--url', peers[0].url, '--config', config, '--collection', 'knowledge', '--dry-run']);
      expect(partial.code).toBe(1);
      expect(partial.out).toContain("failed    knowledge shard 2: no given peer holds a replica of it: pass every peer's URL (--peer-urls)");
    } finally {
      await Promise.all(peers.map((p) => p.close()));
      await s3.close();
    }
  });
});
