/**
 * What a real API server (and Argo CD) would refuse or silently break, checked on every rendered folder of
 * the repository and on a matrix of configs: names and label values, object sizes, selectors that select
 * what they are for, sync waves that cannot deadlock, and upgrades that are legal updates.
 */
import { join } from 'node:path';
import { apiServerProblems, selectorProblems, updateProblems } from '../src/apiserver';
import { renderedFolders } from '../src/check';
import { CLIENT_LABEL } from '../src/constructs/labels';
import type { StackInput } from '../src/config/schema';
import { STACK_NAME_MAX } from '../src/naming';
import { readRenderedFolder } from '../src/rollout';
import { MODEL_MATRIX } from './support/config-matrix';
import { find, Manifest, synthStack } from './support/stack';

const ROOT = join(__dirname, '..');
const EXTERNAL = { externalPeers: [{ [CLIENT_LABEL.key]: CLIENT_LABEL.value }] };



describe('every committed rendered folder passes the API server rules', () => {
  test.each(renderedFolders(join(ROOT, 'dist')).map((d) => [d.slice(ROOT.length + 1)]))('%s', (dir) => {
    const objects = readRenderedFolder(join(ROOT, dir));
    expect(objects.length).toBeGreaterThan(10);
    expect(apiServerProblems(objects, EXTERNAL)).toEqual([]);
  });
});

