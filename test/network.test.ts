import { find, Manifest, podSpecs, synthStack } from './support/stack';

const policies = (objects: Manifest[]) => Object.fromEntries(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => [o.metadata.name, o.spec]));
const ports = (rule: any) => rule.ports.map((p: any) => `${p.protocol}/${p.port}`);

/** Whether a label selector selects a set of labels. */
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('NetworkPolicies', () => {
  const objects = synthStack({ name: 'test' });
  const p = policies(objects);

  test('default-deny ingress and egress for every pod of the stack', () => {
    expect(p['test-default-deny']).toEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'test' } }, policyTypes: ['Ingress', 'Egress'] });
    for (const { owner, spec } of podSpecs(objects)) {
      expect(selects(p['test-default-deny'].podSelector.matchLabels, find(objects, owner.kind, owner.metadata.name).spec.template.metadata.labels)).toBe(true);
      expect(spec).toBeDefined();
    }
  });

  test('DNS egress for every pod of the stack', () => {
    expect(p['test-allow-dns'].egress.map(ports)).toEqual([['UDP/53', 'TCP/53']]);
  });

  test.each([
    ['test-qdrant', ['TCP/6333', 'TCP/6334']],
    ['test-ollama', ['TCP/11434']],
    ['test-redis', ['TCP/6379']],
  ])('%s accepts only its ports, only from client-labelled pods', (name, expected) => {
    const spec = p[name];
    const deployment = find(objects, 'Deployment', name);
    expect(selects(spec.podSelector.matchLabels, deployment.spec.template.metadata.labels)).toBe(true);
    expect(spec.ingress).toHaveLength(1);
    expect(ports(spec.ingress[0])).toEqual(expected);
    expect(spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: { 'qdrant-stack/client': 'true' } } }]);
  });

  test('Qdrant and Redis get no egress beyond DNS; Ollama reaches the internet on 443 only to pull models', () => {
    const dns = { ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] };
    for (const name of ['test-qdrant', 'test-redis', 'test-ollama']) expect(p[name].policyTypes).toEqual(['Ingress', 'Egress']);
    expect(p['test-qdrant'].egress).toEqual([dns]);
    expect(p['test-redis'].egress).toEqual([dns]);
    expect(p['test-ollama'].egress).toEqual([dns, { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
  });

  test("each server's policy selects by its instance label alone and states both directions", () => {
    for (const name of ['test-qdrant', 'test-ollama', 'test-redis']) {
      expect(p[name].podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': name } });
      expect(p[name].ingress.length).toBeGreaterThan(0);
      expect(p[name].egress.length).toBeGreaterThan(0);
    }
  });

  test("the stack's own client Jobs may reach the servers; the secret generator only the Kubernetes API", () => {
    const pull = find(objects, 'Job', 'test-ollama-pull-models').spec.template.metadata.labels;
    expect(selects(p['test-clients-egress'].podSelector.matchLabels, pull)).toBe(true);
    expect(p['test-clients-egress'].egress.map(ports)).toEqual([['TCP/6333', 'TCP/6334'], ['TCP/11434'], ['TCP/6379']]);
    const generator = find(objects, 'Job', 'test-secret-generator').spec.template.metadata.labels;
    expect(selects(p['test-clients-egress'].podSelector.matchLabels, generator)).toBe(false);
    expect(selects(p['test-kube-api-egress'].podSelector.matchLabels, generator)).toBe(true);
    expect(p['test-kube-api-egress'].egress.map(ports)).toEqual([['TCP/443', 'TCP/6443']]);
  });

  test('client namespaces: pods with the client label in the named namespaces', () => {
    const spec = policies(synthStack({ name: 'test', networkPolicies: { clientNamespaces: ['apps'] } }))['test-qdrant'];
    expect(spec.ingress[0].from).toContainEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } },
      podSelector: { matchLabels: { 'qdrant-stack/client': 'true' } },
    });
  });

  test('disabled: none rendered', () => {
    expect(policies(synthStack({ name: 'test', networkPolicies: { enabled: false } }))).toEqual({});
  });
});

