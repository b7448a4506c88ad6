/**
 * Models that between them turn on every option, for the tests that must hold over every render (the API
 * server rules, the YAML emitter): one list, so a new option is added once and checked by both.
 */
import type { StackInput } from '../../src/config/schema';
import { STACK_NAME_MAX } from '../../src/naming';

export const MODEL_MATRIX: readonly [string, StackInput][] = [
  ['single node (defaults)', {}],
  ['single node on a StatefulSet', { qdrant: { workload: 'statefulset' } }],
  ['distributed, 3 peers', { qdrant: { replicas: 3 } }],
  ['distributed, 5 peers, snapshots', { qdrant: { replicas: 5 }, snapshots: { enabled: true } }],
  ['TLS and metrics', { qdrant: { tls: { secretName: 'qdrant-tls' } }, metrics: { serviceMonitor: true, grafanaDashboard: true } }],
  ['distributed with TLS, metrics, snapshots', { qdrant: { replicas: 3, tls: { secretName: 'qdrant-tls' } }, metrics: { serviceMonitor: true }, snapshots: { enabled: true } }],
  ['single node with snapshots', { snapshots: { enabled: true } }],
  ['companions off', { ollama: { enabled: false }, redis: { enabled: false } }],
  ['GPUs', { ollama: { gpus: 1, runtimeClassName: 'nvidia' } }],
  ['prod profile', { profile: 'prod' }],
  ['existing Secrets, no read-only key', { qdrant: { apiKey: { secretName: 'q', key: 'k' }, readOnlyApiKey: 'none' }, redis: { password: { secretName: 'r', key: 'p' } } }],
  ['no NetworkPolicies, Helm-test hook', { networkPolicies: { enabled: false }, smoke: { hook: 'helm-test' } }],
  // Edge values the model accepts must render values the API server parses.
  [
    'smallest and largest accepted quantities, a named cron schedule',
    {
      qdrant: { storage: { size: '7Ei' }, resources: { requests: { cpu: '1m', memory: '1' }, limits: { cpu: '9000000000000', memory: '7Ei' } } },
      redis: { maxMemory: '1Mi' },
      snapshots: { enabled: true, schedule: '15 2 1,15 jan-jun MON-FRI' },
    },
  ],
  ['environment-style namespace and a one-letter name', { name: 'q', namespace: 'q-staging' }],
  [
    'exposed: LoadBalancer, Ingress and Gateway routes for Qdrant, NodePort and a route for Ollama',
    {
      qdrant: {
        replicas: 3,
        expose: {
          service: { type: 'LoadBalancer', loadBalancerSourceRanges: ['203.0.113.0/24'], annotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing' } },
          ingress: { className: 'nginx', host: 'qdrant.example.com', tls: { secretName: 'qdrant-public-tls' } },
          gateway: { parentRefs: [{ name: 'public', namespace: 'gateways' }], hostnames: ['api.example.com'], grpc: { hostnames: ['grpc.example.com'] } },
        },
      },
      ollama: { expose: { service: { type: 'NodePort' }, gateway: { parentRefs: [{ name: 'internal' }], hostnames: ['ollama.example.com'] } } },
    },
  ],
  [
    'day 2: placement, a mirror and digests, Qdrant config and JWT, alerts, snapshots in S3',
    {
      qdrant: {
        replicas: 3,
        jwtRbac: true,
        config: { log_level: 'WARN', storage: { optimizers: { indexing_threshold_kb: 20000 } }, service: { max_request_size_mb: 64 } },
        pod: { nodeSelector: { workload: 'vector-db' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'vector-db', effect: 'NoSchedule' }], labels: { team: 'search' } },
      },
      ollama: { pod: { extraEnv: [{ name: 'HTTPS_PROXY', value: 'http://proxy.internal:3128' }] } },
      jobs: { pod: { priorityClassName: 'batch' } },
      images: { registry: 'registry.example.com/dockerhub', pullSecrets: ['registry'], digests: { runner: `sha256:${'a'.repeat(64)}` } },
      metrics: { serviceMonitor: true },
      alerts: { enabled: true },
      snapshots: { enabled: true, target: 's3', s3: { endpoint: 'https://s3.eu-central-1.amazonaws.com', bucket: 'backups', region: 'eu-central-1', credentials: { secretName: 'backup-s3' } } },
    },
  ],
  [
    `longest name (${STACK_NAME_MAX} characters), every option on`,
    {
      name: `s${'x'.repeat(STACK_NAME_MAX - 1)}`,
      profile: 'prod',
      qdrant: { replicas: 5, tls: { secretName: 'qdrant-tls' } },
      ollama: { gpus: 1, models: ['nomic-embed-text'] },
      metrics: { serviceMonitor: true, grafanaDashboard: true },
      snapshots: { enabled: true },
    },
  ],
];
