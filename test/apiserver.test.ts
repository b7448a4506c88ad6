import { parseAllDocuments } from 'yaml';
import {
  type Manifest,
  type Problem,
  apiServerProblems,
  compareQuantities,
  deepEqual,
  diffObjects,
  nameProblems,
  parseQuantity,
  selectorProblems,
  sizeProblems,
  syncPosition,
  updateProblems,
  waveProblems,
} from '../src/apiserver';

const NS = 'qdrant-prod';

// ---- builders of minimal manifests ----

function meta(name: string, extra: Record<string, unknown> = {}) {
  return { name, namespace: NS, ...extra };
}

function deployment(name: string, labels: Record<string, string>, opts: { wave?: string; annotations?: Record<string, string>; spec?: Record<string, unknown>; podSpec?: Record<string, unknown> } = {}): Manifest {
  const annotations = { ...(opts.wave !== undefined ? { 'argocd.argoproj.io/sync-wave': opts.wave } : {}), ...opts.annotations };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name, Object.keys(annotations).length ? { annotations } : {}),
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'x:1' }], ...opts.podSpec } },
      ...opts.spec,
    },
  };
}

function statefulSet(name: string, labels: Record<string, string>, spec: Record<string, unknown> = {}): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(name),
    spec: {
      serviceName: `${name}-headless`,
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'qdrant/qdrant:v1.18.0' }] } },
      volumeClaimTemplates: [
        {
          metadata: { name: 'storage', labels: { ...labels, 'app.kubernetes.io/version': '1.18.0' } },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
        },
      ],
      ...spec,
    },
  };
}

function job(name: string, labels: Record<string, string>, opts: { annotations?: Record<string, string>; podSpec?: Record<string, unknown>; image?: string } = {}): Manifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(name, opts.annotations ? { annotations: opts.annotations } : {}),
    spec: { template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: opts.image ?? 'x:1' }], ...opts.podSpec } } },
  };
}

function service(name: string, selector: Record<string, string> | undefined, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name, { labels }),
    spec: { ...(selector ? { selector } : {}), ports: [{ name: 'http', port: 6333 }], ...extra },
  };
}

function pvc(name: string, spec: Record<string, unknown> = {}, annotations?: Record<string, string>): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(name, annotations ? { annotations } : {}),
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, ...spec },
  };
}

function configMap(name: string, data: Record<string, string>, extra: { metadata?: Record<string, unknown>; immutable?: boolean } = {}): Manifest {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name, extra.metadata), data, ...(extra.immutable === undefined ? {} : { immutable: extra.immutable }) };
}

const wave = (n: number) => ({ 'argocd.argoproj.io/sync-wave': String(n) });

