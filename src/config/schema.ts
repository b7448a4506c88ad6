/**
 * The stack model: one zod schema gives the TypeScript types, the runtime validation with defaults,
 * and (later) the JSON Schema for editors. Messages are written for people: what is wrong and what
 * was expected; the loader adds the key path and the value it got.
 */
import { z } from 'zod';
import { QDRANT } from '../components/qdrant';
import { DEFAULT_EMBEDDING_MODEL } from '../components/embeddings';
import { OLLAMA } from '../components/ollama';
import { REDIS } from '../components/redis';
import { clusterProblems } from './cluster';
import { PROFILE_NAMES } from './profiles';
import { embeddingProblems } from './embedding';
import { parseBytes, parseCpu, QUANTITY_LIMIT } from './quantity';
import { cronProblem } from './cron';
import { s3TargetSchema, SNAPSHOT_TARGETS, snapshotsProblems } from './snapshots';
import { imagesSchema, jobsSchema, podSchema } from './placement';
import { ollamaExposeSchema, qdrantExposeSchema } from './expose';
import { LONGEST_STACK_SUFFIXES, NAME_LIMITS, STACK_NAME_MAX } from '../naming';

import { collectionSchema } from './collection';
import { alertsProblems, alertsSchema } from './alerts';
import { QDRANT_CONFIG_DESCRIPTION, qdrantServerConfigSchema } from './qdrant-config';
import { DNS_1123_LABEL, DNS_1123_SUBDOMAIN, LABEL_KEY, LABEL_VALUE } from './kubernetes-syntax';
export { collectionSchema, distanceSchema, PAYLOAD_INDEX_TYPES } from './collection';
export type { CollectionConfig, Distance } from './collection';

/**
 * Why `name` cannot name an environment, or undefined. It names a folder (dist/<name>/) and a default
 * namespace: no "..", "/", "__proto__" or "CON". Checked on the raw keys, before any object is built.
 */
export function environmentNameProblem(name: string): string | undefined {
  if (name.length > 40) return 'is not an environment name: must be at most 40 characters';
  if (!DNS_1123_LABEL.test(name)) return 'is not an environment name: must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit), as it names the folder dist/<name>/';
  return undefined;
}

/** Namespaces of the cluster itself: a stack must not relabel them for Pod Security or share them. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];


/** A DNS-1123 label (namespaces, Services, stack names): at most `max` characters. */
const dnsLabel = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .max(max, { error: `must be at most ${max} characters` })
    .regex(DNS_1123_LABEL, { error: 'must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit' });


const secretName = z
  .string({ error: 'must be a string' })
  .max(253, { error: 'must be at most 253 characters' })
  .regex(DNS_1123_SUBDOMAIN, { error: 'must be a DNS-1123 subdomain (lowercase letters, digits, "-" and ".")' });

const secretKey = z
  .string({ error: 'must be a string' })
  .regex(/^[-._a-zA-Z0-9]{1,253}$/, { error: 'must be a Secret data key: letters, digits, "-", "_" or "."' })
  .refine((k) => k !== '.' && k !== '..', { error: 'must be a Secret data key, which cannot be "." or ".."' });

/** A memory or storage quantity: at least one byte, and within Kubernetes' 64-bit range. */
const bytesQuantity = z
  .string({ error: 'must be a quantity string such as "10Gi"' })
  .refine((q) => parseBytes(q) !== undefined && parseBytes(q)! > 0, { error: 'must be a positive quantity such as "512Mi" or "20Gi"', abort: true })
  .refine((q) => parseBytes(q)! >= 1, { error: 'must be at least 1 byte', abort: true })
  .refine((q) => parseBytes(q)! < QUANTITY_LIMIT, { error: 'must be less than 8Ei (Kubernetes quantities are 64-bit integers)' });

/** A CPU quantity: at least 1m (Kubernetes' resolution) and within its 64-bit range of millicores. */
const cpuQuantity = z
  .union([z.string(), z.number()], { error: 'must be a CPU quantity such as "500m" or "2"' })
  .transform((q) => String(q))
  .refine((q) => parseCpu(q) !== undefined && parseCpu(q)! > 0, { error: 'must be a positive CPU quantity such as "500m" or "2"', abort: true })
  .refine((q) => parseCpu(q)! >= 0.001, { error: 'must be at least 1m (one thousandth of a core)', abort: true })
  .refine((q) => parseCpu(q)! * 1000 < QUANTITY_LIMIT, { error: 'must be within Kubernetes\' 64-bit range of millicores' });

