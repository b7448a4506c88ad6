/**
 * Never lose data in the cluster, and refuse configs a cluster would reject: volumes survive GitOps pruning,
 * environments never share a namespace, a change that would replace a data volume is named, prod survives
 * a node, and every value the API server parses is checked before anything renders.
 */
import { dataVolumeProblems, valueProblems } from '../src/apiserver';
import { parseStack, resolveConfig, resolveStack } from '../src/config/load';
import { plan } from '../src/config/plan';
import type { StackInput } from '../src/config/schema';
import { rollout } from '../src/rollout';
import { renderStack } from '../src/synth';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { main } from '../src/cli/main';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { find, synthStack } from './support/stack';

const KEEP = {
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
  'helm.sh/resource-policy': 'keep',
};

describe('volumes survive GitOps pruning and app deletion', () => {
  test.each([
    ['defaults', {}],
    ['single node with snapshots', { snapshots: { enabled: true } }],
  ] as [string, StackInput][])('%s: the Namespace and every PersistentVolumeClaim are never pruned or deleted by Argo CD, Flux or Helm', (_t, input) => {
    const objects = synthStack(input);
    const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim');
    expect(claims.length).toBeGreaterThanOrEqual(3);
    for (const o of [find(objects, 'Namespace', 'qdrant-stack'), ...claims]) expect([o.metadata.name, o.metadata.annotations]).toEqual([o.metadata.name, expect.objectContaining(KEEP)]);
  });
});

describe('environments never share a namespace; system namespaces are refused', () => {
  test('an environment without its own namespace gets <namespace>-<environment>', () => {
    const stack = resolveStack({ name: 'vec', environments: { staging: {}, prod: { namespace: 'search' } } });
    expect(stack.base.namespace ?? stack.base.name).toBe('vec');
    expect(stack.environments.get('staging')!.namespace).toBe('vec-staging');
    expect(stack.environments.get('prod')!.namespace).toBe('search');
    expect(find(synthStack({ name: 'vec', namespace: 'vectors', environments: { dev: {} } } as StackInput), 'Namespace', 'vectors')).toBeDefined();
    expect(resolveStack({ namespace: 'vectors', environments: { dev: {} } }).environments.get('dev')!.namespace).toBe('vectors-dev');
  });

  test.each([
    ['an environment in the base namespace', { namespace: 'vectors', environments: { staging: { namespace: 'vectors' } } }, 'environments.staging.namespace: renders into namespace "vectors", as the base stack does'],
    ['two environments in one namespace', { environments: { a: { namespace: 'shared' }, b: { namespace: 'shared' } } }, 'environments.b.namespace: renders into namespace "shared", as environments.a does'],
    ['kube-system', { namespace: 'kube-system' }, 'namespace: is a namespace of the cluster itself'],
    ['default', { namespace: 'default' }, 'namespace: is a namespace of the cluster itself'],
    ['kube-public in an environment', { environments: { prod: { namespace: 'kube-public' } } }, 'environments.prod.namespace: is a namespace of the cluster itself'],
    ['a stack named default without a namespace', { name: 'default' }, "name: is also the namespace when none is given, and default is the cluster's own"],
  ] as [string, StackInput, string][])('%s is refused', (_t, input, message) => {
    expect(() => resolveStack(input)).toThrow(message);
  });
});

describe('a change that would replace or orphan a data volume is named', () => {
  const problems = (before: StackInput, after: StackInput) => dataVolumeProblems(synthStack(before), synthStack(after));

  test('single node → 3 peers: the Deployment becomes a StatefulSet with new, empty volumes', () => {
    const found = problems({}, { qdrant: { replicas: 3 } });
    expect(found).toEqual([expect.objectContaining({ object: 'PersistentVolumeClaim qdrant-stack/qdrant-stack-qdrant-storage', rule: 'data-volume-replaced' })]);
    expect(found[0].message).toContain('From a single node to a cluster');
  });

  test.each([
    ['a new storage class', {}, { qdrant: { storage: { storageClass: 'fast' } } }, 'data-volume-storage-class'],
    ['Redis persistence off', {}, { redis: { persistence: false } }, 'data-volume-dropped'],
    ['snapshots off on a single node', { snapshots: { enabled: true } }, {}, 'data-volume-dropped'],
    ['another namespace', {}, { namespace: 'elsewhere' }, 'data-volume-dropped'],
    ['a new claim-template storage class', { qdrant: { replicas: 3 } }, { qdrant: { replicas: 3, storage: { storageClass: 'fast' } } }, 'data-volume-storage-class'],
  ] as [string, StackInput, StackInput, string][])('%s', (_t, before, after, rule) => {
    expect(problems(before, after).map((p) => p.rule)).toContain(rule);
  });

  test.each([
    ['a version bump', {}, { qdrant: { version: '1.19.1' } }],
    ['3 → 5 peers', { qdrant: { replicas: 3 } }, { qdrant: { replicas: 5 } }],
    ['a larger volume', {}, { qdrant: { storage: { size: '50Gi' } } }],
  ] as [string, StackInput, StackInput][])('none for %s', (_t, before, after) => {
    expect(problems(before, after)).toEqual([]);
  });

  test('plan shows it against the previous render', () => {
    const dir = mkdtempSync(join(tmpdir(), 'data-'));
    renderStack(resolveConfig({ name: 'vec' }), join(dir, 'dist'));
    const upgrade = rollout(resolveConfig({ name: 'vec', qdrant: { replicas: 3 } }), join(dir, 'dist')).upgrade!;
    expect(upgrade.dataVolumes.map((p) => p.object)).toEqual(['PersistentVolumeClaim vec/vec-qdrant-storage']);
  });
});