describe.each(MODEL_MATRIX)('API server rules: %s', (_title, input) => {
  const objects = synthStack(input);
  const workloads = objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
  const selects = (selector: Record<string, string>) => workloads.filter((w) => Object.entries(selector).every(([k, v]) => w.spec.template.metadata.labels?.[k] === v));
  const namesOf = (list: Manifest[]) => list.map((o) => `${o.kind}/${o.metadata.name}`);

  test('names, label values, sizes, selectors and waves: nothing a cluster would refuse', () => {
    expect(apiServerProblems(objects, EXTERNAL)).toEqual([]);
  });

  test('every Service selects exactly the workload of its own instance', () => {
    for (const service of objects.filter((o) => o.kind === 'Service')) {
      const selected = selects(service.spec.selector);
      expect([service.metadata.name, namesOf(selected)]).toEqual([service.metadata.name, namesOf(workloads.filter((w) => w.metadata.labels?.['app.kubernetes.io/instance'] === service.metadata.labels?.['app.kubernetes.io/instance']))]);
      expect(selected).toHaveLength(1);
    }
  });

  test('each PodDisruptionBudget and each server NetworkPolicy selects exactly its workload', () => {
    for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) expect(namesOf(selects(pdb.spec.selector.matchLabels))).toEqual([`StatefulSet/${pdb.metadata.name}`]);
    for (const policy of objects.filter((o) => o.kind === 'NetworkPolicy' && objects.some((s) => s.kind === 'Service' && s.metadata.name === o.metadata.name))) {
      const service = find(objects, 'Service', policy.metadata.name);
      expect(namesOf(selects(policy.spec.podSelector.matchLabels))).toEqual(namesOf(selects(service.spec.selector)));
    }
  });

  test('the ServiceMonitor selects the client Service alone, by a port it has', () => {
    const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
    for (const monitor of monitors) {
      const services = objects.filter((o) => o.kind === 'Service' && Object.entries<string>(monitor.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
      expect(services.map((s) => s.metadata.name)).toEqual([monitor.metadata.name]);
      expect(services[0].spec.ports.map((p: any) => p.name)).toContain(monitor.spec.endpoints[0].port);
    }
  });
});

test('the selector check can fail: a Service whose selector carries a label its pods lack selects nothing', () => {
  const objects = synthStack({ qdrant: { replicas: 3 } });
  const headless = find(objects, 'Service', 'qdrant-stack-qdrant-headless');
  headless.spec.selector = { ...headless.spec.selector, 'cdk8s.io/metadata.addr': 'qdrant-stack-qdrant-statefulset-c8b6aafc' };
  expect(selectorProblems(objects, EXTERNAL).map((p) => p.object)).toEqual([expect.stringContaining('qdrant-stack-qdrant-headless')]);
});

test(`a stack name of ${STACK_NAME_MAX} characters renders every name unshortened; one more is refused`, () => {
  const name = `s${'x'.repeat(STACK_NAME_MAX - 1)}`;
  const objects = synthStack({ name, profile: 'prod', snapshots: { enabled: true }, metrics: { serviceMonitor: true, grafanaDashboard: true } });
  for (const o of objects.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.name.startsWith(name)).toBe(true);
  expect(objects.filter((o) => o.kind === 'CronJob').map((o) => o.metadata.name.length)).toEqual([52]);
  expect(() => synthStack({ name: `${name}x` })).toThrow(`name: must be at most ${STACK_NAME_MAX} characters`);
});

/** Each change a user makes on day 2, from a base config. */
const CHANGES: [string, StackInput][] = [
  ['Qdrant version bump', { qdrant: { version: '1.19.1' } }],
  ['Ollama version bump', { ollama: { version: '0.20.7' } }],
  ['Redis version bump', { redis: { version: '8.10.3' } }],
  ['models added', { ollama: { models: ['nomic-embed-text'] } }],
  ['a Secret reference changed', { qdrant: { apiKey: { secretName: 'vault-qdrant', key: 'admin' } } }],
  ['smoke parameters changed', { smoke: { vectors: 20_000, maxP95Ms: 40 } }],
  ['Redis eviction policy changed', { redis: { maxMemoryPolicy: 'allkeys-lru' } }],
  ['TLS on', { qdrant: { tls: { secretName: 'qdrant-tls' } } }],
  ['metrics on', { metrics: { serviceMonitor: true, grafanaDashboard: true } }],
  ['Qdrant exposed: ClusterIP → LoadBalancer, Ingress, routes', { qdrant: { expose: { service: { type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/8'] }, ingress: { host: 'q.example.com', tls: { secretName: 'q-tls' } }, gateway: { parentRefs: [{ name: 'gw' }], http: false, grpc: true, hostnames: ['g.example.com'] } } } }],
  ['Ollama exposed on a NodePort', { ollama: { expose: { service: { type: 'NodePort' } } } }],
];

/** Deep merge for test inputs (objects merge, everything else replaces). */
function merge(base: any, change: any): any {
  if (typeof base !== 'object' || typeof change !== 'object' || !base || !change || Array.isArray(change)) return change;
  return Object.fromEntries([...new Set([...Object.keys(base), ...Object.keys(change)])].map((k) => [k, k in change ? merge(base[k], change[k]) : base[k]]));
}

describe.each([
  ['single node', {} as StackInput],
  ['3 peers', { qdrant: { replicas: 3 } } as StackInput],
])('upgrades of a %s stack are legal API updates', (_title, base) => {
  const before = synthStack(base);
  const legal: [string, StackInput][] = [
    ...CHANGES,
    ...(base.qdrant?.replicas ? ([['replicas 3 → 5', { qdrant: { replicas: 5 } }]] as [string, StackInput][]) : ([['storage size increased', { qdrant: { storage: { size: '50Gi' } } }], ['snapshots on', { snapshots: { enabled: true } }]] as [string, StackInput][])),
  ];
  test.each(legal)('%s', (_change, change) => {
    const after = synthStack(merge(base, change));
    expect(updateProblems(before, after)).toEqual([]);
  });
});

describe('changes that cannot be a legal update are named, with the procedure', () => {
  const before = synthStack({ qdrant: { replicas: 3 } });
  test.each([
    ['a StatefulSet claim size', { qdrant: { replicas: 3, storage: { size: '50Gi' } } }],
    ['snapshots on in distributed mode (a new claim template)', { qdrant: { replicas: 3 }, snapshots: { enabled: true } }],
  ] as [string, StackInput][])('%s', (_title, input) => {
    const problems = updateProblems(before, synthStack(input));
    expect(problems.map((p) => p.object)).toEqual([expect.stringContaining('StatefulSet')]);
    expect(problems[0].message).toMatch(/volumeClaimTemplates/);
    expect(problems[0].message).toMatch(/--cascade=orphan/);
  });
});