const QDRANT = { 'app.kubernetes.io/name': 'qdrant', 'app.kubernetes.io/instance': 'qdrant-stack-qdrant' };
const REDIS = { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': 'qdrant-stack-redis' };

const rules = (problems: Problem[]) => problems.map((p) => `${p.object} ${p.rule}`);
const only = (problems: Problem[], rule: string) => problems.filter((p) => p.rule === rule);

// ---- 1. names, labels, annotations ----

describe('nameProblems', () => {
  it('accepts ordinary names and labels', () => {
    expect(nameProblems([deployment('qdrant-stack-qdrant', QDRANT), service('qdrant-stack-qdrant', QDRANT), statefulSet('qdrant-stack-qdrant', QDRANT)])).toEqual([]);
  });

  it('refuses a CronJob name of 57 characters (limit 52), accepts 52', () => {
    const cron = (name: string): Manifest => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(name),
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { metadata: { labels: QDRANT }, spec: { containers: [] } } } } },
    });
    const long = 'qdrant-stack-qdrant-snapshot-every-night-at-three-o-clock';
    expect(long).toHaveLength(57);
    const problems = nameProblems([cron(long)]);
    expect(rules(problems)).toEqual([`CronJob ${NS}/${long} name-too-long`]);
    expect(problems[0].message).toMatch(/57 characters, limit 52/);
    expect(problems[0].message).toMatch(/11-character suffix/);
    expect(nameProblems([cron('a'.repeat(52))])).toEqual([]);
  });

  it('refuses a StatefulSet name of 53 characters (controller-revision-hash must fit 63), accepts 52', () => {
    const problems = nameProblems([statefulSet('s'.repeat(53), QDRANT)]);
    expect(rules(problems)).toEqual([`StatefulSet ${NS}/${'s'.repeat(53)} name-too-long`]);
    expect(problems[0].message).toMatch(/controller-revision-hash/);
    expect(nameProblems([statefulSet('s'.repeat(52), QDRANT)])).toEqual([]);
  });

  it('limits a Job name to 63 (job-name label) but a Deployment only to 253', () => {
    expect(rules(nameProblems([job('j'.repeat(64), {})]))).toEqual([`Job ${NS}/${'j'.repeat(64)} name-too-long`]);
    expect(nameProblems([job('j'.repeat(63), {})])).toEqual([]);
    expect(nameProblems([deployment('d'.repeat(100), QDRANT)])).toEqual([]);
    expect(rules(nameProblems([deployment('d'.repeat(254), QDRANT)]))).toEqual([`Deployment ${NS}/${'d'.repeat(254)} name-too-long`]);
  });

  it('wants a Service name to be a DNS-1035 label: a letter first, ≤ 63, no dots', () => {
    expect(rules(nameProblems([service('1qdrant', QDRANT)]))).toEqual([`Service ${NS}/1qdrant name-format`]);
    expect(rules(nameProblems([service('qdrant.http', QDRANT)]))).toEqual([`Service ${NS}/qdrant.http name-format`]);
    expect(rules(nameProblems([service('q'.repeat(64), QDRANT)]))).toEqual([`Service ${NS}/${'q'.repeat(64)} name-too-long`]);
    expect(nameProblems([service('q'.repeat(63), QDRANT)])).toEqual([]);
  });

  it('wants a Namespace to be a DNS-1123 label and most objects a DNS-1123 subdomain', () => {
    const ns = (name: string): Manifest => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    expect(rules(nameProblems([ns('qdrant.prod')]))).toEqual(['Namespace qdrant.prod name-format']);
    expect(nameProblems([ns('1-qdrant')])).toEqual([]); // a DNS-1123 label may start with a digit
    expect(rules(nameProblems([configMap('Qdrant_Config', {})]))).toEqual([`ConfigMap ${NS}/Qdrant_Config name-format`]);
    expect(nameProblems([configMap('qdrant.config-1', {})])).toEqual([]);
  });

  it('only asks RBAC names to be path segments, and skips kustomization.yaml', () => {
    const role: Manifest = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('system:qdrant') };
    expect(nameProblems([role])).toEqual([]);
    expect(rules(nameProblems([{ ...role, metadata: meta('a/b') }]))).toEqual([`Role ${NS}/a/b name-format`]);
    expect(nameProblems([{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [] }])).toEqual([]);
  });

  it('refuses a label value of 64 characters and one ending in "-", wherever labels are', () => {
    const bad64 = 'v'.repeat(64);
    const problems = nameProblems([deployment('qdrant', { ...QDRANT, 'app.kubernetes.io/version': bad64 })]);
    // the same map is the selector's matchLabels and the template's labels
    expect(only(problems, 'label-value').map((p) => p.message.split(':')[0])).toEqual([
      'spec.template.metadata.labels["app.kubernetes.io/version"]',
      'spec.selector.matchLabels["app.kubernetes.io/version"]',
    ]);
    expect(problems[0].message).toMatch(/no more than 63 characters \(has 64\)/);

    const dash = nameProblems([{ ...configMap('c', {}), metadata: meta('c', { labels: { release: 'qdrant-' } }) }]);
    expect(rules(dash)).toEqual([`ConfigMap ${NS}/c label-value`]);
    expect(dash[0].message).toMatch(/start and end with an alphanumeric/);

    expect(nameProblems([{ ...configMap('c', {}), metadata: meta('c', { labels: { release: 'v'.repeat(63), empty: '' } }) }])).toEqual([]);
  });

  it('checks CronJob jobTemplate labels, Service selectors and NetworkPolicy peers', () => {
    const cron: Manifest = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('snap'),
      spec: { jobTemplate: { metadata: { labels: { a: 'x-' } }, spec: { template: { metadata: { labels: { b: '-y' } }, spec: {} } } } },
    };
    expect(only(nameProblems([cron]), 'label-value').map((p) => p.message.split(':')[0])).toEqual([
      'spec.jobTemplate.spec.template.metadata.labels["b"]',
      'spec.jobTemplate.metadata.labels["a"]',
    ]);
    expect(rules(nameProblems([service('s', { app: 'bad value' })]))).toEqual([`Service ${NS}/s label-value`]);
    const policy: Manifest = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('p'),
      spec: { podSelector: {}, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'role', operator: 'Equals', values: ['x'] }] } }] }] },
    };
    expect(rules(nameProblems([policy]))).toEqual([`NetworkPolicy ${NS}/p selector-operator`]);
  });

  it('refuses malformed label keys and non-string label values (unquoted YAML booleans)', () => {
    const obj = { ...configMap('c', {}), metadata: meta('c', { labels: { 'Example.com/x': 'a', ['n'.repeat(64)]: 'a', 'qdrant-stack/client': true } }) };
    const problems = nameProblems([obj]);
    expect(only(problems, 'label-key')).toHaveLength(2);
    expect(only(problems, 'label-value')[0].message).toMatch(/must be a string, not boolean/);
    expect(nameProblems([{ ...configMap('c', {}), metadata: meta('c', { labels: { 'example.com/My_Key.1': 'a' } }) }])).toEqual([]);
  });

  it('limits the total annotation size to 262,144 bytes', () => {
    const big = (n: number) => ({ ...configMap('c', {}), metadata: meta('c', { annotations: { 'example.com/blob': 'x'.repeat(n) } }) });
    const over = nameProblems([big(262_144)]);
    expect(rules(over)).toEqual([`ConfigMap ${NS}/c annotations-too-long`]);
    expect(over[0].message).toMatch(/262160 bytes .* limit 262144/);
    expect(nameProblems([big(262_144 - 'example.com/blob'.length)])).toEqual([]);
  });

  it('never throws on junk', () => {
    expect(() => apiServerProblems([null, 3, 'text', {}, { kind: 'Deployment' }, { kind: 'Service', metadata: 'x', spec: [] }] as unknown[])).not.toThrow();
    expect(rules(nameProblems([{ kind: 'ConfigMap', apiVersion: 'v1', metadata: {} }]))).toEqual(['ConfigMap <no name> name-required']);
  });
});