describe('prod survives the loss of a node', () => {
  test('collections keep 2 copies of each shard by default in distributed mode; plan shows it', () => {
    expect(plan(resolveConfig({ profile: 'prod' })).collections).toEqual([{ name: 'knowledge', replicationFactor: 2, defaulted: true }]);
    expect(plan(resolveConfig({})).collections).toEqual([{ name: 'knowledge', replicationFactor: 1, defaulted: true }]);
  });

  test('one copy in a cluster is valid but warned about, with the path', () => {
    const stack = resolveStack({ qdrant: { replicas: 3, collections: [{ name: 'k', vectorSize: 1024, distance: 'Cosine', replicationFactor: 1 }] } });
    expect(stack.warnings).toEqual([{ path: 'qdrant.collections[0].replicationFactor', message: expect.stringContaining('single copy of each shard of "k"') }]);
    expect(resolveStack({ qdrant: { replicas: 3 } }).warnings).toEqual([]);
  });

  test('peers must spread over nodes (DoNotSchedule) and prefer spreading over zones', () => {
    const sts = find(synthStack({ profile: 'prod' }), 'StatefulSet', 'qdrant-stack-qdrant');
    expect(sts.spec.template.spec.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable])).toEqual([
      ['kubernetes.io/hostname', 'DoNotSchedule'],
      ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
    ]);
  });
});

describe('accepted before, refused now, with the key path', () => {
  test.each([
    ['a Secret key "."', { qdrant: { apiKey: { secretName: 's', key: '.' } } }, 'qdrant.apiKey.key: must be a Secret data key, which cannot be "." or ".."'],
    ['half a byte', { qdrant: { storage: { size: '0.5' } } }, 'qdrant.storage.size: must be at least 1 byte'],
    ['8Ei', { qdrant: { storage: { size: '8Ei' } } }, 'qdrant.storage.size: must be less than 8Ei'],
    ['99999999999999999999Ei', { redis: { storage: { size: '99999999999999999999Ei' } } }, 'redis.storage.size: must be less than 8Ei'],
    ['a tenth of a millicore', { qdrant: { resources: { requests: { cpu: '0.0001' } } } }, 'qdrant.resources.requests.cpu: must be at least 1m'],
    ['Redis maxmemory below 1Mi', { redis: { maxMemory: '512Ki' } }, 'redis.maxMemory: must be at least 1Mi'],
    ['minute 61', { snapshots: { schedule: '61 * * * *' } }, 'snapshots.schedule: "61" is outside 0-59 for the minute'],
    ['day of week 8', { snapshots: { schedule: '0 3 * * 8' } }, 'snapshots.schedule: "8" is outside 0-6 for the day of week'],
    ['Quartz "L"', { snapshots: { schedule: '0 3 L * *' } }, 'snapshots.schedule: "L" is not a value, range or list of the day of month'],
    ['a backwards range', { snapshots: { schedule: '0 5-3 * * *' } }, 'snapshots.schedule: "5-3" is a range that runs backwards'],
    ['an environment named ..', { environments: { '..': {} } }, 'environments[".."]: is not an environment name'],
    ['an environment named /', { environments: { '/': {} } }, 'environments["/"]: is not an environment name'],
    ['an environment named CON', { environments: { CON: {} } }, 'environments.CON: is not an environment name'],
    ['start-up restore on a single-node StatefulSet', { qdrant: { workload: 'statefulset' }, snapshots: { enabled: true, restore: [{ collection: 'k', path: '/qdrant/snapshots/k.snapshot' }] } }, 'snapshots.restore: start-up restore works on a single node on a Deployment only'],
  ] as [string, unknown, string][])('%s', (_t, input, message) => {
    expect(() => resolveStack(input)).toThrow(message);
  });

  test('an environment named __proto__ (an own key in a parsed file) is refused, and pollutes nothing', () => {
    expect(() => parseStack('environments:\n  __proto__: { qdrant: { replicas: 3 } }\n')).toThrow('environments.__proto__: is not an environment name: must be a DNS-1123 label');
    expect(({} as Record<string, unknown>).qdrant).toBeUndefined();
  });

  test('valid schedules pass: lists, steps, names, descriptors', () => {
    for (const schedule of ['*/15 * * * *', '0 3 * * MON-FRI', '0 0 1,15 jan,jul *', '@daily', '5 4 ? * 0']) expect(() => resolveConfig({ snapshots: { schedule } })).not.toThrow();
  });

  test('the render lint checks quantities and schedules it did not produce itself', () => {
    const objects = synthStack({ snapshots: { enabled: true } });
    expect(valueProblems(objects)).toEqual([]);
    const cron = objects.find((o) => o.kind === 'CronJob')!;
    cron.spec.schedule = '0 3 * * 9';
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    deployment.spec.template.spec.containers[0].resources.limits.memory = '99999999999999999999Ei';
    expect(valueProblems(objects).map((p) => p.rule).sort()).toEqual(['cron-schedule', 'quantity']);
  });
});

