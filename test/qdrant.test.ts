import { Chart, Duration, Names, Testing } from 'cdk8s';
import { QDRANT } from '../src/components/qdrant';
import { Qdrant } from '../src/constructs/qdrant';
import { qdrantMemoryBytes } from '../src/config/resources';
import { find, Manifest, podSpecs, synthStack } from './support/stack';

const DEPLOYMENT = 'test-qdrant';

function qdrantContainer(objects: Manifest[]) {
  const spec = find(objects, 'Deployment', DEPLOYMENT).spec.template.spec;
  return spec.containers.find((c: { name: string }) => c.name === 'qdrant');
}

describe('Qdrant single node', () => {
  const objects = synthStack({ name: 'test' });
  const deployment = find(objects, 'Deployment', DEPLOYMENT);
  const container = qdrantContainer(objects);

  test('one replica, Recreate strategy (the RWO volume cannot attach to two pods)', () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('pinned unprivileged image, pulled only when absent', () => {
    expect(container.image).toBe('qdrant/qdrant:v1.19.0-unprivileged');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
  });

  test('storage PVC at /qdrant/storage, emptyDirs for snapshots and /tmp', () => {
    const volumes = Object.fromEntries(deployment.spec.template.spec.volumes.map((v: any) => [v.name, v]));
    const mounts = Object.fromEntries(container.volumeMounts.map((m: any) => [m.mountPath, m.name]));
    expect(mounts).toEqual({ '/qdrant/storage': 'storage', '/qdrant/snapshots': 'snapshots', '/tmp': 'tmp' });
    expect(volumes.storage.persistentVolumeClaim.claimName).toBe('test-qdrant-storage');
    expect(volumes.snapshots.emptyDir).toEqual({});
    expect(volumes.tmp.emptyDir).toEqual({});
    const pvc = find(objects, 'PersistentVolumeClaim', 'test-qdrant-storage');
    expect(pvc.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(pvc.spec.resources.requests.storage).toBe('10Gi');
    expect(pvc.spec.storageClassName).toBeUndefined();
  });

  test('probes: readiness /readyz, liveness /livez, startup budget of at least 5 minutes', () => {
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 6333 });
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/livez', port: 6333 });
    expect(container.startupProbe.httpGet).toMatchObject({ path: '/livez', port: 6333 });
    const budget = container.startupProbe.periodSeconds * container.startupProbe.failureThreshold;
    expect(budget).toBeGreaterThanOrEqual(300);
    expect(budget).toBe(600);
  });

  test('named container ports and a Service with http 6333 and grpc 6334 selecting the pods', () => {
    expect(container.ports).toEqual([
      { containerPort: 6333, name: 'http' },
      { containerPort: 6334, name: 'grpc' },
    ]);
    const service = find(objects, 'Service', 'test-qdrant');
    expect(service.spec.ports.map((p: any) => [p.name, p.port, p.targetPort])).toEqual([
      ['http', 6333, 6333],
      ['grpc', 6334, 6334],
    ]);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(service.spec.selector)) expect(podLabels[k]).toBe(v);
  });

  test('the API key reaches the container only through a secretKeyRef', () => {
    const env = container.env.find((e: any) => e.name === 'QDRANT__SERVICE__API_KEY');
    expect(env).toEqual({ name: 'QDRANT__SERVICE__API_KEY', valueFrom: { secretKeyRef: { name: 'test-qdrant-api-key', key: 'api-key' } } });
  });

  test('restricted security: uid/gid 1000, fsGroup, non-root, read-only root, no escalation, drop ALL, seccomp', () => {
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({
      runAsUser: 1000,
      runAsGroup: 1000,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('recommended labels, with instance equal to the workload name', () => {
    expect(deployment.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'qdrant',
      'app.kubernetes.io/instance': DEPLOYMENT,
      'app.kubernetes.io/component': 'vector-database',
      'app.kubernetes.io/part-of': 'test',
      'app.kubernetes.io/version': '1.19.0',
      'app.kubernetes.io/managed-by': 'qdrant-stack',
    });
    expect(deployment.spec.template.metadata.labels).toEqual(deployment.metadata.labels);
    expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'qdrant', 'app.kubernetes.io/instance': DEPLOYMENT });
  });

  test('default resources without sizing', () => {
    expect(container.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } });
  });
});