// ---- 2. size ----

describe('sizeProblems', () => {
  it('reports a 250 KB ConfigMap for client-side apply and names server-side apply', () => {
    const problems = sizeProblems([configMap('qdrant-stack-smoke', { 'bundle.js': 'x'.repeat(250_000) })]);
    expect(rules(problems)).toEqual([`ConfigMap ${NS}/qdrant-stack-smoke object-too-large`]);
    expect(problems[0].message).toMatch(/last-applied-configuration/);
    expect(problems[0].message).toMatch(/262144/);
    expect(problems[0].message).toMatch(/server-side/);
    expect(problems[0].message).toMatch(/1 MiB/);
  });

  it('accepts a small one, honours the limit, and says when even server-side apply fails', () => {
    expect(sizeProblems([configMap('c', { a: 'x'.repeat(150_000) })])).toEqual([]);
    expect(sizeProblems([configMap('c', { a: 'x'.repeat(150_000) })], 100_000)).toHaveLength(1);
    expect(sizeProblems([configMap('c', { a: 'x'.repeat(1_100_000) })])[0].message).toMatch(/even server-side apply fails/);
  });
});

// ---- 3. selectors ----

describe('selectorProblems', () => {
  it('reports a Service whose selector has an extra label its pods lack, and names it', () => {
    const selector = { ...QDRANT, 'cdk8s.io/metadata.addr': 'qdrant-stack-qdrant-statefulset-c8b6aafc' };
    const problems = selectorProblems([statefulSet('qdrant', QDRANT), service('qdrant', selector)]);
    expect(rules(problems)).toEqual([`Service ${NS}/qdrant service-selects-nothing`]);
    expect(problems[0].message).toMatch(/lacks cdk8s\.io\/metadata\.addr=qdrant-stack-qdrant-statefulset-c8b6aafc \(absent\)/);
    expect(selectorProblems([statefulSet('qdrant', QDRANT), service('qdrant', QDRANT)])).toEqual([]);
  });

  it('reports a headless Service that selects nothing (no DNS for peers)', () => {
    const problems = selectorProblems([statefulSet('qdrant', QDRANT), service('qdrant-headless', { app: 'qdrant' }, { clusterIP: 'None' })]);
    expect(rules(problems)).toEqual([`Service ${NS}/qdrant-headless service-selects-nothing`]);
    expect(problems[0].message).toMatch(/headless, no DNS records/);
  });

  it('ignores Services without a selector, and reports one selecting two workloads', () => {
    expect(selectorProblems([service('external', undefined)])).toEqual([]);
    const shared = { 'app.kubernetes.io/part-of': 'qdrant-stack' };
    const problems = selectorProblems([deployment('a', { ...shared, x: 'a' }), deployment('b', { ...shared, x: 'b' }), service('all', shared)]);
    expect(rules(problems)).toEqual([`Service ${NS}/all service-selects-several-workloads`]);
  });

  it('does not select across namespaces', () => {
    const other = { ...deployment('qdrant', QDRANT), metadata: { name: 'qdrant', namespace: 'elsewhere' } };
    expect(rules(selectorProblems([other, service('qdrant', QDRANT)]))).toEqual([`Service ${NS}/qdrant service-selects-nothing`]);
  });

  const pdb = (selector: unknown): Manifest => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('pdb'), spec: { maxUnavailable: 1, selector } });

  it('reports a PDB that selects two workloads, or none; accepts one', () => {
    const objs = [statefulSet('qdrant', QDRANT), deployment('redis', REDIS)];
    expect(rules(selectorProblems([...objs, pdb({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['qdrant', 'redis'] }] })]))).toEqual([
      `PodDisruptionBudget ${NS}/pdb pdb-selects-several-workloads`,
    ]);
    expect(rules(selectorProblems([...objs, pdb({ matchLabels: { 'app.kubernetes.io/name': 'ollama' } })]))).toEqual([`PodDisruptionBudget ${NS}/pdb pdb-selects-nothing`]);
    expect(rules(selectorProblems([...objs, pdb(undefined)]))).toEqual([`PodDisruptionBudget ${NS}/pdb pdb-selects-nothing`]);
    expect(selectorProblems([...objs, pdb({ matchLabels: QDRANT })])).toEqual([]);
    expect(selectorProblems([...objs, pdb({ matchLabels: { 'app.kubernetes.io/name': 'qdrant' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] })])).toEqual([]);
    expect(selectorProblems([...objs, pdb({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['redis'] }] })])).toEqual([]);
  });

  it('reports a workload whose selector does not match its own template', () => {
    const bad = deployment('qdrant', QDRANT, { spec: { selector: { matchLabels: { ...QDRANT, extra: 'x' } } } });
    expect(rules(selectorProblems([bad]))).toEqual([`Deployment ${NS}/qdrant workload-selector-mismatch`]);
    const missing = deployment('qdrant', QDRANT, { spec: { selector: undefined } });
    expect(rules(selectorProblems([missing]))).toEqual([`Deployment ${NS}/qdrant workload-selector-required`]);
    const jobWithSelector = { ...job('j', { a: 'b' }), spec: { ...(job('j', { a: 'b' }).spec as object), selector: { matchLabels: { a: 'b' } } } };
    expect(rules(selectorProblems([jobWithSelector]))).toEqual([`Job ${NS}/j job-selector-not-manual`]);
    expect(selectorProblems([job('j', { a: 'b' })])).toEqual([]);
  });

  const policy = (spec: Record<string, unknown>): Manifest => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('qdrant'), spec });

  it('reports a NetworkPolicy that applies to no pod; {} is fine', () => {
    const objs = [statefulSet('qdrant', QDRANT)];
    expect(rules(selectorProblems([...objs, policy({ podSelector: { matchLabels: { app: 'nothing' } } })]))).toEqual([`NetworkPolicy ${NS}/qdrant networkpolicy-selects-nothing`]);
    expect(selectorProblems([...objs, policy({ podSelector: {} })])).toEqual([]);
    expect(selectorProblems([...objs, policy({ podSelector: { matchLabels: QDRANT } })])).toEqual([]);
  });

  it('reports a NetworkPolicy peer that selects nothing, unless it is a declared external peer or has a namespaceSelector', () => {
    const client = { 'qdrant-stack/client': 'true' };
    const objs = [statefulSet('qdrant', QDRANT), deployment('redis', REDIS)];
    const spec = (peer: Record<string, unknown>) => ({ podSelector: { matchLabels: QDRANT }, ingress: [{ from: [peer] }], egress: [{ to: [{ podSelector: { matchLabels: REDIS } }] }] });

    const problems = selectorProblems([...objs, policy(spec({ podSelector: { matchLabels: client } }))]);
    expect(rules(problems)).toEqual([`NetworkPolicy ${NS}/qdrant networkpolicy-peer-selects-nothing`]);
    expect(problems[0].message).toMatch(/spec\.ingress\[0\]\.from\[0\]\.podSelector/);
    expect(problems[0].message).toMatch(/externalPeers/);

    expect(selectorProblems([...objs, policy(spec({ podSelector: { matchLabels: client } }))], { externalPeers: [client] })).toEqual([]);
    expect(selectorProblems([...objs, policy(spec({ podSelector: { matchLabels: client }, namespaceSelector: {} }))])).toEqual([]);
    expect(selectorProblems([...objs, policy(spec({ ipBlock: { cidr: '10.0.0.0/8' } }))])).toEqual([]);
    expect(selectorProblems([...objs, policy(spec({ podSelector: { matchLabels: REDIS } }))])).toEqual([]);
  });

  const monitor = (selector: unknown, ports: string[]): Manifest => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: meta('qdrant'),
    spec: { selector, endpoints: ports.map((port) => ({ port, path: '/metrics' })) },
  });

  it('reports a ServiceMonitor selecting two Services, none, or naming a missing port', () => {
    const part = { 'app.kubernetes.io/part-of': 'qdrant-stack' };
    const objs = [
      statefulSet('qdrant', QDRANT),
      service('qdrant', QDRANT, {}, { ...part, ...QDRANT }),
      service('qdrant-headless', QDRANT, { clusterIP: 'None' }, { ...part, ...QDRANT, 'qdrant-stack/headless': 'true' }),
    ];
    expect(rules(selectorProblems([...objs, monitor({ matchLabels: part }, ['http'])]))).toEqual([`ServiceMonitor ${NS}/qdrant servicemonitor-selects-several-services`]);
    expect(rules(selectorProblems([...objs, monitor({ matchLabels: { nope: 'x' } }, ['http'])]))).toEqual([`ServiceMonitor ${NS}/qdrant servicemonitor-selects-nothing`]);

    const one = { matchLabels: QDRANT, matchExpressions: [{ key: 'qdrant-stack/headless', operator: 'DoesNotExist' }] };
    const missing = selectorProblems([...objs, monitor(one, ['http', 'metrics'])]);
    expect(rules(missing)).toEqual([`ServiceMonitor ${NS}/qdrant servicemonitor-port-missing`]);
    expect(missing[0].message).toMatch(/"metrics" names no port of Service qdrant-prod\/qdrant \(its named ports: http\)/);
    expect(selectorProblems([...objs, monitor(one, ['http'])])).toEqual([]);
  });
});

