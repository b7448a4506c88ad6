import { ApiObject, Chart, ChartProps, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { OLLAMA } from '../components/ollama';
import { QDRANT } from '../components/qdrant';
import { REDIS } from '../components/redis';
import { embeddingCollectionIndex, modelDimensions, ollamaModels } from '../config/embedding';
import { ollamaResources, qdrantResources, redisResources } from '../config/resources';
import type { StackConfig } from '../config/schema';
import { ConnectionContract, ConnectionSettings } from '../constructs/connection';
import { SYNC_WAVE, syncWave } from '../constructs/gitops';
import { MANAGED_BY } from '../constructs/labels';
import { ANYWHERE, ProtectedServer, StackNetworkPolicies } from '../constructs/network-policies';
import { Ollama } from '../constructs/ollama';
import { Qdrant } from '../constructs/qdrant';
import { Redis } from '../constructs/redis';
import { SecretGenerator } from '../constructs/secret-generator';

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
        metadata: { name: namespace, labels: { ...POD_SECURITY_LABELS, ...stackLabels }, annotations: syncWave(SYNC_WAVE.namespace) },
      });
      // The chart puts its namespace on every object; a Namespace itself is cluster-scoped.
      ApiObject.of(ns).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }

    const q = config.qdrant;
    this.qdrant = new Qdrant(this, 'qdrant', {
      name: `${config.name}-qdrant`,
      partOf: config.name,
      version: q.version,
      storageSize: q.storage.size,
      storageClass: q.storage.storageClass,
      resources: qdrantResources(q),
      apiKey: q.apiKey,
    });

    const o = config.ollama;
    if (o.enabled) {
      this.ollama = new Ollama(this, 'ollama', {
        name: `${config.name}-ollama`,
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
        name: `${config.name}-redis`,
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
      name: `${config.name}-connection`,
      labels: stackLabels,
      settings: this.connectionSettings(config, namespace),
      qdrantApiKey: this.qdrant.apiKeySecret,
      redisPassword: this.redis?.passwordSecret,
    });

    if (config.networkPolicies.enabled) this.addNetworkPolicies(config, stackLabels);
  }

  private connectionSettings(config: StackConfig, namespace: string): ConnectionSettings {
    const host = (service: string) => `${service}.${namespace}.svc`;
    const index = embeddingCollectionIndex(config) ?? (config.qdrant.collections.length ? 0 : undefined);
    const collection = index === undefined ? undefined : config.qdrant.collections[index];
    const dimensions = this.ollama ? modelDimensions(config) : undefined;
    return {
      QDRANT_URL: `http://${host(this.qdrant.serviceName)}:${QDRANT.ports.http}`,
      QDRANT_GRPC_URL: `http://${host(this.qdrant.serviceName)}:${QDRANT.ports.grpc}`,
      QDRANT_COLLECTION: collection?.name,
      QDRANT_DISTANCE: collection?.distance,
      OLLAMA_URL: this.ollama && `http://${host(this.ollama.serviceName)}:${OLLAMA.port}`,
      EMBEDDING_MODEL: this.ollama && config.ollama.embeddingModel,
      EMBEDDING_DIMENSIONS: dimensions === undefined ? undefined : String(dimensions),
      REDIS_URL: this.redis && `redis://${host(this.redis.primaryHost)}:${REDIS.port}`,
    };
  }

  private addNetworkPolicies(config: StackConfig, stackLabels: Record<string, string>): void {
    const servers: ProtectedServer[] = [{ name: this.qdrant.serviceName, podSelector: this.qdrant.podSelector, ports: [QDRANT.ports.http, QDRANT.ports.grpc] }];
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
      labels: stackLabels,
    });
  }
}
