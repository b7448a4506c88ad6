import { ApiObject, Chart, ChartProps, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { OLLAMA } from '../components/ollama';
import { QDRANT } from '../components/qdrant';
import { REDIS } from '../components/redis';
import { embeddingCollectionIndex, modelDimensions, ollamaModels } from '../config/embedding';
import { embeddingVectorOf } from '../config/vectors';
import { ollamaResources, qdrantResources, redisResources } from '../config/resources';
import type { StackConfig } from '../config/schema';
import { ConnectionContract, ConnectionSettings } from '../constructs/connection';
import { KEEP_DATA_ANNOTATIONS, SYNC_WAVE, syncWave } from '../constructs/gitops';
import { MANAGED_BY } from '../constructs/labels';
import { ANYWHERE, ProtectedServer, StackNetworkPolicies } from '../constructs/network-policies';
import { Ollama } from '../constructs/ollama';
import { Qdrant } from '../constructs/qdrant';
import { QdrantMetrics } from '../constructs/metrics';
import { Redis } from '../constructs/redis';
import { SnapshotSchedule } from '../constructs/snapshot-schedule';
import { SecretGenerator } from '../constructs/secret-generator';
import { instanceName, objectName } from '../naming';
import { finalizeObjects } from './finalize';

/** Props of {@link StackChart}. */
export interface StackChartProps extends Omit<ChartProps, 'namespace'> {
  /** The validated stack model (see `resolveConfig`). */
  readonly config: StackConfig;
}

/** Pod Security Admission: every pod of the stack meets the "restricted" profile. */
export const POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

/** Namespace of a stack: given, or the stack name. */
export function stackNamespace(config: StackConfig): string {
  return config.namespace ?? config.name;
}

/**
 * The whole stack as one chart. Resource names are `<stack>-<component>[-<part>]`, never hashed, so GitOps
 * diffs stay readable; the same config always renders the same bytes.
 */
export class StackChart extends Chart {
  readonly qdrant: Qdrant;
  readonly ollama?: Ollama;
  readonly redis?: Redis;
  readonly connection: ConnectionContract;

  constructor(scope: Construct, id: string, props: StackChartProps) {
    const { config } = props;
    const namespace = stackNamespace(config);
    super(scope, id, { ...props, namespace, disableResourceNameHashes: true });
    const stackLabels = { 'app.kubernetes.io/part-of': config.name, 'app.kubernetes.io/managed-by': MANAGED_BY };

    if (config.createNamespace) {
      const ns = new k8s.KubeNamespace(this, 'namespace', {
        metadata: { name: namespace, labels: { ...POD_SECURITY_LABELS, ...stackLabels }, annotations: { ...syncWave(SYNC_WAVE.namespace), ...KEEP_DATA_ANNOTATIONS } },
      });
      // The chart puts its namespace on every object; a Namespace itself is cluster-scoped.
      ApiObject.of(ns).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }

    const q = config.qdrant;
    const priorityClassName = q.priorityClassName ?? (config.profile === 'prod' ? this.renderPriorityClass(config, stackLabels) : undefined);
    this.qdrant = new Qdrant(this, 'qdrant', {
      name: instanceName(config.name, 'qdrant'),
      partOf: config.name,
      version: q.version,
      replicas: q.replicas,
      workload: q.workload,
      storageSize: q.storage.size,
      storageClass: q.storage.storageClass,
      retainOnDelete: q.storage.retainOnDelete,
      resources: qdrantResources(q),
      apiKey: q.apiKey,
      readOnlyApiKey: q.readOnlyApiKey,
      tlsSecretName: q.tls?.secretName,
      priorityClassName,
      snapshotsVolume: config.snapshots.enabled ? { size: config.snapshots.size, storageClass: config.snapshots.storageClass } : undefined,
      restoreSnapshots: config.snapshots.restore,
    });
    this.addQdrantOperations(config, namespace, stackLabels);

    const o = config.ollama;
    if (o.enabled) {
      this.ollama = new Ollama(this, 'ollama', {
        name: instanceName(config.name, 'ollama'),
        partOf: config.name,
        version: o.version,
        models: ollamaModels(config),
        pullModels: o.pullModels,
        storageSize: o.storage.size,
        storageClass: o.storage.storageClass,
        gpus: o.gpus,
        runtimeClassName: o.runtimeClassName,
        keepAlive: o.keepAlive,
        numParallel: o.numParallel,
        resources: ollamaResources(o),
      });
    }

    const r = config.redis;
    if (r.enabled) {
      this.redis = new Redis(this, 'redis', {
        name: instanceName(config.name, 'redis'),
        partOf: config.name,
        version: r.version,
        maxMemory: r.maxMemory,
        maxMemoryPolicy: r.maxMemoryPolicy,
        persistence: r.persistence,
        storageSize: r.storage.size,
        storageClass: r.storage.storageClass,
        password: r.password,
        resources: redisResources(r),
      });
    }

    this.connection = new ConnectionContract(this, 'connection', {
      name: objectName('ConfigMap', config.name, 'connection'),
      labels: stackLabels,
      settings: this.connectionSettings(config, namespace),
      qdrantApiKey: this.qdrant.apiKeySecret,
      qdrantReadOnlyApiKey: this.qdrant.readOnlyApiKeySecret,
      redisPassword: this.redis?.passwordSecret,
    });

    if (config.networkPolicies.enabled) this.addNetworkPolicies(config, stackLabels);
  }

  /**
   * Every object, finished over the rendered output (config checksums on pods, Jobs named by content).
   * Rendered once: the runner charts read it too (the ConfigMaps their Jobs use, the render the smoke test
   * verifies); each caller gets its own copy.
   */
  override toJson(): any[] {
    this.rendered ??= finalizeObjects(super.toJson());
    return structuredClone(this.rendered);
  }

  private rendered?: any[];

  private connectionSettings(config: StackConfig, namespace: string): ConnectionSettings {
    const host = (service: string) => `${service}.${namespace}.svc`;
    const index = embeddingCollectionIndex(config) ?? (config.qdrant.collections.length ? 0 : undefined);
    const collection = index === undefined ? undefined : config.qdrant.collections[index];
    const dimensions = this.ollama ? modelDimensions(config) : undefined;
    return {
      QDRANT_URL: `${this.qdrant.scheme}://${host(this.qdrant.serviceName)}:${QDRANT.ports.http}`,
      QDRANT_GRPC_URL: `${this.qdrant.scheme}://${host(this.qdrant.serviceName)}:${QDRANT.ports.grpc}`,
      QDRANT_COLLECTION: collection?.name,
      QDRANT_DISTANCE: collection && embeddingVectorOf(collection)?.distance,
      OLLAMA_URL: this.ollama && `http://${host(this.ollama.serviceName)}:${OLLAMA.port}`,
      EMBEDDING_MODEL: this.ollama && config.ollama.embeddingModel,
      EMBEDDING_DIMENSIONS: dimensions === undefined ? undefined : String(dimensions),
      REDIS_URL: this.redis && `redis://${host(this.redis.primaryHost)}:${REDIS.port}`,
    };
  }

  /** Day-2 companions of Qdrant: scheduled snapshots and metrics. */
  private addQdrantOperations(config: StackConfig, namespace: string, stackLabels: Record<string, string>): void {
    const qdrant = this.qdrant;
    const baseUrl = (host: string) => `${qdrant.scheme}://${host}.${namespace}.svc:${QDRANT.ports.http}`;
    if (config.snapshots.enabled) {
      new SnapshotSchedule(this, 'snapshots', {
        name: objectName('CronJob', config.name, 'qdrant-snapshots'),
        partOf: config.name,
        peerUrls: qdrant.peerHosts.map(baseUrl),
        apiKey: qdrant.apiKeySecret,
        schedule: config.snapshots.schedule,
        keep: config.snapshots.keep,
        tlsSecretName: config.qdrant.tls?.secretName,
      });
    }
    if ((config.metrics.serviceMonitor || config.metrics.grafanaDashboard) && qdrant.readOnlyApiKeySecret) {
      new QdrantMetrics(this, 'metrics', {
        name: qdrant.serviceName,
        namespace,
        labels: stackLabels,
        serviceSelector: qdrant.clientServiceSelector,
        bearerToken: qdrant.readOnlyApiKeySecret,
        scheme: qdrant.scheme,
        tlsSecretName: config.qdrant.tls?.secretName,
        // Prometheus scrapes pod IPs: verify the certificate against the Service's name, a SAN it must carry.
        tlsServerName: config.qdrant.tls ? `${qdrant.serviceName}.${namespace}.svc` : undefined,
        serviceMonitorLabels: config.metrics.serviceMonitorLabels,
        serviceMonitor: config.metrics.serviceMonitor,
        grafanaDashboard: config.metrics.grafanaDashboard,
      });
    }
  }

  /** Profile prod: Qdrant outranks ordinary workloads when a node runs short. */
  private renderPriorityClass(config: StackConfig, labels: Record<string, string>): string {
    const name = objectName('PriorityClass', config.name, 'critical');
    const pc = new k8s.KubePriorityClass(this, 'priority-class', {
      metadata: { name, labels, annotations: syncWave(SYNC_WAVE.namespace) },
      value: 1_000_000,
      globalDefault: false,
      description: `Qdrant of the ${config.name} stack: evicted after ordinary workloads.`,
    });
    // Cluster-scoped, like the Namespace.
    ApiObject.of(pc).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    return name;
  }

  private addNetworkPolicies(config: StackConfig, stackLabels: Record<string, string>): void {
    const prometheus = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': config.metrics.prometheusNamespace } } };
    const servers: ProtectedServer[] = [
      {
        name: this.qdrant.serviceName,
        podSelector: this.qdrant.podSelector,
        ports: [QDRANT.ports.http, QDRANT.ports.grpc],
        // Peers replicate and route through 6335, and only to each other.
        peerPorts: this.qdrant.replicas > 1 ? [QDRANT.ports.p2p] : undefined,
        ingress: config.metrics.serviceMonitor ? [{ from: [prometheus], ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(QDRANT.ports.http) }] }] : undefined,
      },
    ];
    if (this.ollama) {
      servers.push({
        name: this.ollama.serviceName,
        podSelector: this.ollama.podSelector,
        ports: [OLLAMA.port],
        // The server itself downloads the models; without pulling it needs no internet at all.
        egress: this.ollama.modelPuller ? [{ to: ANYWHERE, ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(443) }] }] : undefined,
      });
    }
    if (this.redis) servers.push({ name: this.redis.primaryHost, podSelector: this.redis.podSelector, ports: [REDIS.port] });
    const generator = this.node.tryFindChild('secret-generator') as SecretGenerator | undefined;
    new StackNetworkPolicies(this, 'network-policies', {
      namePrefix: config.name,
      stackPods: { 'app.kubernetes.io/part-of': config.name },
      servers,
      clientNamespaces: config.networkPolicies.clientNamespaces,
      apiClients: generator ? [generator.podSelector] : [],
      apiServer: config.networkPolicies.apiServer,
      labels: stackLabels,
    });
  }
}