// ---- 4. sync waves ----

describe('waveProblems', () => {
  const mounting = (claim: string) => ({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] });

  it('reports a PVC in wave -2 mounted by a Deployment in wave 0', () => {
    const problems = waveProblems([pvc('data', {}, wave(-2)), deployment('qdrant', QDRANT, { wave: '0', podSpec: mounting('data') })]);
    expect(rules(problems)).toEqual([`PersistentVolumeClaim ${NS}/data wave-pvc-before-consumer`]);
    expect(problems[0].message).toMatch(/WaitForFirstConsumer/);
    expect(problems[0].message).toMatch(/wave -2 .* Deployment qdrant-prod\/qdrant is in wave 0/);
  });

  it('accepts the same wave, and a PVC mounted by nothing or by an earlier consumer', () => {
    expect(waveProblems([pvc('data', {}, wave(-2)), deployment('qdrant', QDRANT, { wave: '-2', podSpec: mounting('data') })])).toEqual([]);
    expect(waveProblems([pvc('data'), deployment('qdrant', QDRANT, { podSpec: mounting('data') })])).toEqual([]);
    expect(waveProblems([pvc('data', {}, wave(-2)), deployment('qdrant', QDRANT)])).toEqual([]);
    expect(
      waveProblems([pvc('data', {}, wave(-2)), deployment('a', QDRANT, { wave: '-2', podSpec: mounting('data') }), job('b', {}, { podSpec: mounting('data') })]),
    ).toEqual([]);
  });

  it('places hooks in their phase: a PostSync hook runs after every Sync wave, a Sync hook among them', () => {
    const postSync = { 'argocd.argoproj.io/hook': 'PostSync', ...wave(5) };
    expect(syncPosition(job('smoke', {}, { annotations: postSync }))).toEqual({ phase: 'PostSync', wave: 5, hook: true });
    expect(syncPosition(job('skip', {}, { annotations: { 'argocd.argoproj.io/hook': 'Skip' } }))).toBeUndefined();
    expect(syncPosition(job('helm', {}, { annotations: { 'helm.sh/hook': 'pre-install,pre-upgrade' } }))).toEqual({ phase: 'PreSync', wave: 0, hook: true });
    expect(syncPosition(job('test', {}, { annotations: { 'helm.sh/hook': 'test' } }))).toEqual({ phase: 'Sync', wave: 0, hook: false });

    // a PVC only a PostSync hook mounts stays Pending through the Sync phase, so PostSync never starts
    const onlyHook = waveProblems([pvc('scratch', {}, wave(-2)), job('smoke', {}, { annotations: postSync, podSpec: mounting('scratch') })]);
    expect(rules(onlyHook)).toEqual([`PersistentVolumeClaim ${NS}/scratch wave-pvc-before-consumer`]);
    expect(onlyHook[0].message).toMatch(/PostSync hook, wave 5/);
    expect(onlyHook[0].message).toMatch(/ephemeral volume/);

    // the hook mounting a claim a Sync-phase workload already binds is fine
    expect(
      waveProblems([pvc('data', {}, wave(0)), deployment('qdrant', QDRANT, { wave: '0', podSpec: mounting('data') }), job('smoke', {}, { annotations: postSync, podSpec: mounting('data') })]),
    ).toEqual([]);
    // a Sync hook in the PVC's wave consumes it in time
    const syncHook = { 'argocd.argoproj.io/hook': 'Sync', ...wave(-1) };
    expect(waveProblems([pvc('data', {}, wave(-1)), job('init', {}, { annotations: syncHook, podSpec: mounting('data') })])).toEqual([]);
  });

  const secret = (name: string, annotations?: Record<string, string>): Manifest => ({ apiVersion: 'v1', kind: 'Secret', metadata: meta(name, annotations ? { annotations } : {}), type: 'Opaque', stringData: { k: 'v' } });

  it('reports a workload that references a Secret or ConfigMap rendered in a later wave', () => {
    const env = { containers: [{ name: 'main', env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'api-key', key: 'k' } } }] }] };
    const problems = waveProblems([secret('api-key', wave(1)), deployment('qdrant', QDRANT, { wave: '0', podSpec: env })]);
    expect(rules(problems)).toEqual([`Deployment ${NS}/qdrant wave-consumer-before-reference`]);
    expect(problems[0].message).toMatch(/containers\[0\]\.env\[0\]\.valueFrom\.secretKeyRef needs Secret qdrant-prod\/api-key/);
    expect(problems[0].message).toMatch(/CreateContainerConfigError/);

    const volumes = {
      volumes: [
        { name: 'a', configMap: { name: 'config' } },
        { name: 'b', projected: { sources: [{ secret: { name: 'api-key' } }] } },
      ],
      containers: [{ name: 'main', envFrom: [{ configMapRef: { name: 'config' } }] }],
    };
    const many = waveProblems([secret('api-key', wave(2)), configMap('config', {}, { metadata: { annotations: wave(1) } }), deployment('qdrant', QDRANT, { podSpec: volumes })]);
    expect(many.map((p) => p.message.split(' needs ')[0])).toEqual([
      'spec.template.spec.volumes[0].configMap',
      'spec.template.spec.volumes[1].projected.sources[0].secret',
      'spec.template.spec.containers[0].envFrom[0].configMapRef',
    ]);
  });

  it('accepts earlier or same-wave references, optional ones, unknown ones, and a PostSync hook after all of them', () => {
    const env = (optional?: boolean) => ({ containers: [{ name: 'main', envFrom: [{ secretRef: { name: 'api-key', optional } }] }] });
    expect(waveProblems([secret('api-key', wave(-1)), deployment('qdrant', QDRANT, { podSpec: env() })])).toEqual([]);
    expect(waveProblems([secret('api-key'), deployment('qdrant', QDRANT, { podSpec: env() })])).toEqual([]);
    expect(waveProblems([secret('api-key', wave(3)), deployment('qdrant', QDRANT, { podSpec: env(true) })])).toEqual([]);
    expect(waveProblems([deployment('qdrant', QDRANT, { podSpec: env() })])).toEqual([]);
    expect(waveProblems([secret('api-key', wave(3)), job('smoke', {}, { annotations: { 'argocd.argoproj.io/hook': 'PostSync' }, podSpec: env() })])).toEqual([]);
    // a PreSync hook runs before any Sync-phase object exists
    expect(rules(waveProblems([secret('api-key', wave(-5)), job('migrate', {}, { annotations: { 'argocd.argoproj.io/hook': 'PreSync' }, podSpec: env() })]))).toEqual([
      `Job ${NS}/migrate wave-consumer-before-reference`,
    ]);
  });

  it('reports a sync-wave Argo CD cannot read', () => {
    expect(rules(waveProblems([configMap('c', {}, { metadata: { annotations: { 'argocd.argoproj.io/sync-wave': 'first' } } })]))).toEqual([`ConfigMap ${NS}/c wave-invalid`]);
  });
});

