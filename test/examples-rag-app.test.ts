/**
 * examples/rag-app, rendered as its author would: a RAG API and a QdrantStack in one chart. Checks what
 * `stack.connect(api)` promises — the API's pods get the connection ConfigMap and the stack's Secrets, and
 * the stack's NetworkPolicies (evaluated, not pattern-matched) let them reach Qdrant and Redis — and that
 * a cluster would accept the whole render.
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { join } from 'node:path';
import * as ts from 'typescript';
import { apiServerProblems, podTemplate, selectorMatches, type Manifest as ApiManifest } from '../src/apiserver';
import { EXTERNAL_PEERS } from '../src/rollout';
import type { QdrantStack } from '../src/stack/qdrant-stack';
import type { App, Chart } from 'cdk8s';
import { find, type Manifest } from './support/stack';

// A require, not an import: the example imports 'qdrant-stack' by name, which jest maps to src/ but the
// repository's own type check does not resolve (the example has its package.json and tsconfig).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildRagApp } = require('../examples/rag-app/main') as {
  buildRagApp: (app?: App) => { app: App; chart: Chart; stack: QdrantStack; api: kplus.Deployment };
};

const ROOT = join(__dirname, '..');
const EXAMPLE = join(ROOT, 'examples', 'rag-app');
const NAMESPACE = 'rag';
const STACK = 'rag';

function render() {
  const built = buildRagApp(Testing.app());
  return { ...built, objects: Testing.synth(built.chart) as Manifest[] };
}

const { stack, objects } = render();
const apiDeployment = find(objects, 'Deployment', 'rag-api');
const apiPod = podTemplate(apiDeployment as unknown as ApiManifest)!;
const apiContainer = apiDeployment.spec.template.spec.containers.find((c: any) => c.name === 'api');
const podOf = (kind: string, name: string) => podTemplate(find(objects, kind, name) as unknown as ApiManifest)!;

const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
const selecting = (labels: Record<string, string>, type: 'Ingress' | 'Egress') =>
  // A policy without policyTypes is an Ingress policy (plus Egress when it has egress rules).
  policies.filter((p) => selectorMatches(p.spec.podSelector ?? {}, labels) && (p.spec.policyTypes ?? ['Ingress', ...(p.spec.egress ? ['Egress'] : [])]).includes(type));

/** NetworkPolicy semantics within one namespace: may a pod with `client` labels open TCP `port` on a pod with `server` labels? */
function admits(client: Record<string, string>, server: Record<string, string>, port: number): boolean {
  const ingress = selecting(server, 'Ingress');
  const inOk =
    ingress.length === 0 ||
    ingress.some((p) =>
      (p.spec.ingress ?? []).some(
        (rule: any) =>
          // No `from` admits every source; a peer with a namespaceSelector is about other namespaces.
          (!rule.from?.length || rule.from.some((peer: any) => peer.podSelector && !peer.namespaceSelector && !peer.ipBlock && selectorMatches(peer.podSelector, client))) &&
          (!rule.ports?.length || rule.ports.some((p: any) => (p.protocol ?? 'TCP') === 'TCP' && p.port === port)),
      ),
    );
  const egress = selecting(client, 'Egress');
  const outOk =
    egress.length === 0 ||
    egress.some((p) =>
      (p.spec.egress ?? []).some(
        (rule: any) =>
          (!rule.to?.length || rule.to.some((peer: any) => peer.podSelector && !peer.namespaceSelector && selectorMatches(peer.podSelector, server))) &&
          (!rule.ports?.length || rule.ports.some((p: any) => (p.protocol ?? 'TCP') === 'TCP' && p.port === port)),
      ),
    );
  return inOk && outOk;
}