describe('the CLI holds every command to these rules', () => {
  const cli = async (...args: string[]) => {
    let out = '';
    let err = '';
    const code = await main(['node', 'q', ...args], { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  };

  test('synth refuses a change that replaces a data volume, writing nothing, until --allow-data-migration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'data-cli-'));
    const config = join(dir, 'stack.yaml');
    writeFileSync(config, 'name: vec\n');
    expect((await cli('synth', '-c', config, '-o', join(dir, 'dist'))).code).toBe(0);
    const before = readFileSync(join(dir, 'dist', 'vec.k8s.yaml'), 'utf8');
    writeFileSync(config, 'name: vec\nqdrant: { replicas: 3 }\n');
    const refused = await cli('synth', '-c', config, '-o', join(dir, 'dist'));
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('refused: the new render replaces or leaves behind data volumes');
    expect(refused.err).toContain('PersistentVolumeClaim vec/vec-qdrant-storage: Deployment vec/vec-qdrant becomes StatefulSet vec/vec-qdrant');
    expect(readFileSync(join(dir, 'dist', 'vec.k8s.yaml'), 'utf8')).toBe(before);
    const checked = await cli('check', '-c', config, '-d', join(dir, 'dist'));
    expect(checked.code).toBe(1);
    expect(checked.err).toMatch(/1 data volume\(s\) replaced or left behind/);
    expect((await cli('synth', '-c', config, '-o', join(dir, 'dist'), '--allow-data-migration')).code).toBe(0);
    expect(readFileSync(join(dir, 'dist', 'vec.k8s.yaml'), 'utf8')).toContain('kind: StatefulSet');
  });

  test('validate, synth and plan refuse a model whose render a cluster would refuse (an object above 200 KB)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'data-cli-'));
    const config = join(dir, 'stack.yaml');
    const collections = Array.from({ length: 1500 }, (_, i) => `  - { name: collection-with-a-long-name-${i}, vectorSize: 1024, distance: Cosine, payloadIndexes: { tenant: keyword } }`).join('\n');
    writeFileSync(config, `name: vec\nollama: { enabled: false }\nqdrant:\n  collections:\n${collections}\n`);
    for (const args of [['validate', '-c', config], ['synth', '-c', config, '-o', join(dir, 'dist')], ['plan', '-c', config]]) {
      const result = await cli(...args);
      expect([args[0], result.code]).toEqual([args[0], 2]);
      expect(result.err).toMatch(/a cluster would refuse its render[\s\S]*rendered ConfigMap vec\/vec-smoke: .*bytes/);
    }
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  test('warnings are printed and do not fail the command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'data-cli-'));
    writeFileSync(join(dir, 'stack.yaml'), 'qdrant: { replicas: 3, collections: [{ name: k, vectorSize: 1024, distance: Cosine, replicationFactor: 1 }] }\n');
    const result = await cli('validate', '-c', join(dir, 'stack.yaml'));
    expect(result.code).toBe(0);
    expect(result.err).toContain('warning: ');
    expect(result.err).toContain('qdrant.collections[0].replicationFactor: 1 keeps a single copy');
  });
});
