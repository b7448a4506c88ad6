/** Qdrant, the vector database: the one component every stack has. */
import { ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { secret, value } from '../../components/env';
import { QDRANT, qdrantEnvironment, qdrantImage } from '../../components/qdrant';
import { qdrantConfigEnv, qdrantConfigFile } from '../../components/qdrant-config';
import { COLLECTIONS_RUNNER, RUNNER, runnerImage } from '../../components/runner';
import { extraEnvironment } from '../../config/placement';
import type { DeclaredCollections } from '../../collections/job';
import { usesStatefulSet } from '../../config/cluster';
import { type CollectionConfig, managesCollections } from '../../config/collection';
import { embeddingCollectionIndex } from '../../config/embedding';
import { formatBytes, parseBytes } from '../../config/quantity';
import { JOB_RESOURCES, qdrantResources } from '../../config/resources';
import type { StackConfig } from '../../config/schema';
import { embeddingVectorOf } from '../../config/vectors';
import { SYNC_WAVE, syncWave } from '../../constructs/gitops';
import { QdrantMetrics } from '../../constructs/metrics';
import { Qdrant } from '../../constructs/qdrant';
import { SnapshotSchedule } from '../../constructs/snapshot-schedule';
import { s3Egress, s3TargetOf } from '../../snapshots/qdrant-env';
import { bootstrap, readBundle } from '../../jobs/bundles';
import { devTcpHttpCheck, type LocalService } from '../../local/types';
import { instanceName, objectName } from '../../naming';
import type { KubernetesContext, StackComponent } from '../component';
import { collectionsJobName } from '../jobs';
import { jobRow, resourceRow, tcp } from './shared';

export const qdrantComponent: StackComponent = {
  key: 'qdrant',
  enabled: () => true,

  secrets: (config) => [
    { env: 'QDRANT_API_KEY', description: "Qdrant's admin API key" },
    ...(config.qdrant.readOnlyApiKey !== 'none' ? [{ env: 'QDRANT_READ_ONLY_API_KEY', description: "Qdrant's read-only API key" }] : []),
  ],

  kubernetes(context) {
    const { scope, config, namespace, stackLabels } = context;
    const q = config.qdrant;
    const priorityClassName = q.pod.priorityClassName ?? q.priorityClassName ?? (config.profile === 'prod' ? renderPriorityClass(scope, config, stackLabels) : undefined);
    const qdrant = new Qdrant(scope, 'qdrant', {
      ...q,
      priorityClassName,
      name: instanceName(config.name, 'qdrant'),
      partOf: config.name,
      namespace,
      snapshots: config.snapshots,
      secretGenerator: context.secretGenerator,
      images: config.images,
    });
    addOperations(context, qdrant);

    const index = embeddingCollectionIndex(config) ?? (q.collections.length ? 0 : undefined);
    const collection = index === undefined ? undefined : q.collections[index];
    const prometheus = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': config.metrics.prometheusNamespace } } };
    return {
      construct: qdrant,
      connection: {
        QDRANT_URL: qdrant.url,
        QDRANT_GRPC_URL: qdrant.grpcUrl,
        // From outside the cluster (expose): no port in the URL, so clients must not append 6333 (js-client: port: null).
        QDRANT_EXTERNAL_URL: qdrant.exposure.externalUrl,
        QDRANT_EXTERNAL_GRPC_URL: qdrant.exposure.externalGrpcUrl,
        QDRANT_COLLECTION: collection?.name,
        QDRANT_DISTANCE: collection && embeddingVectorOf(collection)?.distance,
      },
      secrets: { QDRANT_API_KEY: qdrant.apiKeySecret, ...(qdrant.readOnlyApiKeySecret ? { QDRANT_READ_ONLY_API_KEY: qdrant.readOnlyApiKeySecret } : {}) },
      servers: [
        {
          name: qdrant.serviceName,
          podSelector: qdrant.podSelector,
          ports: [QDRANT.ports.http, QDRANT.ports.grpc],
          // Peers replicate and route through 6335, and only to each other.
          peerPorts: qdrant.replicas > 1 ? [QDRANT.ports.p2p] : undefined,
          egress: s3Egress(config.snapshots),
          ingress: [...(config.metrics.serviceMonitor ? [{ from: [prometheus], ports: [tcp(QDRANT.ports.http)] }] : []), ...qdrant.exposure.policyRules],
        },
      ],
    };
  },

  local(config) {
    const q = config.qdrant;
    const qdrant: LocalService = {
      name: 'qdrant',
      image: qdrantImage(q.version, config.images),
      user: `${QDRANT.uid}:${QDRANT.gid}`,
      // Locally a single node without TLS; the read-only key as configured.
      // Qdrant's file as QDRANT__ variables: no file can be mounted into a read-only container (see redis.ts).
      environment: {
        ...qdrantEnvironment({ readOnlyKey: q.readOnlyApiKey !== 'none', tls: false, cluster: false }),
        ...Object.fromEntries(Object.entries(qdrantConfigEnv(qdrantConfigFile(config))).map(([name, v]) => [name, value(v)])),
        ...extraEnvironment(q.pod.extraEnv),
      },
      ports: [
        { name: 'http', container: QDRANT.ports.http, host: QDRANT.ports.http },
        { name: 'grpc', container: QDRANT.ports.grpc, host: QDRANT.ports.grpc },
      ],
      volumes: [
        { name: 'qdrant-storage', path: QDRANT.paths.storage },
        { name: 'qdrant-snapshots', path: QDRANT.paths.snapshots },
      ],
      tmpfs: [QDRANT.paths.tmp],
      files: [],
      healthcheck: { test: ['CMD', 'bash', '-c', devTcpHttpCheck(QDRANT.ports.http, QDRANT.probes.readiness)], intervalSeconds: 10, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 600 },
      dependsOn: [],
      restart: 'unless-stopped',
      resources: qdrantResources(q),
      kubernetes: { kind: usesStatefulSet(config) ? 'StatefulSet' : 'Deployment', name: objectName(usesStatefulSet(config) ? 'StatefulSet' : 'Deployment', instanceName(config.name, 'qdrant')) },
    };
    return managesCollections(config) ? [qdrant, collectionsService(config, qdrant)] : [qdrant];
  },

  plan(config) {
    const q = config.qdrant;
    const snapshots = config.snapshots.enabled && !s3TargetOf(config.snapshots) ? parseBytes(config.snapshots.size)! : 0;
    const workload = usesStatefulSet(config) ? 'StatefulSet' : 'Deployment';
    return {
      rows: [
        resourceRow('qdrant', q.replicas, qdrantResources(q), formatBytes(parseBytes(q.storage.size)! + snapshots), `${workload}${snapshots ? `, storage ${q.storage.size} + snapshots ${config.snapshots.size}` : ''}`),
      ],
      jobs: [
        ...(managesCollections(config) ? [jobRow('qdrant-collections', JOB_RESOURCES.collections, 'after each sync')] : []),
        ...(config.snapshots.enabled ? [jobRow('qdrant-snapshots', JOB_RESOURCES.snapshots, `cron ${config.snapshots.schedule}`)] : []),
      ],
    };
  },
};

/** Day-2 companions of Qdrant: scheduled snapshots and metrics. */
function addOperations({ scope, config, namespace, stackLabels }: KubernetesContext, qdrant: Qdrant): void {
  const baseUrl = (host: string) => `${qdrant.scheme}://${host}.${namespace}.svc:${QDRANT.ports.http}`;
  if (config.snapshots.enabled) {
    new SnapshotSchedule(scope, 'snapshots', {
      name: objectName('CronJob', config.name, 'qdrant-snapshots'),
      partOf: config.name,
      peerUrls: qdrant.peerHosts.map(baseUrl),
      apiKey: qdrant.apiKeySecret,
      schedule: config.snapshots.schedule,
      keep: config.snapshots.keep,
      images: config.images,
      pod: config.jobs.pod,
      tlsSecretName: config.qdrant.tls?.secretName,
      s3: s3TargetOf(config.snapshots) && { level: qdrant.replicas > 1 ? 'shard' : 'collection' },
    });
  }
  if ((config.metrics.serviceMonitor || config.metrics.grafanaDashboard) && qdrant.readOnlyApiKeySecret) {
    new QdrantMetrics(scope, 'metrics', {
      name: qdrant.serviceName,
      namespace,
      labels: stackLabels,
      serviceSelector: qdrant.clientServiceSelector,
      bearerToken: qdrant.readOnlyApiKeySecret,
      scheme: qdrant.scheme,
      tlsSecretName: config.qdrant.tls?.secretName,
      // Prometheus scrapes pod IPs: verify the certificate against the Service's name, a SAN it must carry.
      tlsServerName: config.qdrant.tls ? `${qdrant.serviceName}.${namespace}.svc` : undefined,
      metrics: config.metrics,
    });
  }
}

/** Profile prod: Qdrant outranks ordinary workloads when a node runs short. */
function renderPriorityClass(scope: Construct, config: StackConfig, labels: Readonly<Record<string, string>>): string {
  const name = objectName('PriorityClass', config.name, 'critical');
  const pc = new k8s.KubePriorityClass(scope, 'priority-class', {
    metadata: { name, labels: { ...labels }, annotations: syncWave(SYNC_WAVE.namespace) },
    value: 1_000_000,
    globalDefault: false,
    description: `Qdrant of the ${config.name} stack: evicted after ordinary workloads.`,
  });
  // Cluster-scoped, like the Namespace.
  ApiObject.of(pc).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return name;
}

/** Locally Qdrant is one node: a shard has one copy, whatever a cluster's model asks of copies and acknowledgements. */
function singleNode(c: CollectionConfig): CollectionConfig {
  const { replicationFactor: _copies, writeConsistencyFactor: _acks, ...rest } = c;
  return rest;
}

/**
 * Collections as code locally: a one-shot that runs the Kubernetes Job's reconciler once Qdrant is healthy,
 * on the stock node image. Its root is read-only, which leaves no way to mount a file into it (Compose
 * refuses a `configs` file with inline content in a read-only service, Docker an upload into a read-only
 * root), so the bundle (base64) and the declared collections travel inside the `node -e` program, which
 * writes them into the tmpfs.
 */
function collectionsService(config: StackConfig, qdrant: LocalService): LocalService {
  const { bundle, entry, file } = COLLECTIONS_RUNNER;
  const tmp = '/tmp';
  const declared: DeclaredCollections = { peers: 1, collections: config.qdrant.collections.map(singleNode) };
  const program = bootstrap({ base64: readBundle(bundle).toString('base64') }, `${tmp}/${bundle}.js`, entry, {
    files: { [`${tmp}/${file}`]: JSON.stringify(declared) },
  });
  return {
    name: 'collections',
    image: runnerImage(config.images),
    user: `${RUNNER.uid}:${RUNNER.gid}`,
    entrypoint: ['node', '-e', program],
    environment: {
      QDRANT_URL: value(`http://${qdrant.name}:${QDRANT.ports.http}`),
      // The admin key: the reconciler creates and updates collections.
      QDRANT_API_KEY: secret('QDRANT_API_KEY'),
      [COLLECTIONS_RUNNER.env.file]: value(`${tmp}/${file}`),
      [COLLECTIONS_RUNNER.env.deadline]: value(String(config.smoke.deadlineSeconds)),
      ...extraEnvironment(config.jobs.pod.extraEnv),
    },
    ports: [],
    volumes: [],
    tmpfs: [tmp],
    files: [],
    dependsOn: [{ service: qdrant.name, condition: 'service_healthy' }],
    restart: 'no',
    resources: JOB_RESOURCES.collections,
    kubernetes: { kind: 'Job', name: collectionsJobName(config), fromConnection: ['QDRANT_URL'] },
  };
}