describe('examples/rag-app', () => {
  test('everything lives in the chart namespace, and the stack renders no Namespace of its own', () => {
    expect(stack.namespace).toBe(NAMESPACE);
    expect(objects.filter((o) => o.kind === 'Namespace')).toEqual([]);
    // Only cluster-scoped kinds could lack a namespace, and the stack renders none of them here.
    expect(objects.filter((o) => o.metadata.namespace !== NAMESPACE).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual(['rag-api', 'rag-ollama', 'rag-qdrant', 'rag-redis']);
  });

  test('objects are named after the stack, and its outputs name them', () => {
    for (const [kind, name] of [
      ['Deployment', `${STACK}-qdrant`],
      ['Service', `${STACK}-qdrant`],
      ['Service', `${STACK}-ollama`],
      ['Service', `${STACK}-redis`],
      ['ConfigMap', `${STACK}-connection`],
      ['NetworkPolicy', `${STACK}-default-deny`],
      ['Service', 'rag-api'],
    ]) {
      expect(find(objects, kind, name).metadata.name).toBe(name);
    }
    expect(stack.qdrant.serviceName).toBe(`${STACK}-qdrant`);
    expect(stack.qdrant.url).toBe(`http://${STACK}-qdrant.${NAMESPACE}.svc:6333`);
    expect(stack.qdrant.grpcUrl).toBe(`http://${STACK}-qdrant.${NAMESPACE}.svc:6334`);
    expect(stack.redis?.url).toBe(`redis://${STACK}-redis.${NAMESPACE}.svc:6379`);
    expect(stack.connection.configMapName).toBe(`${STACK}-connection`);
    expect(find(objects, 'ConfigMap', `${STACK}-connection`).data).toMatchObject({ QDRANT_URL: stack.qdrant.url, REDIS_URL: stack.redis?.url, OLLAMA_URL: stack.ollama?.url, QDRANT_COLLECTION: 'docs' });
  });

  test('the API pods carry the client label, read the connection ConfigMap and the Secrets the servers read', () => {
    expect(apiPod.labels).toMatchObject({ 'qdrant-stack/client': 'true' });
    expect(apiContainer.envFrom).toEqual([{ configMapRef: { name: `${STACK}-connection` } }]);
    const env = Object.fromEntries(apiContainer.env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef]));
    // Each secret: a Secret this render holds, with the key filled in (by the generator Job, or as data).
    const generated: { secret: string; key: string }[] = JSON.parse(
      objects.find((o) => o.kind === 'Job' && o.metadata.name.startsWith(`${STACK}-secret-generator`))!.spec.template.spec.containers[0].env.find((e: any) => e.name === 'GENERATE_KEYS').value,
    );
    for (const name of ['QDRANT_API_KEY', 'REDIS_PASSWORD', 'QDRANT_READ_ONLY_API_KEY']) {
      const ref = env[name];
      expect([name, ref]).toEqual([name, { name: stack.secrets[name].secretName, key: stack.secrets[name].key }]);
      const secret = find(objects, 'Secret', ref.name);
      const filled = Object.hasOwn(secret.data ?? {}, ref.key) || Object.hasOwn(secret.stringData ?? {}, ref.key) || generated.some((g) => g.secret === ref.name && g.key === ref.key);
      expect([name, filled]).toEqual([name, true]);
    }
    // The servers authenticate with the very same Secret keys.
    const serverRefs = (kind: string, name: string) =>
      find(objects, kind, name).spec.template.spec.containers.flatMap((c: any) => (c.env ?? []).map((e: any) => e.valueFrom?.secretKeyRef).filter(Boolean));
    expect(serverRefs('Deployment', `${STACK}-qdrant`)).toContainEqual(env.QDRANT_API_KEY);
    expect(serverRefs('Deployment', `${STACK}-redis`)).toContainEqual(env.REDIS_PASSWORD);
  });

  test("the stack's NetworkPolicies let the API pods reach Qdrant (6333, 6334) and Redis (6379), and only on those ports", () => {
    const qdrant = podOf('Deployment', `${STACK}-qdrant`).labels;
    const redis = podOf('Deployment', `${STACK}-redis`).labels;
    const ollama = podOf('Deployment', `${STACK}-ollama`).labels;
    expect(admits(apiPod.labels, qdrant, 6333)).toBe(true);
    expect(admits(apiPod.labels, qdrant, 6334)).toBe(true);
    expect(admits(apiPod.labels, redis, 6379)).toBe(true);
    expect(admits(apiPod.labels, ollama, 11434)).toBe(true);
    // The servers are isolated: other ports, and pods without the label, stay out.
    expect(admits(apiPod.labels, qdrant, 6335)).toBe(false);
    expect(admits(apiPod.labels, redis, 6333)).toBe(false);
    const { 'qdrant-stack/client': _label, ...unlabelled } = apiPod.labels;
    expect(admits(unlabelled, qdrant, 6333)).toBe(false);
    expect(admits(unlabelled, redis, 6379)).toBe(false);
  });

  test("default-deny covers the stack's pods, not the API's", () => {
    const deny = find(objects, 'NetworkPolicy', `${STACK}-default-deny`);
    expect(deny.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/part-of': STACK } });
    expect(selectorMatches(deny.spec.podSelector, podOf('Deployment', `${STACK}-qdrant`).labels)).toBe(true);
    expect(selectorMatches(deny.spec.podSelector, apiPod.labels)).toBe(false);
    // No policy isolates the API pods at all: their egress (and the Service's traffic to them) is the app's business.
    expect(policies.filter((p) => selectorMatches(p.spec.podSelector ?? {}, apiPod.labels)).map((p) => p.metadata.name)).toEqual([]);
  });

  test('the API runs under the "restricted" Pod Security profile, with resources', () => {
    const pod = apiDeployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(apiContainer.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(apiContainer.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '512Mi' } });
    expect(find(objects, 'Service', 'rag-api').spec.ports).toEqual([{ port: 80, targetPort: 8080 }]);
  });

  test('a cluster would accept the render: names, sizes, quantities, selectors, sync waves', () => {
    expect(apiServerProblems(objects, { externalPeers: EXTERNAL_PEERS })).toEqual([]);
    // The client label is carried by a pod in the render now, so the policies check out even without the exemption.
    expect(apiServerProblems(objects)).toEqual([]);
  });

  test('connect() refuses a workload of another namespace, naming both', () => {
    const { chart, stack: s } = buildRagApp(Testing.app());
    const elsewhere = new kplus.Deployment(chart, 'elsewhere', {
      metadata: { namespace: 'billing' },
      containers: [{ image: 'ghcr.io/example/billing:1.0.0' }],
    });
    expect(() => s.connect(elsewhere)).toThrow(/namespace 'billing'.*the stack in 'rag'/);
  });

  test('type-checks with its own tsconfig, qdrant-stack resolved as its package.json installs it (here: the sources)', () => {
    const file = ts.readConfigFile(join(EXAMPLE, 'tsconfig.json'), ts.sys.readFile);
    const { options, fileNames } = ts.parseJsonConfigFileContent(file.config, ts.sys, EXAMPLE);
    const program = ts.createProgram(fileNames, {
      ...options,
      noEmit: true,
      baseUrl: ROOT,
      paths: { 'qdrant-stack': ['src/index.ts'] },
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      types: ['node'],
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(problems).toEqual([]);
  });
});
