// A RAG API next to its vector store, in one cdk8s chart: the stack renders Qdrant, Ollama (embeddings)
// and Redis (cache) into the chart's namespace, and `stack.connect(api)` hands the API its URLs, keys and
// the label the stack's NetworkPolicies admit.
import { ApiObject, App, Chart, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { QdrantStack } from 'qdrant-stack';

export interface RagApp {
  readonly app: App;
  readonly chart: Chart;
  readonly stack: QdrantStack;
  readonly api: kplus.Deployment;
}

export function buildRagApp(app: App = new App()): RagApp {
  const chart = new Chart(app, 'rag', { namespace: 'rag', disableResourceNameHashes: true });

  // The model, as in stack.yaml (docs/configuration.md): validated here, a ConfigError lists every problem.
  // No `namespace`: the stack lives in the chart's, and renders no Namespace object of its own.
  const stack = new QdrantStack(chart, 'stack', {
    name: 'rag',
    qdrant: {
      storage: { size: '20Gi' },
      sizing: { vectors: 500_000 },
      collections: [{ name: 'docs', vectorSize: 768, distance: 'Cosine' }],
    },
    // nomic-embed-text yields 768-dim vectors: the collection above must match (the model checks it).
    ollama: { embeddingModel: 'nomic-embed-text', storage: { size: '10Gi' } },
    redis: { maxMemory: '256Mi' },
  });

  const labels = { 'app.kubernetes.io/name': 'rag-api', 'app.kubernetes.io/instance': 'rag-api' };
  const api = new kplus.Deployment(chart, 'api', {
    metadata: { name: 'rag-api', labels },
    podMetadata: { labels },
    replicas: 2,
    // The API reads no Kubernetes objects: no token in its pods.
    automountServiceAccountToken: false,
    securityContext: { ensureNonRoot: true, user: 10001, group: 10001 },
    containers: [
      {
        name: 'api',
        image: 'ghcr.io/example/rag-api:1.0.0',
        ports: [{ name: 'http', number: 8080 }],
        securityContext: {
          ensureNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          user: 10001,
          group: 10001,
          // cdk8s-plus' Capability enum has no ALL, which the "restricted" Pod Security profile asks for.
          capabilities: { drop: ['ALL' as kplus.Capability] },
        },
        resources: {
          cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(1000) },
          memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) },
        },
        readiness: kplus.Probe.fromHttpGet('/healthz', { port: 8080 }),
      },
    ],
  });
  // cdk8s-plus has no seccomp setting; "restricted" requires RuntimeDefault (or Localhost).
  ApiObject.of(api).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  // A read-only root still needs somewhere to write temp files.
  api.containers[0].mount('/tmp', kplus.Volume.fromEmptyDir(chart, 'api-tmp', 'tmp'));
  // QDRANT_URL, OLLAMA_URL, REDIS_URL, … from the connection ConfigMap; QDRANT_API_KEY and REDIS_PASSWORD
  // from the stack's Secrets; and the client label, so the NetworkPolicies let the pods in.
  stack.connect(api);

  api.exposeViaService({ name: 'rag-api', ports: [{ port: 80, targetPort: 8080 }] });
  return { app, chart, stack, api };
}

if (require.main === module) buildRagApp().app.synth();