/** A release `X.Y.Z` (a leading `v` is accepted and dropped), defaulting to the component's pinned one. */
const releaseVersion = (defaultVersion: string, description: string) =>
  z
    .string({ error: `must be a version string such as "${defaultVersion}"` })
    .regex(/^v?\d+\.\d+\.\d+$/, { error: `must be a release version such as "${defaultVersion}"` })
    .transform((v) => v.replace(/^v/, ''))
    .default(defaultVersion)
    .describe(description);

const positiveInt = z
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .positive({ error: 'must be a positive integer' });

const secretRefSchema = z.strictObject({
  secretName: secretName.describe('Name of an existing Secret in the stack namespace.'),
  key: secretKey.describe('Data key inside that Secret.'),
});

/** `generate` (an in-cluster Job fills a Secret once) or a reference to a Secret the user manages. */
export const secretSourceSchema = z.union([z.literal('generate'), secretRefSchema], {
  error: 'must be "generate" or an existing Secret reference { secretName, key }',
});

const resourceAmountsSchema = z.strictObject({
  cpu: cpuQuantity.optional().describe('CPU, e.g. "500m" or "2".'),
  memory: bytesQuantity.optional().describe('Memory, e.g. "2Gi".'),
});

/** Overrides of computed requests and limits; any field left out keeps its computed value. */
export const resourcesSchema = z
  .strictObject({
    requests: resourceAmountsSchema.optional().describe('Requests: what the scheduler reserves.'),
    limits: resourceAmountsSchema.optional().describe('Limits: the most the container may use.'),
  })
  .superRefine((r, ctx) => {
    for (const [kind, parse] of [['cpu', parseCpu], ['memory', parseBytes]] as const) {
      const request = r.requests?.[kind];
      const limit = r.limits?.[kind];
      if (request && limit && parse(limit)! < parse(request)!) {
        ctx.addIssue({
          code: 'custom',
          path: ['limits', kind],
          message: `${limit} must be at least the ${kind} request (${request})`,
        });
      }
    }
  });

