import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main';
import { resolveConfig, resolveStack } from '../src/config/load';
import { plan } from '../src/config/plan';
import { SNAPSHOTS_SCRIPT } from '../src/jobs/snapshots';
import { find, synthStack } from './support/stack';

const env = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('snapshots', () => {
  test('single node: a snapshots PVC and a CronJob that snapshots through the Service', () => {
    const objects = synthStack({ name: 'test', snapshots: { enabled: true, schedule: '30 2 * * *', keep: 5, size: '50Gi' } });
    const volumes = find(objects, 'Deployment', 'test-qdrant').spec.template.spec.volumes;
    expect(volumes).toContainEqual({ name: 'snapshots', persistentVolumeClaim: { claimName: 'test-qdrant-snapshots', readOnly: false } });
    expect(find(objects, 'PersistentVolumeClaim', 'test-qdrant-snapshots').spec.resources.requests.storage).toBe('50Gi');
    const cron = find(objects, 'CronJob', 'test-qdrant-snapshots');
    expect(cron.spec).toMatchObject({ schedule: '30 2 * * *', concurrencyPolicy: 'Forbid' });
    const c = cron.spec.jobTemplate.spec.template.spec.containers[0];
    expect(env(c)).toMatchObject({ QDRANT_PEERS: 'http://test-qdrant.test.svc:6333', KEEP: '5', QDRANT_API_KEY: { secretKeyRef: { name: 'test-qdrant-api-key', key: 'api-key' } } });
    expect(cron.spec.jobTemplate.spec.template.metadata.labels['qdrant-stack/client']).toBe('true');
  });

  test('distributed: one snapshots volume per peer and every peer snapshotted', () => {
    const objects = synthStack({ name: 'test', qdrant: { replicas: 3 }, snapshots: { enabled: true } });
    expect(find(objects, 'StatefulSet', 'test-qdrant').spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['storage', 'snapshots']);
    const c = find(objects, 'CronJob', 'test-qdrant-snapshots').spec.jobTemplate.spec.template.spec.containers[0];
    expect(env(c).QDRANT_PEERS.split(',')).toEqual([0, 1, 2].map((i) => `http://test-qdrant-${i}.test-qdrant-headless.test.svc:6333`));
  });

  test('start-up restore: qdrant --snapshot PATH:COLLECTION on a single node', () => {
    const objects = synthStack({ name: 'test', snapshots: { enabled: true, restore: [{ collection: 'knowledge', path: '/qdrant/snapshots/knowledge/k-1.snapshot' }] } });
    expect(find(objects, 'Deployment', 'test-qdrant').spec.template.spec.containers[0].command).toEqual(['./entrypoint.sh', '--snapshot', '/qdrant/snapshots/knowledge/k-1.snapshot:knowledge']);
    expect(() => resolveConfig({ qdrant: { replicas: 3 }, snapshots: { enabled: true, restore: [{ collection: 'k', path: '/qdrant/snapshots/k.snapshot' }] } })).toThrow('snapshots.restore: start-up restore works on a single node on a Deployment only');
    expect(() => resolveConfig({ snapshots: { restore: [{ collection: 'k', path: '/qdrant/snapshots/k.snapshot' }] } })).toThrow('snapshots.restore: needs snapshots.enabled: true');
    expect(() => resolveConfig({ snapshots: { schedule: 'nightly' } })).toThrow('snapshots.schedule: must be a cron schedule with five fields');
  });
});

/** A stand-in of Qdrant's snapshot API (envelope and api-key as Qdrant does), for the CronJob's script. */
function snapshotApi(apiKey: string, collections: string[], existing: number) {
  const snapshots = new Map(collections.map((c) => [c, Array.from({ length: existing }, (_, i) => ({ name: `${c}-old-${i}.snapshot`, creation_time: `2026-01-0${i + 1}T00:00:00`, size: 10 }))]));
  let made = 0;
  const server: Server = createServer((req, res) => {
    const reply = (status: number, result: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ result, status: 'ok', time: 0.001 }));
    if (req.headers['api-key'] !== apiKey) return void res.writeHead(401).end('Invalid API key or JWT');
    const url = new URL(req.url!, 'http://x');
    const m = /^\/collections\/([^/]+)\/snapshots(?:\/([^/]+))?$/.exec(url.pathname);
    if (req.method === 'GET' && url.pathname === '/collections') return reply(200, { collections: collections.map((name) => ({ name })) });
    if (!m || !snapshots.has(m[1])) return reply(404, null);
    const list = snapshots.get(m[1])!;
    if (req.method === 'POST' && !m[2]) {
      const snap = { name: `${m[1]}-new-${made++}.snapshot`, creation_time: `2026-11-22T00:00:0${made}`, size: 99 };
      list.push(snap);
      return reply(200, snap);
    }
    if (req.method === 'GET' && !m[2]) return reply(200, list);
    if (req.method === 'DELETE' && m[2]) {
      snapshots.set(m[1], list.filter((s) => s.name !== decodeURIComponent(m[2])));
      return reply(200, true);
    }
    return reply(405, null);
  });
  return { server, snapshots };
}