// ---- 5. updates ----

describe('updateProblems', () => {
  it('forbids changing a volumeClaimTemplate label (e.g. the version) of a StatefulSet', () => {
    const before = statefulSet('qdrant', QDRANT);
    const after = statefulSet('qdrant', QDRANT, {
      volumeClaimTemplates: [
        { metadata: { name: 'storage', labels: { ...QDRANT, 'app.kubernetes.io/version': '1.19.0' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } },
      ],
    });
    const problems = updateProblems([before], [after]);
    expect(rules(problems)).toEqual([`StatefulSet ${NS}/qdrant statefulset-spec-forbidden`]);
    expect(problems[0].message).toMatch(/spec\.volumeClaimTemplates\[storage\]\.metadata\.labels\["app\.kubernetes\.io\/version"\]: "1\.18\.0" → "1\.19\.0"/);
    expect(problems[0].message).toMatch(/spec: Forbidden/);
    expect(problems[0].message).toMatch(/kubectl -n qdrant-prod delete statefulset qdrant --cascade=orphan/);
  });

  it('forbids resizing a claim template, with the PVC patch remedy', () => {
    const after = statefulSet('qdrant', QDRANT);
    ((after.spec as { volumeClaimTemplates: { spec: { resources: { requests: { storage: string } } } }[] }).volumeClaimTemplates[0].spec.resources.requests.storage = '20Gi');
    const problems = updateProblems([statefulSet('qdrant', QDRANT)], [after]);
    expect(rules(problems)).toEqual([`StatefulSet ${NS}/qdrant statefulset-spec-forbidden`]);
    expect(problems[0].message).toMatch(/"10Gi" → "20Gi"/);
    expect(problems[0].message).toMatch(/patch each PVC/);
    expect(problems[0].message).toMatch(/allowVolumeExpansion/);
  });

  it('forbids serviceName and podManagementPolicy changes but not an explicit default', () => {
    expect(rules(updateProblems([statefulSet('q', QDRANT)], [statefulSet('q', QDRANT, { serviceName: 'other', podManagementPolicy: 'Parallel' })]))).toEqual([
      `StatefulSet ${NS}/q statefulset-spec-forbidden`,
    ]);
    expect(updateProblems([statefulSet('q', QDRANT)], [statefulSet('q', QDRANT, { podManagementPolicy: 'OrderedReady' })])).toEqual([]);
  });

  it('allows StatefulSet replicas, template, updateStrategy changes', () => {
    const after = statefulSet('qdrant', QDRANT, {
      replicas: 3,
      updateStrategy: { type: 'OnDelete' },
      minReadySeconds: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: { metadata: { labels: QDRANT, annotations: { 'checksum/config': 'abc' } }, spec: { containers: [{ name: 'main', image: 'qdrant/qdrant:v1.19.0' }] } },
    });
    expect(updateProblems([statefulSet('qdrant', QDRANT)], [after])).toEqual([]);
  });

  it('refuses a changed Deployment selector; allows a changed template', () => {
    const problems = updateProblems([deployment('redis', REDIS)], [deployment('redis', REDIS, { spec: { selector: { matchLabels: { ...REDIS, tier: 'cache' } } } })]);
    expect(rules(problems)).toEqual([`Deployment ${NS}/redis selector-immutable`]);
    expect(problems[0].message).toMatch(/field is immutable/);
    expect(updateProblems([deployment('redis', REDIS)], [deployment('redis', REDIS, { podSpec: { priorityClassName: 'high' } })])).toEqual([]);
  });

  it('refuses a changed Job template (a new Job needs a new name)', () => {
    const problems = updateProblems([job('smoke', {}, { image: 'smoke:1' })], [job('smoke', {}, { image: 'smoke:2' })]);
    expect(rules(problems)).toEqual([`Job ${NS}/smoke job-template-immutable`]);
    expect(problems[0].message).toMatch(/spec\.template\.spec\.containers\[0\]\.image: "smoke:1" → "smoke:2"/);
    expect(problems[0].message).toMatch(/new name/);
    expect(updateProblems([job('smoke', {}, { image: 'smoke:1' })], [job('smoke-2', {}, { image: 'smoke:2' })])).toEqual([]);
    expect(updateProblems([job('smoke', {})], [{ ...job('smoke', {}), spec: { ...(job('smoke', {}).spec as object), backoffLimit: 2 } }])).toEqual([]);
  });

  it('lets a PVC grow, refuses shrinking and other spec changes; 10Gi equals 10240Mi', () => {
    const size = (storage: string, extra: Record<string, unknown> = {}) => pvc('data', { resources: { requests: { storage } }, ...extra });
    expect(updateProblems([size('10Gi')], [size('20Gi')])).toEqual([]);
    expect(updateProblems([size('10Gi')], [size('10240Mi')])).toEqual([]);
    expect(updateProblems([size('10Gi')], [size('10Gi', { volumeAttributesClassName: 'fast' })])).toEqual([]);
    expect(updateProblems([size('10Gi')], [size('10Gi', { volumeMode: 'Filesystem' })])).toEqual([]);

    const shrink = updateProblems([size('10Gi')], [size('5Gi')]);
    expect(rules(shrink)).toEqual([`PersistentVolumeClaim ${NS}/data pvc-shrink`]);
    expect(rules(updateProblems([size('10Gi')], [size('10000Mi')]))).toEqual([`PersistentVolumeClaim ${NS}/data pvc-shrink`]);

    const cls = updateProblems([size('10Gi', { storageClassName: 'gp2' })], [size('10Gi', { storageClassName: 'gp3' })]);
    expect(rules(cls)).toEqual([`PersistentVolumeClaim ${NS}/data pvc-spec-immutable`]);
    expect(cls[0].message).toMatch(/spec\.storageClassName: "gp2" → "gp3"/);
    expect(rules(updateProblems([size('10Gi')], [size('10Gi', { accessModes: ['ReadWriteMany'] })]))).toEqual([`PersistentVolumeClaim ${NS}/data pvc-spec-immutable`]);
  });

  it('reports a Service whose clusterIP changes, including None → absent', () => {
    const headless = service('qdrant-headless', QDRANT, { clusterIP: 'None' });
    const normal = service('qdrant-headless', QDRANT);
    const problems = updateProblems([headless], [normal]);
    expect(rules(problems)).toEqual([`Service ${NS}/qdrant-headless service-clusterip-immutable`]);
    expect(problems[0].message).toMatch(/stays headless/);
    expect(rules(updateProblems([normal], [headless]))).toEqual([`Service ${NS}/qdrant-headless service-clusterip-immutable`]);
    expect(updateProblems([headless], [service('qdrant-headless', QDRANT, { clusterIP: 'None', publishNotReadyAddresses: true })])).toEqual([]);
  });

  it('refuses changing data of an immutable ConfigMap or unsetting immutable; a mutable one may change', () => {
    const cm = (value: string, immutable?: boolean) => configMap('qdrant-config', { 'config.yaml': value }, immutable === undefined ? {} : { immutable });
    expect(rules(updateProblems([cm('a', true)], [cm('b', true)]))).toEqual([`ConfigMap ${NS}/qdrant-config immutable-data`]);
    expect(rules(updateProblems([cm('a', true)], [cm('a')]))).toEqual([`ConfigMap ${NS}/qdrant-config immutable-unset`]);
    expect(updateProblems([cm('a')], [cm('b')])).toEqual([]);
    expect(updateProblems([cm('a')], [cm('a', true)])).toEqual([]);
  });

  it('compares a Secret by its stored data and refuses a type change', () => {
    const s = (extra: Record<string, unknown>): Manifest => ({ apiVersion: 'v1', kind: 'Secret', metadata: meta('key'), immutable: true, ...extra });
    expect(updateProblems([s({ stringData: { k: 'v' } })], [s({ data: { k: Buffer.from('v').toString('base64') } })])).toEqual([]);
    expect(rules(updateProblems([s({ stringData: { k: 'v' } })], [s({ stringData: { k: 'w' } })]))).toEqual([`Secret ${NS}/key immutable-data`]);
    expect(rules(updateProblems([s({ type: 'Opaque' })], [s({ type: 'kubernetes.io/tls' })]))).toEqual([`Secret ${NS}/key secret-type-immutable`]);
    expect(updateProblems([s({})], [s({ type: 'Opaque' })])).toEqual([]);
  });

  it('refuses a changed RoleBinding roleRef; subjects may change', () => {
    const rb = (role: string, subject = 'qdrant'): Manifest => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta('smoke'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
      subjects: [{ kind: 'ServiceAccount', name: subject, namespace: NS }],
    });
    const problems = updateProblems([rb('reader')], [rb('writer')]);
    expect(rules(problems)).toEqual([`RoleBinding ${NS}/smoke rolebinding-roleref-immutable`]);
    expect(problems[0].message).toMatch(/cannot change roleRef/);
    expect(updateProblems([rb('reader')], [rb('reader', 'other')])).toEqual([]);
  });

  it('pairs objects by group, kind, namespace and name, and diffs renders for a plan', () => {
    const v1beta1 = { ...deployment('redis', REDIS), apiVersion: 'apps/v1beta2' };
    const changed = deployment('redis', REDIS, { spec: { selector: { matchLabels: { x: 'y' } } } });
    expect(rules(updateProblems([v1beta1], [changed]))).toEqual([`Deployment ${NS}/redis selector-immutable`]);

    const diff = diffObjects([deployment('redis', REDIS), configMap('old', {}), service('qdrant', QDRANT)], [deployment('redis', REDIS, { podSpec: { priorityClassName: 'x' } }), configMap('new', {}), service('qdrant', QDRANT)]);
    expect(diff).toEqual({
      added: [`ConfigMap ${NS}/new`],
      removed: [`ConfigMap ${NS}/old`],
      changed: [{ object: `Deployment ${NS}/redis`, paths: ['spec.template.spec.priorityClassName'] }],
      unchanged: [`Service ${NS}/qdrant`],
    });
    expect(updateProblems([configMap('old', {})], [configMap('new', {})])).toEqual([]);
  });
});