export const qdrantSchema = z.strictObject({
  version: releaseVersion(QDRANT.version, 'Qdrant release; the `-unprivileged` image of it runs as uid 1000.'),
  replicas: positiveInt.max(100, { error: 'must be at most 100' }).default(1).describe('Number of Qdrant peers; more than 1 runs Qdrant\'s distributed mode on a StatefulSet.'),
  workload: z
    .enum(['deployment', 'statefulset'], { error: 'must be "deployment" or "statefulset"' })
    .optional()
    .describe('Workload kind; a single node is a Deployment unless "statefulset", peers are always a StatefulSet.'),
  storage: z
    .strictObject({
      size: bytesQuantity.default('10Gi').describe('Size of the storage volume per peer.'),
      storageClass: dnsLabel(253).optional().describe('StorageClass of the volume; the cluster default when left out.'),
      retainOnDelete: z
        .boolean({ error: 'must be true or false' })
        .default(true)
        .describe('StatefulSet: keep the peers\' volumes when the StatefulSet is deleted or scaled down (persistentVolumeClaimRetentionPolicy Retain).'),
    })
    .prefault({})
    .describe('Persistent storage at /qdrant/storage (must be block or POSIX storage, not NFS).'),
  resources: resourcesSchema.optional().describe('Overrides of the computed requests and limits.'),
  sizing: z
    .strictObject({
      vectors: positiveInt.describe('Expected number of vectors.'),
      dimensions: positiveInt.optional().describe('Dimensions per vector; the largest dense vector of the collections when left out.'),
    })
    .optional()
    .describe('Expected data volume; sets the memory request from Qdrant\'s capacity formula.'),
  apiKey: secretSourceSchema.default('generate').describe('Admin API key: generated in-cluster, or an existing Secret.'),
  readOnlyApiKey: z
    .union([z.literal('generate'), z.literal('none'), secretRefSchema], { error: 'must be "generate", "none" or an existing Secret reference { secretName, key }' })
    .default('generate')
    .describe('Read-only API key for searching clients (and metrics scraping): generated, an existing Secret, or "none".'),
  tls: z
    .strictObject({
      secretName: secretName.describe('Existing Secret (e.g. from cert-manager) with tls.crt, tls.key and ca.crt.'),
    })
    .optional()
    .describe('TLS for the REST and gRPC APIs (and peer-to-peer traffic in distributed mode).'),
  config: qdrantServerConfigSchema.optional().describe(QDRANT_CONFIG_DESCRIPTION),
  jwtRbac: z
    .boolean({ error: 'must be true or false' })
    .default(false)
    .describe("Qdrant's JWT role-based access control (service.jwt_rbac): clients may also authenticate with tokens signed with the admin API key (HS256), which grant read or read-write access to named collections; mint them with `qdrant-stack token`."),
  priorityClassName: dnsLabel(253).optional().describe('PriorityClass of the Qdrant pods (profile prod renders and uses <stack>-critical); the same as pod.priorityClassName, kept for existing files.'),
  pod: podSchema('Qdrant', { names: Object.values(QDRANT.env) }).describe('Placement, pod labels and annotations, PriorityClass and extra env of the Qdrant pods.'),
  manageCollections: z
    .boolean({ error: 'must be true or false' })
    .default(true)
    .describe('Create the declared collections and keep their settings in sync after each deploy (a Job; Compose: a one-shot service). Never deletes.'),
  collections: z
    .array(collectionSchema, { error: 'must be a list of collections' })
    .default([{ name: 'knowledge', vectorSize: 1024, distance: 'Cosine' }])
    .superRefine((collections, ctx) => {
      const seen = new Map<string, number>();
      collections.forEach((c, i) => {
        const first = seen.get(c.name);
        if (first !== undefined) {
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate collection name (also at qdrant.collections[${first}])`, input: c.name });
        } else seen.set(c.name, i);
      });
    })
    .describe('Collections the applications expect.'),
  expose: qdrantExposeSchema.describe('Reaching Qdrant from outside the cluster: Service type, Ingress, Gateway API routes, and who the NetworkPolicy lets in.'),
});

const storageSchema = (defaultSize: string, what: string) =>
  z
    .strictObject({
      size: bytesQuantity.default(defaultSize).describe(`Size of the ${what} volume.`),
      storageClass: dnsLabel(253).optional().describe('StorageClass of the volume; the cluster default when left out.'),
    })
    .prefault({})
    .describe(`Persistent ${what} volume.`);

const modelName = z
  .string({ error: 'must be a model name such as "mxbai-embed-large" or "nomic-embed-text:v1.5"' })
  .regex(/^[a-z0-9][a-z0-9._\/-]*(:[A-Za-z0-9._-]+)?$/, { error: 'must be an Ollama model name such as "mxbai-embed-large" or "nomic-embed-text:v1.5"' });

export const ollamaSchema = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }).default(true).describe('Deploy Ollama for embeddings.'),
  version: releaseVersion(OLLAMA.version, 'Ollama release (image tag).'),
  models: z.array(modelName, { error: 'must be a list of model names' }).default([]).describe('Models to pull besides the embedding model.'),
  embeddingModel: modelName.default(DEFAULT_EMBEDDING_MODEL).describe('Model that embeds text for the embedding collection.'),
  embeddingDimensions: positiveInt.optional().describe('Output dimensions of the embedding model; needed only for models the registry does not know.'),
  gpus: z.number({ error: 'must be a whole number of GPUs' }).int({ error: 'must be a whole number of GPUs' }).min(0, { error: 'must be 0 or more' }).default(0).describe('NVIDIA GPUs per Ollama pod.'),
  runtimeClassName: z
    .union([dnsLabel(253), z.null()], { error: 'must be a RuntimeClass name or null' })
    .optional()
    .transform((v) => v ?? undefined)
    .describe('RuntimeClass of the Ollama pod, e.g. "nvidia" where the NVIDIA GPU operator installs one; none by default (GKE and AKS-managed GPU pools have none). null means none.'),
  storage: storageSchema('20Gi', 'model'),
  keepAlive: z
    .string({ error: 'must be a duration such as "30m" or "-1" (forever)' })
    .regex(/^(-1|0|\d+(\.\d+)?(ms|s|m|h))$/, { error: 'must be a duration such as "30m", "24h", "0" or "-1" (forever)' })
    .default('30m')
    .describe('How long a model stays in memory after its last use (OLLAMA_KEEP_ALIVE).'),
  numParallel: positiveInt.max(64, { error: 'must be at most 64' }).default(4).describe('Parallel requests per model (OLLAMA_NUM_PARALLEL).'),
  pullModels: z
    .boolean({ error: 'must be true or false' })
    .default(true)
    .describe('Pull the models with a Job after each deploy; when false, models must already be on the volume and Ollama gets no internet egress.'),
  resources: resourcesSchema.optional().describe('Overrides of the default requests and limits.'),
  pod: podSchema('Ollama', { names: Object.values(OLLAMA.env) }).describe('Placement, pod labels and annotations, PriorityClass and extra env of the Ollama pod (the model-pull Job follows jobs.pod).'),
  expose: ollamaExposeSchema.describe('Reaching Ollama from outside the cluster (it has no authentication): Service type, Ingress, Gateway API route.'),
});

export const redisSchema = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }).default(true).describe('Deploy Redis for the search cache and embedding job queue.'),
  version: releaseVersion(REDIS.version, 'Redis release (official image, Debian variant).'),
  maxMemory: bytesQuantity
    .refine((q) => parseBytes(q)! >= 2 ** 20, { error: 'must be at least 1Mi: Redis needs room for its own bookkeeping' })
    .default('256Mi')
    .describe('Redis maxmemory (at least 1Mi); requests and limits follow from it.'),
  maxMemoryPolicy: z
    .enum(REDIS.evictionPolicies, { error: `must be one of ${REDIS.evictionPolicies.join(', ')}` })
    .default('volatile-lru')
    .describe('Eviction policy; volatile-lru evicts only keys with a TTL (cache entries), never queued jobs.'),
  persistence: z.boolean({ error: 'must be true or false' }).default(true).describe('Append-only file on a persistent volume.'),
  storage: storageSchema('8Gi', 'data'),
  password: secretSourceSchema.default('generate').describe('Password: generated in-cluster, or an existing Secret.'),
  resources: resourcesSchema.optional().describe('Overrides of the computed requests and limits.'),
  pod: podSchema('Redis', { names: [REDIS.cliAuthEnv] }).describe('Placement, pod labels and annotations, PriorityClass and extra env of the Redis pod.'),
});

const cidr = z.union([z.cidrv4(), z.cidrv6()], { error: 'must be a CIDR such as "10.0.0.1/32" or "fd00::/64"' });
const port = z.number({ error: 'must be a port number' }).int({ error: 'must be a port number' }).min(1, { error: 'must be 1-65535' }).max(65535, { error: 'must be 1-65535' });

export const networkPoliciesSchema = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }).default(true).describe('Render default-deny NetworkPolicies and the allowed paths.'),
  clientNamespaces: z
    .array(dnsLabel(63), { error: 'must be a list of namespace names' })
    .default([])
    .describe('Other namespaces whose pods labelled qdrant-stack/client: "true" may connect.'),
  apiServer: z
    .strictObject({
      cidrs: z
        .array(cidr, { error: 'must be a list of CIDRs' })
        .min(1, { error: 'must name at least one CIDR' })
        .default(['0.0.0.0/0', '::/0'])
        .describe(
          'Where the Kubernetes API server is. Its address is not known when rendering, so the default is anywhere; narrow it to the endpoints of `kubectl get endpoints kubernetes -n default` (e.g. ["10.0.0.1/32"]) or your control plane\'s range.',
        ),
      ports: z.array(port, { error: 'must be a list of port numbers' }).min(1, { error: 'must name at least one port' }).default([443, 6443]).describe('Ports of the API server (443 for the kubernetes Service, 6443 for endpoints on most distributions).'),
    })
    .prefault({})
    .describe('Egress of the secret-generator Job, the only pod of the stack that calls the Kubernetes API.'),
});

export const smokeSchema = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }).default(true).describe('Render the post-deploy smoke-test Job.'),
  hook: z
    .enum(['argocd', 'helm-test'], { error: 'must be "argocd" (PostSync hook) or "helm-test" (helm.sh/hook: test)' })
    .default('argocd')
    .describe('How the Job is triggered: an Argo CD PostSync hook, or a Helm-test-style hook.'),
  vectors: positiveInt.max(1_000_000, { error: 'must be at most 1000000' }).default(10_000).describe('Vectors seeded into the temporary collection.'),
  queries: positiveInt.max(100_000, { error: 'must be at most 100000' }).default(200).describe('Timed queries.'),
  maxP95Ms: z.number({ error: 'must be a number of milliseconds' }).positive({ error: 'must be a positive number of milliseconds' }).default(50).describe('Budget for the server-side p95 query time.'),
  deadlineSeconds: positiveInt.default(600).describe('How long the Job waits for Qdrant to answer and be ready.'),
});

export const metricsSchema = z.strictObject({
  serviceMonitor: z.boolean({ error: 'must be true or false' }).default(false).describe('Render a Prometheus Operator ServiceMonitor for Qdrant (bearer token: the read-only key).'),
  prometheusNamespace: dnsLabel(63).default('monitoring').describe('Namespace of Prometheus, allowed through the NetworkPolicy to scrape /metrics.'),
  serviceMonitorLabels: z
    .record(
      z.string().regex(LABEL_KEY, { error: 'must be a label key such as "release" or "example.com/team"' }),
      z.string({ error: 'must be a string' }).regex(LABEL_VALUE, { error: 'must be a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit' }),
      { error: 'must be a map of label to value' },
    )
    .default({})
    .describe('Extra labels of the ServiceMonitor, for the Prometheus that selects it (kube-prometheus-stack selects `release: <its Helm release>` by default).'),
  grafanaDashboard: z.boolean({ error: 'must be true or false' }).default(false).describe('Render a Grafana dashboard ConfigMap (label grafana_dashboard: "1").'),
});

export const snapshotsSchema = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }).default(false).describe('A scheduled snapshot CronJob, with a snapshots volume at /qdrant/snapshots (target pvc) or a bucket (target s3).'),
  size: bytesQuantity.default('20Gi').describe('Size of the snapshots volume (per peer).'),
  storageClass: dnsLabel(253).optional().describe('StorageClass of the snapshots volume.'),
  schedule: z
    .string({ error: 'must be a cron schedule such as "0 3 * * *"' })
    .regex(/^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$/, { error: 'must be a cron schedule with five fields, such as "0 3 * * *"', abort: true })
    .superRefine((schedule, ctx) => {
      const problem = cronProblem(schedule);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, input: schedule });
    })
    .default('0 3 * * *')
    .describe('When to snapshot every collection (cron, cluster time zone).'),
  keep: positiveInt.max(1000, { error: 'must be at most 1000' }).default(7).describe('Snapshots kept per collection; older ones are deleted.'),
  target: z
    .enum(SNAPSHOT_TARGETS, { error: 'must be "pvc" (a volume next to the data) or "s3" (a bucket, off the cluster)' })
    .default('pvc')
    .describe('Where snapshots are kept: "pvc", a snapshots volume per peer; "s3", a bucket through Qdrant\'s S3 snapshot storage (no snapshots volume; snapshots are built on the storage volume before upload, so leave room for one; a cluster keeps one snapshot per shard, per collection and peer on a single node).'),
  s3: s3TargetSchema({ secretName, secretKey, cidr }).optional().describe('The bucket of target "s3"; required with it.'),
  restore: z
    .array(
      z.strictObject({
        collection: z
          .string({ error: 'must be a collection name' })
          .regex(/^[A-Za-z0-9_-]{1,255}$/, { error: 'must be 1-255 letters, digits, "_" or "-"' })
          .describe('Collection to restore into.'),
        path: z
          .string({ error: 'must be a path' })
          .regex(/^\/qdrant\/snapshots\/\S+\.snapshot$/, { error: 'must be a .snapshot file under /qdrant/snapshots' })
          .describe('Snapshot file on the snapshots volume.'),
      }),
      { error: 'must be a list of { collection, path }' },
    )
    .default([])
    .describe('Single node: restore these snapshots at start-up (qdrant --snapshot PATH:COLLECTION); remove after the restore.'),
});

export const stackSchema = z
  .strictObject({
    name: z
      .string({ error: 'must be a string' })
      .max(STACK_NAME_MAX, { error: `must be at most ${STACK_NAME_MAX} characters (the longest object names must fit their kinds' limits)` })
      .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, {
        error: 'must be a DNS-1035 label (Services are named after it): lowercase letters, digits and "-", starting with a letter and ending with a letter or digit',
      })
      .default('qdrant-stack')
      .describe(
        `Stack name: prefix of every resource name. At most ${STACK_NAME_MAX} characters, so the longest names fit their kinds' limits (${LONGEST_STACK_SUFFIXES.map(([kind, suffix]) => `${kind} <name>${suffix.replace(/0+$/, '<hash>')} ≤ ${NAME_LIMITS[kind]}`).join('; ')}).`,
      ),
    profile: z
      .enum(PROFILE_NAMES, { error: `must be one of ${PROFILE_NAMES.join(', ')}` })
      .optional()
      .describe('Preset under the file\'s own values: dev (small, one node) or prod (3 peers, PDB, spread, PriorityClass, snapshots).'),
    environments: z
      .record(z.string(), z.record(z.string(), z.unknown(), { error: 'must be a map of overrides' }), { error: 'must be a map of environment name to overrides' })
      .optional()
      .describe('Environments (e.g. staging, prod): overrides deep-merged onto this file, each rendered to dist/<name>/.'),
    namespace: dnsLabel(63)
      .refine((ns) => !SYSTEM_NAMESPACES.includes(ns), { error: `is a namespace of the cluster itself (${SYSTEM_NAMESPACES.join(', ')}): give the stack its own` })
      .optional()
      .describe('Namespace of every resource; the stack name when left out (an environment without its own: <namespace>-<environment>). Never a system namespace.'),
    createNamespace: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .describe('Render the Namespace (labelled Pod Security "restricted"). Default: true, unless the stack is a QdrantStack construct placed in a cdk8s chart that has a namespace and no `namespace` is given (it then lives in the chart\'s namespace).'),
    qdrant: qdrantSchema.prefault({}).describe('The vector database.'),
    ollama: ollamaSchema.prefault({}).describe('Embeddings: Ollama with its models.'),
    redis: redisSchema.prefault({}).describe('Search cache and embedding job queue.'),
    networkPolicies: networkPoliciesSchema.prefault({}).describe('Default-deny NetworkPolicies and the paths they allow.'),
    smoke: smokeSchema.prefault({}).describe('The post-deploy smoke-test Job.'),
    metrics: metricsSchema.prefault({}).describe('Prometheus scraping and a Grafana dashboard.'),
    alerts: alertsSchema.prefault({}).describe('Prometheus alerts (a PrometheusRule) with runbooks in docs/runbooks.md.'),
    snapshots: snapshotsSchema.prefault({}).describe('Scheduled snapshots and start-up restore.'),
    jobs: jobsSchema.prefault({}).describe("The stack's Jobs and CronJob (secret generator, model pull, collections, smoke test, snapshots)."),
    images: imagesSchema.prefault({}).describe('Where every image comes from: a registry mirror, pull Secrets, pinned digests.'),
  })
  .superRefine((stack, ctx) => {
    if (stack.namespace === undefined && SYSTEM_NAMESPACES.includes(stack.name)) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: `is also the namespace when none is given, and ${stack.name} is the cluster's own: set namespace` });
    }
    if (stack.qdrant.sizing && !stack.qdrant.sizing.dimensions && stack.qdrant.collections.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['qdrant', 'sizing', 'dimensions'], message: 'is required when qdrant.collections is empty' });
    }
    for (const problem of embeddingProblems(stack)) ctx.addIssue({ code: 'custom', ...problem });
    for (const problem of clusterProblems(stack)) ctx.addIssue({ code: 'custom', ...problem });
    for (const problem of alertsProblems(stack)) ctx.addIssue({ code: 'custom', ...problem });
    for (const problem of snapshotsProblems(stack.snapshots)) ctx.addIssue({ code: 'custom', ...problem });
    const { priorityClassName: alias, pod } = stack.qdrant;
    if (alias && pod.priorityClassName && alias !== pod.priorityClassName) {
      ctx.addIssue({ code: 'custom', path: ['qdrant', 'priorityClassName'], message: `contradicts qdrant.pod.priorityClassName (${pod.priorityClassName}): set only one` });
    }
  });

/** The stack model as written by a user (every default optional). */
export type StackInput = z.input<typeof stackSchema>;
/** The stack model with every default applied. */
export type StackConfig = z.output<typeof stackSchema>;
export type QdrantConfig = StackConfig['qdrant'];
export type SecretSource = z.output<typeof secretSourceSchema>;
export type ResourcesConfig = z.output<typeof resourcesSchema>;
export type OllamaConfig = StackConfig['ollama'];
export type RedisConfig = StackConfig['redis'];
export type SmokeConfig = StackConfig['smoke'];
export type SnapshotsConfig = StackConfig['snapshots'];
export type MetricsConfig = StackConfig['metrics'];
export type { AlertsConfig } from './alerts';