describe('Qdrant sizing and overrides', () => {
  test('memory request follows vectors × dimensions × 4 B × 1.5', () => {
    // 1M × 1024 × 6 B = 6,144,000,000 B = 5859.375 MiB → 5860Mi (≈ 5.72 GiB)
    expect(qdrantMemoryBytes(1_000_000, 1024) / 2 ** 30).toBeCloseTo(5.72, 2);
    const container = qdrantContainer(synthStack({ name: 'test', qdrant: { sizing: { vectors: 1_000_000, dimensions: 1024 } } }));
    expect(container.resources.requests.memory).toBe('5860Mi');
    expect(container.resources.limits.memory).toBe('11720Mi');
  });

  test('without sizing.dimensions the memory request sums the collections\' layouts, each at sizing.vectors points', () => {
    const container = qdrantContainer(
      synthStack({
        name: 'test',
        ollama: { embeddingModel: 'nomic-embed-text' },
        qdrant: { sizing: { vectors: 2_000_000 }, collections: [{ name: 'a', vectorSize: 384, distance: 'Dot' }, { name: 'b', vectorSize: 768, distance: 'Cosine', embeddings: true }] },
      }),
    );
    // 2M × (384 + 768) × 4 B × 1.5 = 13,824,000,000 B = 13183.6 MiB → 13184Mi
    expect(container.resources.requests.memory).toBe('13184Mi');
  });

  test('a small sizing is raised to the 512Mi floor', () => {
    const container = qdrantContainer(synthStack({ name: 'test', qdrant: { sizing: { vectors: 1000, dimensions: 64 } } }));
    expect(container.resources.requests.memory).toBe('512Mi');
    expect(container.resources.limits.memory).toBe('1Gi');
  });

  test('overrides win over the computed values, exactly as written', () => {
    const container = qdrantContainer(
      synthStack({ name: 'test', qdrant: { sizing: { vectors: 1_000_000 }, resources: { requests: { cpu: '1500m', memory: '7G' }, limits: { cpu: 3 } } } }),
    );
    expect(container.resources).toEqual({ requests: { cpu: '1500m', memory: '7G' }, limits: { cpu: '3', memory: '11720Mi' } });
  });

  test('a request override above the computed limit raises the limit with it', () => {
    const container = qdrantContainer(synthStack({ name: 'test', qdrant: { resources: { requests: { cpu: '4', memory: '16Gi' } } } }));
    expect(container.resources.limits).toEqual({ cpu: '4', memory: '16Gi' });
  });

  test('storage size and class reach the PVC', () => {
    const pvc = find(synthStack({ name: 'test', qdrant: { storage: { size: '500Mi', storageClass: 'fast-ssd' } } }), 'PersistentVolumeClaim', 'test-qdrant-storage');
    expect(pvc.spec).toMatchObject({ storageClassName: 'fast-ssd', resources: { requests: { storage: '500Mi' } } });
  });
});

describe('API key sources', () => {
  test('"generate" renders an empty Secret and a generator Job limited to it — never a value', () => {
    const objects = synthStack({ name: 'test', redis: { enabled: false }, qdrant: { readOnlyApiKey: 'none' } });
    const secret = find(objects, 'Secret', 'test-qdrant-api-key');
    expect(secret.data).toBeUndefined();
    expect(secret.stringData).toBeUndefined();
    const role = find(objects, 'Role', 'test-secret-generator');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['test-qdrant-api-key'], verbs: ['get', 'patch'] }]);
    const job = find(objects, 'Job', 'test-secret-generator');
    const env = job.spec.template.spec.containers[0].env;
    expect(JSON.parse(env.find((e: any) => e.name === 'GENERATE_KEYS').value)).toEqual([{ secret: 'test-qdrant-api-key', key: 'api-key' }]);
    expect(job.spec.template.spec.serviceAccountName).toBe('test-secret-generator');
  });

  test('an existing Secret is referenced as given, and nothing is generated', () => {
    const objects = synthStack({
      name: 'test',
      redis: { enabled: false },
      ollama: { enabled: false },
      smoke: { enabled: false },
      qdrant: { apiKey: { secretName: 'my-qdrant', key: 'admin' }, readOnlyApiKey: 'none', manageCollections: false },
    });
    const env = qdrantContainer(objects).env.find((e: any) => e.name === 'QDRANT__SERVICE__API_KEY');
    expect(env.valueFrom.secretKeyRef).toEqual({ name: 'my-qdrant', key: 'admin' });
    expect(objects.filter((o) => o.kind === 'Secret' || o.kind === 'Job' || o.kind === 'Role')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name.includes('kube-api'))).toEqual([]);
  });
});