function runSnapshots(peers: string[], apiKey: string, keep: number) {
  const dir = mkdtempSync(join(tmpdir(), 'snapshots-'));
  writeFileSync(join(dir, 'snapshots.js'), SNAPSHOTS_SCRIPT);
  return new Promise<{ code: number | null; output: string }>((done) => {
    const child = spawn(process.execPath, [join(dir, 'snapshots.js')], { env: { PATH: process.env.PATH, QDRANT_PEERS: peers.join(','), QDRANT_API_KEY: apiKey, KEEP: String(keep) } });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('close', (code) => done({ code, output }));
  });
}

describe('the snapshot script, against a stand-in of the snapshot API', () => {
  const KEY = 'snap-key-1f2e';
  const apis = [snapshotApi(KEY, ['knowledge', 'faq'], 3), snapshotApi(KEY, ['knowledge', 'faq'], 0)];
  const urls: string[] = [];
  beforeAll(async () => {
    for (const api of apis) {
      await new Promise<void>((r) => api.server.listen(0, '127.0.0.1', r));
      urls.push(`http://127.0.0.1:${(api.server.address() as AddressInfo).port}`);
    }
  });
  afterAll(() => Promise.all(apis.map((a) => new Promise((r) => a.server.close(r)))));

  test('snapshots every collection on every peer and keeps the newest N', async () => {
    const { code, output } = await runSnapshots(urls, KEY, 2);
    expect(code).toBe(0);
    for (const api of apis) {
      for (const collection of ['knowledge', 'faq']) {
        const names = api.snapshots.get(collection)!.map((s) => s.name);
        expect(names).toHaveLength(api === apis[0] ? 2 : 1);
        expect(names.some((n) => n.includes('-new-'))).toBe(true);
      }
    }
    expect(apis[0].snapshots.get('knowledge')!.map((s) => s.name)).toContain('knowledge-old-2.snapshot');
    expect(output).toContain('knowledge: created');
    expect(output).toContain('deleted knowledge-old-0.snapshot');
    expect(output).not.toContain(KEY);
  });

  test('a refused key fails the job, naming the peer, without printing the key', async () => {
    const { code, output } = await runSnapshots(urls.slice(0, 1), 'wrong', 2);
    expect(code).toBe(1);
    expect(output).toMatch(/GET \/collections answered 401/);
    expect(output).toContain('1 of 1 peer(s) failed');
    expect(output).not.toContain('wrong');
  });
});

describe('profiles', () => {
  test('dev: one small node, no PDB', () => {
    const objects = synthStack({ name: 'test', profile: 'dev' });
    const c = find(objects, 'Deployment', 'test-qdrant').spec.template.spec.containers[0];
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } });
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget' || o.kind === 'PriorityClass')).toEqual([]);
  });

  test('prod: 3 peers, PDB, spread, a PriorityClass, snapshots on', () => {
    const objects = synthStack({ name: 'test', profile: 'prod' });
    const sts = find(objects, 'StatefulSet', 'test-qdrant');
    expect(sts.spec.replicas).toBe(3);
    expect(find(objects, 'PodDisruptionBudget', 'test-qdrant').spec.maxUnavailable).toBe(1);
    expect(sts.spec.template.spec.topologySpreadConstraints).toHaveLength(2);
    const pc = find(objects, 'PriorityClass', 'test-critical');
    expect(pc.value).toBe(1000000);
    expect(pc.metadata.namespace).toBeUndefined();
    expect(sts.spec.template.spec.priorityClassName).toBe('test-critical');
    expect(find(objects, 'CronJob', 'test-qdrant-snapshots')).toBeDefined();
  });

  test("the file's own values win over the preset", () => {
    const objects = synthStack({ name: 'test', profile: 'prod', qdrant: { replicas: 5, priorityClassName: 'platform-high' }, snapshots: { enabled: false } });
    const sts = find(objects, 'StatefulSet', 'test-qdrant');
    expect(sts.spec.replicas).toBe(5);
    expect(sts.spec.template.spec.priorityClassName).toBe('platform-high');
    expect(objects.filter((o) => o.kind === 'CronJob' || o.kind === 'PriorityClass')).toEqual([]);
  });

  test('an unknown profile is an error', () => {
    expect(() => resolveConfig({ profile: 'production' })).toThrow('profile: must be one of dev, prod (got "production")');
  });
});

