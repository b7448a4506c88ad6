/**
 * A fourth component is one descriptor (test/support/reranker-component.ts) and one entry in the component
 * list: QdrantStack, the connection contract, the NetworkPolicies, `plan` and `localStack` pick it up
 * with nothing else edited, and a stack without it is unchanged.
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { apiServerProblems, podTemplate, selectorMatches, type Manifest as ApiManifest } from '../src/apiserver';
import { formatBytes, formatCpu, parseBytes, parseCpu } from '../src/config/quantity';
import { parse } from 'yaml';
import { COMPONENTS, localSecrets, localStack, plan, QdrantStack, renderCompose, type QdrantStackProps } from '../src';
import { EXTERNAL_PEERS } from '../src/rollout';
import { find, type Manifest } from './support/stack';
import { RERANKER, rerankerComponent } from './support/reranker-component';

const reranker = rerankerComponent({ model: 'bge-reranker-base' });
const components = [...COMPONENTS, reranker];
const MODEL: QdrantStackProps = { name: 'search', qdrant: { collections: [{ name: 'docs', vectorSize: 1024, distance: 'Cosine' }] } };

function render(props: QdrantStackProps) {
  const app = Testing.app();
  const chart = new Chart(app, 'search', { namespace: 'search', disableResourceNameHashes: true });
  const stack = new QdrantStack(chart, 'stack', props);
  // An application as in examples/rag-app: connected, so its pods carry the client label.
  const api = new kplus.Deployment(chart, 'api', { metadata: { name: 'api' }, containers: [{ image: 'ghcr.io/example/rag-api:1.0.0', portNumber: 8080 }] });
  stack.connect(api);
  return { stack, objects: Testing.synth(chart) as Manifest[] };
}

const labelsOf = (o: Manifest) => podTemplate(o as unknown as ApiManifest)!.labels;
const { stack, objects } = render({ ...MODEL, components });
const baseline = render(MODEL);

describe('a fourth component, registered in the list', () => {
  test('QdrantStack renders its Deployment and Service, under the stack, in its namespace', () => {
    const deployment = find(objects, 'Deployment', 'search-reranker');
    const service = find(objects, 'Service', 'search-reranker');
    expect(deployment.metadata.namespace).toBe('search');
    expect(deployment.spec.template.spec.containers[0].image).toBe('ghcr.io/example/reranker:0.3.0');
    expect(service.spec.ports).toEqual([{ name: 'http', port: RERANKER.port, targetPort: RERANKER.port }]);
    // The Service selects exactly the reranker's pods.
    const selected = objects.filter((o) => o.kind === 'Deployment' && selectorMatches({ matchLabels: service.spec.selector }, labelsOf(o)));
    expect(selected.map((o) => o.metadata.name)).toEqual(['search-reranker']);
    expect(stack.components.get('reranker')?.construct).toBeInstanceOf(kplus.Deployment);
    expect([...stack.components.keys()]).toEqual(['qdrant', 'ollama', 'redis', 'reranker']);
  });

  test('the connection ConfigMap gains RERANKER_URL (and the connected app reads it through envFrom)', () => {
    const connection = find(objects, 'ConfigMap', 'search-connection');
    expect(connection.data).toMatchObject({ RERANKER_URL: `http://search-reranker.search.svc:${RERANKER.port}`, RERANKER_MODEL: 'bge-reranker-base' });
    const before = find(baseline.objects, 'ConfigMap', 'search-connection').data;
    expect(Object.keys(connection.data).sort()).toEqual([...Object.keys(before), 'RERANKER_MODEL', 'RERANKER_URL'].sort());
    expect(find(objects, 'Deployment', 'api').spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: 'search-connection' } }]);
  });

  test('the NetworkPolicies: its own policy admits clients on its port only, default-deny and DNS cover it, stack clients may egress to it', () => {
    const pod = labelsOf(find(objects, 'Deployment', 'search-reranker'));
    const client = labelsOf(find(objects, 'Deployment', 'api'));
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const selecting = policies.filter((p) => selectorMatches(p.spec.podSelector, pod)).map((p) => p.metadata.name);
    expect(selecting.sort()).toEqual(['search-allow-dns', 'search-default-deny', 'search-reranker']);

    const own = find(objects, 'NetworkPolicy', 'search-reranker');
    const admitted = (labels: Record<string, string>, port: number) =>
      own.spec.ingress.some(
        (rule: any) => rule.from.some((peer: any) => !peer.namespaceSelector && selectorMatches(peer.podSelector, labels)) && rule.ports.some((p: any) => p.protocol === 'TCP' && p.port === port),
      );
    expect(admitted(client, RERANKER.port)).toBe(true);
    expect(admitted(client, 6333)).toBe(false);
    const { 'qdrant-stack/client': _label, ...stranger } = client;
    expect(admitted(stranger, RERANKER.port)).toBe(false);
    // Its egress: DNS only (no rule with peers).
    expect(own.spec.egress.every((rule: any) => rule.to === undefined)).toBe(true);

    const clientsEgress = find(objects, 'NetworkPolicy', 'search-clients-egress');
    expect(clientsEgress.spec.egress).toContainEqual({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'reranker', 'app.kubernetes.io/instance': 'search-reranker' } } }], ports: [{ protocol: 'TCP', port: RERANKER.port }] });
  });

  test('a cluster would accept the render', () => {
    expect(apiServerProblems(objects, { externalPeers: EXTERNAL_PEERS })).toEqual([]);
  });

  test('plan has its row and counts it in the total', () => {
    const config = stack.config;
    const withIt = plan(config, components);
    const without = plan(config);
    expect(withIt.rows.map((r) => r.component)).toEqual([...without.rows.map((r) => r.component), 'reranker']);
    expect(withIt.rows.at(-1)).toEqual({ component: 'reranker', replicas: 1, cpuRequest: '250m', cpuLimit: '1000m', memoryRequest: '1024Mi', memoryLimit: '2048Mi', storage: '0', note: 'model bge-reranker-base' });
    expect(withIt.total).toEqual({
      cpuRequest: formatCpu(parseCpu(without.total.cpuRequest)! + 0.25),
      cpuLimit: formatCpu(parseCpu(without.total.cpuLimit)! + 1),
      memoryRequest: formatBytes(parseBytes(without.total.memoryRequest)! + 1024 * 2 ** 20),
      memoryLimit: formatBytes(parseBytes(without.total.memoryLimit)! + 2048 * 2 ** 20),
      storage: without.total.storage,
    });
    expect(withIt.jobs).toEqual(without.jobs);
  });

  test('localStack, the description Compose and Pulumi render, gets its service; so does the Compose file', () => {
    const config = stack.config;
    const compose = parse(renderCompose(config, components)).services;
    expect(compose.reranker).toMatchObject({ image: 'ghcr.io/example/reranker:0.3.0', ports: [`127.0.0.1:${RERANKER.port}:${RERANKER.port}`] });
    expect(Object.keys(parse(renderCompose(config)).services)).not.toContain('reranker');
    const local = localStack(config, components);
    expect(local.services.map((s) => s.name)).toEqual([...localStack(config).services.map((s) => s.name), 'reranker']);
    expect(local.services.at(-1)).toMatchObject({ image: 'ghcr.io/example/reranker:0.3.0', user: '10001:10001', ports: [{ name: 'http', container: RERANKER.port, host: RERANKER.port }], restart: 'unless-stopped' });
    // No secrets of its own: the env file's keys are unchanged.
    expect(localSecrets(config, components)).toEqual(localSecrets(config));
  });

  test('nothing else changes: a stack without the entry has no trace of it, and with it only what reads the component list differs', () => {
    expect(COMPONENTS.map((c) => c.key)).toEqual(['qdrant', 'ollama', 'redis']);
    expect(baseline.objects.some((o) => JSON.stringify(o).includes('reranker'))).toBe(false);
    // Jobs are named by their content: the ones reading the connection ConfigMap re-run when it gains an entry.
    const key = (o: Manifest) => `${o.kind}/${o.kind === 'Job' ? o.metadata.name.replace(/-[0-9a-f]{8}$/, '') : o.metadata.name}`;
    const before = new Map(baseline.objects.map((o) => [key(o), JSON.stringify(o)]));
    const changed = objects.filter((o) => before.get(key(o)) !== JSON.stringify(o)).map(key);
    expect(changed.sort()).toEqual([
      'ConfigMap/search-connection',
      'Deployment/search-reranker',
      'Job/search-collections',
      'Job/search-smoke',
      'NetworkPolicy/search-clients-egress',
      'NetworkPolicy/search-reranker',
      'Service/search-reranker',
    ]);
    expect(objects).toHaveLength(baseline.objects.length + 3);
  });

  test('a component list without Qdrant is refused, naming what it got', () => {
    const chart = new Chart(Testing.app(), 'apps', { namespace: 'search' });
    expect(() => new QdrantStack(chart, 'only-reranker', { name: 'search', components: [reranker] })).toThrow('apps/only-reranker: the components must include Qdrant (qdrantComponent); got reranker');
  });
});
