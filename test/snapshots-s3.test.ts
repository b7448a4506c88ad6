import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { dataVolumeProblems } from '../src/apiserver';
import { resolveConfig } from '../src/config/load';
import { plan } from '../src/config/plan';
import type { StackInput } from '../src/config/schema';
import { SNAPSHOTS_SCRIPT } from '../src/jobs/snapshots';
import { S3_SNAPSHOTS_SCRIPT } from '../src/snapshots/cron-script';
import { find, synthStack } from './support/stack';

const S3 = { endpoint: 'https://minio.example.net:9000', bucket: 'qdrant-backups', region: 'us-east-1', prefix: 'prod/search', credentials: { secretName: 's3-credentials' } };
const s3Stack = (extra: StackInput = {}): StackInput => ({ name: 'test', ...extra, snapshots: { enabled: true, target: 's3', s3: S3, ...extra.snapshots } });
const env = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
const qdrantContainer = (objects: any[], kind: string) => find(objects, kind, 'test-qdrant').spec.template.spec.containers.find((c: any) => c.name === 'qdrant');

describe('snapshots.target s3: the render', () => {
  test('Qdrant\'s S3 snapshot storage as env; the key pair only as secretKeyRefs; no snapshots volume', () => {
    const objects = synthStack(s3Stack());
    const e = env(qdrantContainer(objects, 'Deployment'));
    expect(e).toMatchObject({
      QDRANT__STORAGE__SNAPSHOTS_CONFIG__SNAPSHOTS_STORAGE: 's3',
      QDRANT__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__BUCKET: 'qdrant-backups',
      QDRANT__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__REGION: 'us-east-1',
      QDRANT__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__ENDPOINT_URL: 'https://minio.example.net:9000',
      QDRANT__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__ACCESS_KEY: { secretKeyRef: { name: 's3-credentials', key: 'AWS_ACCESS_KEY_ID' } },
      QDRANT__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__SECRET_KEY: { secretKeyRef: { name: 's3-credentials', key: 'AWS_SECRET_ACCESS_KEY' } },
      QDRANT__STORAGE__SNAPSHOTS_PATH: './snapshots/prod/search',
      QDRANT__STORAGE__TEMP_PATH: '/qdrant/storage/snapshots_temp',
    });
    expect(e.AWS_VIRTUAL_HOSTED_STYLE_REQUEST).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.metadata.name)).not.toContain('test-qdrant-snapshots');
    expect(find(objects, 'Deployment', 'test-qdrant').spec.template.spec.volumes).toContainEqual({ name: 'snapshots', emptyDir: {} });
    expect(find(objects, 'ConfigMap', 'test-qdrant-snapshots').data['snapshots.js']).toBe(S3_SNAPSHOTS_SCRIPT);
    expect(env(find(objects, 'CronJob', 'test-qdrant-snapshots').spec.jobTemplate.spec.template.spec.containers[0]).LEVEL).toBe('collection');
    expect(plan(resolveConfig(s3Stack())).rows.find((r: any) => r.component === 'qdrant')).toMatchObject({ storage: '10Gi' });
  });

  test('no credential value anywhere in the render, whatever the Secret holds', () => {
    const text = stringify(synthStack(s3Stack({ snapshots: { s3: { ...S3, credentials: { secretName: 's3-credentials', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret' } } } as any })));
    for (const fake of ['AKIAFAKEACCESSKEY123', 'fake/Secret+Access/Key']) expect(text).not.toContain(fake);
    expect(text).not.toMatch(/ACCESS_KEY\s*\n\s*value:/);
  });

  test('a cluster snapshots each shard; virtual-hosted addressing when asked', () => {
    const objects = synthStack(s3Stack({ qdrant: { replicas: 3 }, snapshots: { s3: { ...S3, forcePathStyle: false } } as any }));
    expect(find(objects, 'StatefulSet', 'test-qdrant').spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['storage']);
    expect(env(qdrantContainer(objects, 'StatefulSet')).AWS_VIRTUAL_HOSTED_STYLE_REQUEST).toBe('true');
    expect(env(find(objects, 'CronJob', 'test-qdrant-snapshots').spec.jobTemplate.spec.template.spec.containers[0]).LEVEL).toBe('shard');
  });

  test('egress of the Qdrant pods to the endpoint\'s port and the given CIDRs', () => {
    const policy = (objects: any[]) => find(objects, 'NetworkPolicy', 'test-qdrant').spec.egress;
    expect(policy(synthStack(s3Stack()))).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ protocol: 'TCP', port: 9000 }] });
    const narrowed = synthStack(s3Stack({ snapshots: { s3: { ...S3, endpoint: 'https://s3.eu-west-1.amazonaws.com', egressCidrs: ['52.218.0.0/17'] } } as any }));
    expect(policy(narrowed)).toContainEqual({ to: [{ ipBlock: { cidr: '52.218.0.0/17' } }], ports: [{ protocol: 'TCP', port: 443 }] });
    expect(JSON.stringify(policy(synthStack({ name: 'test', snapshots: { enabled: true } })))).not.toContain('ipBlock');
  });

  test('target pvc renders exactly as without the new keys: the same objects, the same script', () => {
    const before = synthStack({ name: 'test', qdrant: { replicas: 3 }, snapshots: { enabled: true } });
    expect(synthStack({ name: 'test', qdrant: { replicas: 3 }, snapshots: { enabled: true, target: 'pvc' } })).toEqual(before);
    expect(find(before, 'ConfigMap', 'test-qdrant-snapshots').data['snapshots.js']).toBe(SNAPSHOTS_SCRIPT);
    const text = stringify(before);
    for (const word of ['S3_CONFIG', 'SNAPSHOTS_PATH', 'TEMP_PATH', 'LEVEL']) expect(text).not.toContain(word);
  });

  test('pvc → s3 leaves the snapshots volume behind: refused without --allow-data-migration', () => {
    const single = dataVolumeProblems(synthStack({ name: 'test', snapshots: { enabled: true } }), synthStack(s3Stack()));
    expect(single).toEqual([expect.objectContaining({ object: 'PersistentVolumeClaim test/test-qdrant-snapshots', rule: 'data-volume-dropped' })]);
    const cluster = dataVolumeProblems(synthStack({ name: 'test', qdrant: { replicas: 3 }, snapshots: { enabled: true } }), synthStack(s3Stack({ qdrant: { replicas: 3 } })));
    expect(cluster.map((p) => [p.rule, p.object])).toEqual([['data-volume-dropped', expect.stringContaining('"snapshots" claims of StatefulSet')]]);
  });
});

describe('snapshots.target s3: the model refuses what cannot work', () => {
  test.each([
    [{ snapshots: { target: 's3' } }, 'snapshots.s3: is required with target "s3"'],
    [{ snapshots: { target: 'nfs' } }, 'snapshots.target: must be "pvc" (a volume next to the data) or "s3"'],
    [{ snapshots: { s3: S3 } }, 'snapshots.s3: is used only with target "s3"'],
    [{ snapshots: { enabled: true, target: 's3', s3: S3, restore: [{ collection: 'k', path: '/qdrant/snapshots/k.snapshot' }] } }, 'snapshots.restore: reads files from the snapshots volume, which target "s3" does not have'],
    [{ snapshots: { target: 's3', s3: { ...S3, endpoint: 'minio:9000' } } }, 'snapshots.s3.endpoint: must be an http or https URL'],
    [{ snapshots: { target: 's3', s3: { ...S3, endpoint: 'https://s3.amazonaws.com/bucket' } } }, 'snapshots.s3.endpoint: must be the endpoint alone'],
    [{ snapshots: { target: 's3', s3: { ...S3, bucket: 'Bad_Bucket' } } }, 'snapshots.s3.bucket: must be an S3 bucket name'],
    [{ snapshots: { target: 's3', s3: { ...S3, prefix: '/prod/' } } }, 'snapshots.s3.prefix: must be a key prefix such as "prod/search"'],
    [{ snapshots: { target: 's3', s3: { ...S3, prefix: 'a/../b' } } }, 'snapshots.s3.prefix: must not have a "." or ".." segment'],
    [{ snapshots: { target: 's3', s3: { ...S3, credentials: { secretName: 's3', accessKey: 'AKIA' } } } }, 'snapshots.s3.credentials'],
    [{ snapshots: { target: 's3', s3: { ...S3, egressCidrs: ['10.0.0.0'] } } }, 'snapshots.s3.egressCidrs[0]: must be a CIDR'],
    [{ snapshots: { target: 's3', s3: { ...S3, region: 'EU West' } } }, 'snapshots.s3.region: must be a region such as "eu-west-1"'],
  ])('%j', (input, message) => {
    expect(() => resolveConfig(input as StackInput)).toThrow(message);
  });
});

/** A stand-in of the snapshot API of peers sharing one bucket: every peer lists every peer's snapshots, as Qdrant on S3 does. */
function bucketApi(apiKey: string, peers: { id: number; shards: number[] }[]) {
  const objects = new Map<string, { name: string; creation_time: string; size: number }[]>();
  const existing = (dir: string, names: string[]) => objects.set(dir, names.map((name, i) => ({ name, creation_time: `2026-01-0${i + 1}T00:00:00`, size: 1 })));
  existing('knowledge', ['knowledge-1-2026-01-01-00-00-00.snapshot', 'knowledge-1-2026-01-02-00-00-00.snapshot', 'knowledge-2-2026-01-01-00-00-00.snapshot', 'knowledge-2-2026-01-02-00-00-00.snapshot']);
  existing('knowledge/shards/0', ['knowledge-shard-0-2026-01-01-00-00-00.snapshot', 'knowledge-shard-0-2026-01-02-00-00-00.snapshot']);
  let clock = 0;
  const servers = peers.map((peer) =>
    createServer((req, res) => {
      const reply = (status: number, result: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ result, status: 'ok' }));
      if (req.headers['api-key'] !== apiKey) return reply(401, null);
      const path = new URL(req.url!, 'http://q').pathname;
      if (path === '/collections') return reply(200, { collections: [{ name: 'knowledge' }] });
      if (path === '/collections/knowledge/cluster') return reply(200, { peer_id: peer.id, local_shards: peer.shards.map((shard_id) => ({ shard_id, state: 'Active' })) });
      const m = /^\/collections\/knowledge(\/shards\/(\d+))?\/snapshots(?:\/([^/]+))?$/.exec(path)!;
      const dir = `knowledge${m[1] ?? ''}`;
      const list = objects.get(dir) ?? [];
      objects.set(dir, list);
      if (req.method === 'POST') {
        const at = `2026-02-0${++clock}-00-00-00`;
        const made = { name: m[2] ? `knowledge-shard-${m[2]}-${at}.snapshot` : `knowledge-${peer.id}-${at}.snapshot`, creation_time: `2026-02-0${clock}T00:00:00`, size: 1 };
        list.push(made);
        return reply(200, made);
      }
      if (req.method === 'DELETE') {
        objects.set(dir, list.filter((s) => s.name !== decodeURIComponent(m[3])));
        return reply(200, true);
      }
      return reply(200, list);
    }),
  );
  return { servers, objects };
}