describe('environments', () => {
  const model = {
    name: 'search',
    qdrant: { storage: { size: '20Gi' }, collections: [{ name: 'knowledge', vectorSize: 1024, distance: 'Cosine' }] },
    environments: {
      staging: { profile: 'dev', namespace: 'search-staging' },
      prod: { profile: 'prod', qdrant: { storage: { storageClass: 'premium' }, collections: [{ name: 'docs', vectorSize: 1024, distance: 'Dot' }] } },
    },
  };

  test('deep-merged onto the base: objects merge, lists replace, profiles apply per environment', () => {
    const { base, environments } = resolveStack(model);
    expect(base.qdrant.replicas).toBe(1);
    const prod = environments.get('prod')!;
    expect(prod.qdrant.storage).toEqual({ size: '20Gi', storageClass: 'premium', retainOnDelete: true });
    expect(prod.qdrant.collections.map((c) => c.name)).toEqual(['docs']);
    expect(prod.qdrant.replicas).toBe(3);
    const staging = environments.get('staging')!;
    expect(staging.namespace).toBe('search-staging');
    // The environment's profile applies over the file: the dev preset's 2Gi beats the file's 20Gi...
    expect(staging.qdrant.storage.size).toBe('2Gi');
    // ...while the environment's own keys beat its profile.
    const own = resolveStack({ ...model, environments: { staging: { profile: 'dev', qdrant: { storage: { size: '5Gi' } } } } }).environments.get('staging')!;
    expect(own.qdrant.storage.size).toBe('5Gi');
  });

  test("an environment's problems are reported under its name, with the base's", () => {
    try {
      resolveStack({ qdrant: { replicas: 0 }, environments: { prod: { qdrant: { collections: [{ name: 'x', vectorSize: 1024, distance: 'Cosine', replicationFactor: 4 }] } } } });
      throw new Error('expected a failure');
    } catch (e) {
      const text = (e as Error).message;
      expect(text).toContain('qdrant.replicas: must be a positive integer (got 0)');
      expect(text).toContain('environments.prod.qdrant.collections[0].replicationFactor: 4 exceeds qdrant.replicas');
      expect(text.match(/replicas: must be a positive integer/g)).toHaveLength(1);
    }
  });

  test('synth renders each environment into <out>/<env>/; --env renders one; an unknown one exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envs-'));
    writeFileSync(join(dir, 'stack.yaml'), JSON.stringify(model));
    const quiet = { out: () => {}, err: () => {} };
    expect(await main(['node', 'q', 'synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'all')], quiet)).toBe(0);
    expect(readdirSync(join(dir, 'all')).sort()).toEqual(['.env.example', '.qdrant-stack-files', 'docker-compose.yml', 'kustomization.yaml', 'prod', 'search-collections.k8s.yaml', 'search-smoke.k8s.yaml', 'search.k8s.yaml', 'staging']);
    expect(readdirSync(join(dir, 'all', 'prod')).sort()).toEqual(['.env.example', '.qdrant-stack-files', 'docker-compose.yml', 'kustomization.yaml', 'search-collections.k8s.yaml', 'search-smoke.k8s.yaml', 'search.k8s.yaml']);
    expect(await main(['node', 'q', 'synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'one'), '--env', 'staging'], quiet)).toBe(0);
    expect(readdirSync(join(dir, 'one'))).toEqual(['staging']);
    let err = '';
    expect(await main(['node', 'q', 'synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'bad'), '--env', 'qa'], { out: () => {}, err: (t) => (err += t) })).toBe(2);
    expect(err).toContain('--env: unknown environment "qa" (defined: staging, prod)');
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });
});

describe('plan', () => {
  test('requests, limits and storage per component and in total, peers multiplied', () => {
    const result = plan(resolveConfig({ qdrant: { replicas: 3, sizing: { vectors: 1_000_000 } }, snapshots: { enabled: true, size: '10Gi' } }));
    const qdrant = result.rows.find((r) => r.component === 'qdrant')!;
    expect(qdrant).toMatchObject({ replicas: 3, memoryRequest: '5860Mi', memoryLimit: '11720Mi', storage: '20Gi' });
    // 3 × 5860Mi + ollama 2Gi + redis 320Mi
    expect(result.total.memoryRequest).toBe(`${3 * 5860 + 2048 + 320}Mi`);
    expect(result.total.cpuRequest).toBe('2600m');
    expect(result.total.storage).toBe(`${3 * 20 + 20 + 8}Gi`);
    expect(result.sizing).toBe('qdrant memory: 1,000,000 points per collection, in RAM × 1.5 = 5.72 GiB (layouts below) → request 5860Mi per peer');
    // Stack jobs around each component's own, in component order; the collections reconciler is one of Qdrant's.
    expect(result.jobs.map((j) => j.component)).toEqual(['secret-generator', 'qdrant-collections', 'qdrant-snapshots', 'ollama-pull-models', 'smoke']);
  });

  test('qdrant-stack plan prints the table; --env and --format json', async () => {
    let out = '';
    const io = { out: (t: string) => (out += t), err: () => {} };
    expect(await main(['node', 'q', 'plan', '--config', join(__dirname, '..', 'stack.yaml'), '--env', 'prod'], io)).toBe(0);
    expect(out).toContain("plan for stack 'qdrant-stack' (environment prod), profile prod");
    // prod keeps its snapshots in S3 (stack.yaml): storage only, no snapshots volume.
    expect(out).toMatch(/^qdrant\s+3\s+500m\s+2\s+1Gi\s+2Gi\s+10Gi\s+StatefulSet$/m);
    expect(out).toMatch(/^total \(× replicas\)/m);
    out = '';
    expect(await main(['node', 'q', 'plan', '--config', join(__dirname, '..', 'stack.yaml'), '--format', 'json'], io)).toBe(0);
    expect(JSON.parse(out).rows[0]).toMatchObject({ component: 'qdrant', replicas: 1 });
  });
});