// ---- helpers ----

describe('quantities and equality', () => {
  it('parses binary, decimal and exponent quantities', () => {
    expect(parseQuantity('10Gi')).toBe(10 * 2 ** 30);
    expect(parseQuantity('10240Mi')).toBe(10 * 2 ** 30);
    expect(parseQuantity('1.5G')).toBe(1.5e9);
    expect(parseQuantity('500k')).toBe(500_000);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('100m')).toBeCloseTo(0.1);
    expect(parseQuantity(1024)).toBe(1024);
    expect(parseQuantity('10 Gi')).toBeUndefined();
    expect(parseQuantity('10GB')).toBeUndefined();
    expect(compareQuantities('0.1Gi', '102.4Mi')).toBe(0);
    expect(compareQuantities('1Ti', '1000Gi')).toBe(1);
    expect(compareQuantities('1G', '1Gi')).toBe(-1);
  });

  it('ignores key order', () => {
    expect(deepEqual({ a: 1, b: [{ c: 2, d: 3 }] }, { b: [{ d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  });
});

// ---- parsed YAML ----

describe('on parsed YAML', () => {
  const yaml = `
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: qdrant-stack-qdrant-storage
  namespace: qdrant-prod
  annotations:
    argocd.argoproj.io/sync-wave: "-2"
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 10Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: qdrant-stack-qdrant
  namespace: qdrant-prod
  annotations:
    argocd.argoproj.io/sync-wave: "0"
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: qdrant
  template:
    metadata:
      labels:
        app.kubernetes.io/name: qdrant
        qdrant-stack/client: true
    spec:
      containers:
        - name: main
          image: qdrant/qdrant:v1.19.0
      volumes:
        - name: storage
          persistentVolumeClaim:
            claimName: qdrant-stack-qdrant-storage
---
apiVersion: v1
kind: Service
metadata:
  name: qdrant-stack-qdrant
  namespace: qdrant-prod
spec:
  selector:
    app.kubernetes.io/name: qdrant
    cdk8s.io/metadata.addr: qdrant-stack-qdrant-deployment-c8b6aafc
  ports:
    - name: http
      port: 6333
---
`;

  it('finds the same problems as on hand-built objects', () => {
    const objects = parseAllDocuments(yaml).map((d) => d.toJS());
    expect(objects).toHaveLength(4); // the trailing empty document parses to null and is skipped
    expect(rules(apiServerProblems(objects)).sort()).toEqual(
      [
        'Deployment qdrant-prod/qdrant-stack-qdrant label-value', // unquoted `true`
        'PersistentVolumeClaim qdrant-prod/qdrant-stack-qdrant-storage wave-pvc-before-consumer',
        'Service qdrant-prod/qdrant-stack-qdrant service-selects-nothing',
      ].sort(),
    );

    const after = parseAllDocuments(yaml.replace('storage: 10Gi', 'storage: 5Gi')).map((d) => d.toJS());
    expect(rules(updateProblems(objects, after))).toEqual(['PersistentVolumeClaim qdrant-prod/qdrant-stack-qdrant-storage pvc-shrink']);
  });
});