describe('Qdrant construct used directly', () => {
  test('exposes its service name, URLs, ports and secret as readonly outputs; named by the chart', () => {
    const chart = new Chart(Testing.app(), 'apps', { namespace: 'search' });
    const qdrant = new Qdrant(chart, 'vectors', { apiKey: { secretName: 's', key: 'k' } });
    // The chart's naming scheme (cdk8s: path and hash), not the bare construct id.
    const name = Names.toDnsLabel(qdrant);
    expect(name).toMatch(/^apps-vectors-[0-9a-f]{8}$/);
    expect(qdrant.serviceName).toBe(name);
    expect(qdrant.url).toBe(`http://${name}.search.svc:6333`);
    expect(qdrant.grpcUrl).toBe(`http://${name}.search.svc:6334`);
    expect([qdrant.httpPort, qdrant.grpcPort]).toEqual([6333, 6334]);
    expect(qdrant.apiKeySecret).toEqual({ secretName: 's', key: 'k' });
    expect(qdrant.storageClaimName).toBe(`${name}-storage`);
  });

  test('props have the model\'s shape and defaults; a wrong one is a ConfigError naming the prop', () => {
    const qdrant = new Qdrant(Testing.chart(), 'q', { name: 'vectors', storage: { size: '50Gi' }, replicas: 3 });
    expect(qdrant.model.storage).toEqual({ size: '50Gi', retainOnDelete: true });
    expect(qdrant.model.version).toBe(QDRANT.version);
    expect(qdrant.workload.name).toBe('vectors');
    expect(() => new Qdrant(Testing.chart(), 'bad', { storage: { size: 'lots' }, replicas: 0, colections: [] } as any)).toThrow(
      /^test\/bad \(Qdrant props\): invalid props \(3 problems\):\n  replicas: must be a positive integer \(got 0\)\n  storage\.size: must be a positive quantity[^\n]*\n  colections: unknown key \(did you mean "collections"\?/,
    );
  });

  test('a generated key comes from a generator beside the construct, never at the chart root', () => {
    const chart = Testing.chart();
    const qdrant = new Qdrant(chart, 'vectors', { name: 'vectors' });
    expect(chart.node.tryFindChild('secret-generator')).toBeUndefined();
    expect(qdrant.node.tryFindChild('secret-generator')).toBeDefined();
    const objects = Testing.synth(chart);
    expect(objects.filter((o: any) => o.kind === 'Secret').map((o: any) => o.metadata.name)).toEqual(['vectors-api-key', 'vectors-read-only-api-key']);
  });

  test('a startup budget under 5 minutes is refused with the reason', () => {
    expect(() => new Qdrant(Testing.chart(), 'q', { startupBudget: Duration.minutes(2) })).toThrow(
      "'startupBudget' (120s) must be at least 300s: a node loading large collections must not be restarted in a loop",
    );
  });
});

describe('every pod of the stack', () => {
  test.each(podSpecs(synthStack({ name: 'test' })).map((p) => [`${p.owner.kind}/${p.owner.metadata.name}`, p.spec]))('%s meets Pod Security "restricted"', (_name, spec) => {
    expect(spec.securityContext.runAsNonRoot).toBe(true);
    expect(spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    for (const c of spec.containers) {
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.image).toMatch(/:[^:]+$/);
      expect(c.image).not.toMatch(/:latest$/);
      expect(c.resources.requests && c.resources.limits).toBeTruthy();
    }
  });
});

test('one generator serves every generated secret of the stack', () => {
  const objects = synthStack({ name: 'test' });
  const role = find(objects, 'Role', 'test-secret-generator');
  expect(role.rules[0].resourceNames).toEqual(['test-qdrant-api-key', 'test-qdrant-read-only-api-key', 'test-redis-password']);
  const env = find(objects, 'Job', 'test-secret-generator').spec.template.spec.containers[0].env;
  expect(JSON.parse(env[0].value)).toEqual([
    { secret: 'test-qdrant-api-key', key: 'api-key' },
    { secret: 'test-qdrant-read-only-api-key', key: 'api-key' },
    { secret: 'test-redis-password', key: 'password' },
  ]);
});