describe('connection contract', () => {
  test('a ConfigMap with the URLs, collection and embedding settings apps read; Secret references as annotations', () => {
    const cm = find(synthStack({ name: 'test', namespace: 'search' }), 'ConfigMap', 'test-connection');
    expect(cm.data).toEqual({
      QDRANT_URL: 'http://test-qdrant.search.svc:6333',
      QDRANT_GRPC_URL: 'http://test-qdrant.search.svc:6334',
      QDRANT_COLLECTION: 'knowledge',
      QDRANT_DISTANCE: 'Cosine',
      OLLAMA_URL: 'http://test-ollama.search.svc:11434',
      EMBEDDING_MODEL: 'mxbai-embed-large',
      EMBEDDING_DIMENSIONS: '1024',
      REDIS_URL: 'redis://test-redis.search.svc:6379',
    });
    expect(cm.metadata.annotations).toMatchObject({
      'qdrant-stack/qdrant-api-key-from': 'test-qdrant-api-key/api-key',
      'qdrant-stack/redis-password-from': 'test-redis-password/password',
    });
  });

  test('the URLs point at the rendered Services and ports', () => {
    const objects = synthStack({ name: 'test' });
    const data = find(objects, 'ConfigMap', 'test-connection').data;
    for (const key of ['QDRANT_URL', 'QDRANT_GRPC_URL', 'OLLAMA_URL', 'REDIS_URL']) {
      const url = new URL(data[key]);
      const service = find(objects, 'Service', url.hostname.split('.')[0]);
      expect(url.hostname).toBe(`${service.metadata.name}.${service.metadata.namespace}.svc`);
      expect(service.spec.ports.map((x: any) => x.port)).toContain(Number(url.port));
    }
  });

  test('existing Secrets are referenced; disabled companions leave their keys out', () => {
    const cm = find(
      synthStack({ name: 'test', qdrant: { apiKey: { secretName: 'q', key: 'k' } }, redis: { enabled: false }, ollama: { enabled: false } }),
      'ConfigMap',
      'test-connection',
    );
    expect(Object.keys(cm.data).sort()).toEqual(['QDRANT_COLLECTION', 'QDRANT_DISTANCE', 'QDRANT_GRPC_URL', 'QDRANT_URL']);
    expect(cm.metadata.annotations!['qdrant-stack/qdrant-api-key-from']).toBe('q/k');
    expect(cm.metadata.annotations!['qdrant-stack/redis-password-from']).toBeUndefined();
  });
});

/**
 * The conventions behind Polaris' "danger" checks, asserted on every object of the default stack and of a
 * stack with every option on.
 */
describe.each([
  ['default stack', {}],
  ['GPUs, existing secrets, client namespaces', { ollama: { gpus: 1 }, redis: { password: { secretName: 'r', key: 'p' } }, networkPolicies: { clientNamespaces: ['apps'] } }],
])('no Polaris danger finding: %s', (_title, input) => {
  const objects = synthStack({ name: 'test', ...input });
  const sensitive = /password|token|bearer|secret|^AWS_SECRET_ACCESS_KEY$|^GOOGLE_APPLICATION_CREDENTIALS$|^AZURE_.+KEY$/i;

  test.each(podSpecs(objects).map((p) => [`${p.owner.kind}/${p.owner.metadata.name}`, p.spec]))('%s', (_name, spec) => {
    expect([spec.hostNetwork, spec.hostPID, spec.hostIPC].filter(Boolean)).toEqual([]);
    expect(spec.securityContext.runAsNonRoot).toBe(true);
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
      expect(c.image).toMatch(/^[^:]+:(?!latest$)[\w.-]+$/);
      expect(c.securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
      expect(c.securityContext.capabilities.add).toBeUndefined();
      for (const e of c.env ?? []) if (e.value !== undefined) expect(e.name).not.toMatch(sensitive);
    }
  });

  test('ConfigMap keys carry nothing that looks sensitive; no private keys in values', () => {
    for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) {
      for (const [key, value] of Object.entries<string>(cm.data ?? {})) {
        expect(key).not.toMatch(sensitive);
        expect(value).not.toMatch(/-BEGIN\s+.*PRIVATE KEY-/);
      }
    }
  });

  test('no cluster-wide RBAC and no exec/attach rights', () => {
    expect(objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')).toEqual([]);
    for (const role of objects.filter((o) => o.kind === 'Role')) {
      for (const rule of role.rules) expect(rule.resources).not.toContain('pods/exec');
    }
  });
});

test('the Namespace enforces Pod Security "restricted"', () => {
  const ns = find(synthStack({ name: 'test' }), 'Namespace', 'test');
  expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
});