async function runScript(apiKey: string, level: string, peers: { id: number; shards: number[] }[]) {
  const api = bucketApi(apiKey, peers);
  const urls: string[] = [];
  for (const s of api.servers as Server[]) {
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    urls.push(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 's3-snapshots-'));
  writeFileSync(join(dir, 'snapshots.js'), S3_SNAPSHOTS_SCRIPT);
  const result = await new Promise<{ code: number | null; output: string }>((done) => {
    const child = spawn(process.execPath, [join(dir, 'snapshots.js')], { env: { PATH: process.env.PATH, QDRANT_PEERS: urls.join(','), QDRANT_API_KEY: apiKey, KEEP: '2', LEVEL: level } });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('close', (code) => done({ code, output }));
  });
  await Promise.all(api.servers.map((s) => new Promise((r) => s.close(r))));
  return { ...result, names: (dir: string) => api.objects.get(dir)!.map((s) => s.name).sort() };
}

describe('the S3 snapshot script, against peers sharing one bucket', () => {
  test('collection level: keeps each peer\'s newest 2, never another peer\'s', async () => {
    const { code, output, names } = await runScript('k3y-abc', 'collection', [{ id: 1, shards: [0] }]);
    expect(code).toBe(0);
    expect(names('knowledge')).toEqual(['knowledge-1-2026-01-02-00-00-00.snapshot', 'knowledge-1-2026-02-01-00-00-00.snapshot', 'knowledge-2-2026-01-01-00-00-00.snapshot', 'knowledge-2-2026-01-02-00-00-00.snapshot']);
    expect(output).not.toContain('k3y-abc');
  });

  test('shard level: each shard once, on the first peer holding it, its newest 2 kept', async () => {
    const { code, output, names } = await runScript('k3y-abc', 'shard', [{ id: 1, shards: [0, 1] }, { id: 2, shards: [1, 2] }, { id: 3, shards: [2, 0] }]);
    expect(code).toBe(0);
    expect(names('knowledge/shards/0')).toEqual(['knowledge-shard-0-2026-01-02-00-00-00.snapshot', 'knowledge-shard-0-2026-02-01-00-00-00.snapshot']);
    expect(names('knowledge/shards/1')).toEqual(['knowledge-shard-1-2026-02-02-00-00-00.snapshot']);
    expect(names('knowledge/shards/2')).toEqual(['knowledge-shard-2-2026-02-03-00-00-00.snapshot']);
    expect(names('knowledge')).toHaveLength(4); // collection snapshots untouched
    expect(output.match(/created/g)).toHaveLength(3);
  });
});
