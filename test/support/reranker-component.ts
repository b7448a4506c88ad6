/**
 * A fourth component, written as a user of the package would: a cross-encoder reranker beside Qdrant,
 * described once as a `StackComponent` and registered by adding it to the component list. It imports only
 * what the package root exports (`qdrant-stack`; here its source, src/index.ts) and cdk8s-plus: the
 * built-ins' helpers under src/constructs and src/stack/components are not public.
 *
 * The model's schema is strict (an unknown `reranker:` section in stack.yaml is an error), so the
 * descriptor takes its settings from a factory instead of the model, and is always enabled.
 */
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { type ComputedResources, instanceName, type LocalService, type StackComponent, SYNC_WAVE } from '../../src';

export const RERANKER = { image: 'ghcr.io/example/reranker', version: '0.3.0', port: 8787, uid: 10001, gid: 10001 } as const;

export interface RerankerOptions {
  /** Cross-encoder the server loads, e.g. `bge-reranker-base`. */
  readonly model: string;
  /** @default RERANKER.version */
  readonly version?: string;
  /** Stateless: as many as the query load needs. @default 1 */
  readonly replicas?: number;
}

// CPU in millicores and memory in MiB, so the Kubernetes, Compose/Pulumi and `plan` renderings cannot drift.
const CPU_MILLIS = { request: 250, limit: 1000 };
const MEMORY_MIB = { request: 1024, limit: 2048 };
const RESOURCES: ComputedResources = {
  requests: { cpu: `${CPU_MILLIS.request}m`, memory: `${MEMORY_MIB.request}Mi` },
  limits: { cpu: `${CPU_MILLIS.limit}m`, memory: `${MEMORY_MIB.limit}Mi` },
};
const wave = (w: number) => ({ 'argocd.argoproj.io/sync-wave': String(w) });

export function rerankerComponent(options: RerankerOptions): StackComponent {
  const version = options.version ?? RERANKER.version;
  const image = `${RERANKER.image}:${version}`;
  const replicas = options.replicas ?? 1;

  return {
    key: 'reranker',
    enabled: () => true,
    secrets: () => [],

    kubernetes({ scope, config, namespace, stackLabels }) {
      const name = instanceName(config.name, 'reranker');
      // The instance label is what the stack's NetworkPolicy for this server selects on.
      const selector = { 'app.kubernetes.io/name': 'reranker', 'app.kubernetes.io/instance': name };
      // `part-of` (in stackLabels) puts the pods under the stack's default-deny and DNS policies.
      const labels = { ...stackLabels, ...selector, 'app.kubernetes.io/component': 'reranker', 'app.kubernetes.io/version': version };

      const deployment = new kplus.Deployment(scope, 'reranker', {
        metadata: { name, labels, annotations: wave(SYNC_WAVE.workloads) },
        podMetadata: { labels },
        replicas,
        select: false,
        automountServiceAccountToken: false,
        securityContext: { ensureNonRoot: true, user: RERANKER.uid, group: RERANKER.gid },
        containers: [
          {
            name: 'reranker',
            image,
            imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
            ports: [{ name: 'http', number: RERANKER.port }],
            envVariables: { RERANKER_MODEL: kplus.EnvValue.fromValue(options.model) },
            securityContext: {
              ensureNonRoot: true,
              user: RERANKER.uid,
              group: RERANKER.gid,
              readOnlyRootFilesystem: true,
              allowPrivilegeEscalation: false,
              // plus-27's Capability enum has no ALL; "restricted" asks for it.
              capabilities: { drop: ['ALL' as kplus.Capability] },
            },
            resources: {
              cpu: { request: kplus.Cpu.millis(CPU_MILLIS.request), limit: kplus.Cpu.millis(CPU_MILLIS.limit) },
              memory: { request: Size.mebibytes(MEMORY_MIB.request), limit: Size.mebibytes(MEMORY_MIB.limit) },
            },
            readiness: kplus.Probe.fromHttpGet('/health', { port: RERANKER.port }),
          },
        ],
      });
      deployment.select(kplus.LabelSelector.of({ labels: selector }));
      // The root is read-only; the server downloads the model into /tmp.
      deployment.containers[0].mount('/tmp', kplus.Volume.fromEmptyDir(scope, 'reranker-tmp', 'tmp'));
      // What cdk8s-plus cannot say: seccomp (required by "restricted"), and no construct-address label in
      // the pods (the selector above is the component's own labels).
      const workload = ApiObject.of(deployment);
      workload.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
      workload.addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));

      const service = new kplus.Service(scope, 'reranker-service', {
        metadata: { name, labels, annotations: wave(SYNC_WAVE.config) },
        ports: [{ name: 'http', port: RERANKER.port, targetPort: RERANKER.port }],
      });
      // By the component's labels: `selector: deployment` would select cdk8s-plus' address label, removed above.
      for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);

      return {
        construct: deployment,
        connection: { RERANKER_URL: `http://${name}.${namespace}.svc:${RERANKER.port}`, RERANKER_MODEL: options.model },
        secrets: {},
        // One policy named after the Service: clients (qdrant-stack/client: "true") in on 8787, DNS out, nothing else.
        servers: [{ name, podSelector: selector, ports: [RERANKER.port] }],
      };
    },

    local(): LocalService[] {
      return [
        {
          name: 'reranker',
          image,
          user: `${RERANKER.uid}:${RERANKER.gid}`,
          environment: { RERANKER_MODEL: { value: options.model } },
          ports: [{ name: 'http', container: RERANKER.port, host: RERANKER.port }],
          volumes: [],
          tmpfs: ['/tmp'],
          files: [],
          dependsOn: [],
          restart: 'unless-stopped',
          resources: RESOURCES,
        },
      ];
    },

    plan: () => ({
      rows: [
        {
          component: 'reranker',
          replicas,
          cpuRequest: RESOURCES.requests.cpu,
          cpuLimit: RESOURCES.limits.cpu,
          memoryRequest: RESOURCES.requests.memory,
          memoryLimit: RESOURCES.limits.memory,
          storage: '0',
          note: `model ${options.model}`,
        },
      ],
      jobs: [],
    }),
  };
}
