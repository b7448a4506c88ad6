/**
 * The whole stack as one construct, for any cdk8s chart: the CLI's charts hold one, and so can a user's
 * own chart, next to their applications (`stack.connect(myDeployment)`).
 */
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { managesCollections } from '../config/collection';
import { resolveConfig } from '../config/load';
import { createsNamespace } from '../config/namespace';
import type { StackConfig, StackInput } from '../config/schema';
import { ConnectionContract } from '../constructs/connection';
import { CollectionsJob } from '../constructs/collections-job';
import { KEEP_DATA_ANNOTATIONS, SYNC_WAVE, syncWave } from '../constructs/gitops';
import { CLIENT_LABEL, MANAGED_BY } from '../constructs/labels';
import { placeInNamespace } from '../constructs/namespace';
import { StackNetworkPolicies } from '../constructs/network-policies';
import { addStackAlerts } from '../constructs/alerts';
import type { Ollama } from '../constructs/ollama';
import type { Qdrant, SecretKeyReference } from '../constructs/qdrant';
import type { Redis } from '../constructs/redis';
import { SecretGenerator } from '../constructs/secret-generator';
import { SmokeTest } from '../constructs/smoke-job';
import { objectName } from '../naming';
import { smokeJobExpectations, collectionsJobName } from './jobs';
import type { DeployedComponent, StackComponent } from './component';
import { COMPONENTS, enabledComponents } from './components';
import { finishStackObjects, type RunnerScope } from './render';

/** Pod Security Admission: every pod of the stack meets the "restricted" profile. */
export const POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

/** What a stack's Jobs beside the servers do. */
export type StackJobPurpose = 'collections' | 'smoke';

/** Props of {@link QdrantStack}: the stack model, exactly as in stack.yaml (docs/configuration.md), and placement. */
export interface QdrantStackProps extends Omit<StackInput, 'environments'> {
  /**
   * Where the collections and smoke-test Jobs go. The CLI gives each a chart (a file) of its own, so their
   * large runner ConfigMaps stay out of the reviewable manifests.
   * @default this construct
   */
  readonly jobScope?: (purpose: StackJobPurpose) => Construct;
  /**
   * The components, in order; a fourth one is a descriptor added to this list.
   * @default COMPONENTS (Qdrant, Ollama, Redis)
   */
  readonly components?: readonly StackComponent[];
}

/** Options of {@link QdrantStack.connect}. */
export interface ConnectOptions {
  /**
   * Containers that get the environment.
   * @default every container of the workload
   */
  readonly containers?: readonly string[];
  /**
   * Search-only clients: the read-only API key as QDRANT_READ_ONLY_API_KEY, never the admin key.
   * @default false
   */
  readonly readOnly?: boolean;
}

/**
 * Qdrant with Ollama and Redis, their Services, volumes, Secrets (generated in-cluster), NetworkPolicies,
 * the connection contract, and the post-deploy Jobs. Validates its props as the CLI validates stack.yaml
 * (a ConfigError listing every problem). Lives in its chart's namespace unless `namespace` is given; renders
 * the Namespace itself only when `createNamespace` says so (by default: when it names its own namespace).
 */
export class QdrantStack extends Construct {
  /** The validated model, with the namespace resolved. */
  readonly config: StackConfig;
  readonly namespace: string;
  readonly qdrant: Qdrant;
  readonly ollama?: Ollama;
  readonly redis?: Redis;
  /** The ConfigMap applications read with `envFrom` (no secrets in it). */
  readonly connection: ConnectionContract;
  /** Secrets applications read, by env name (`QDRANT_API_KEY`, `REDIS_PASSWORD`, …). */
  readonly secrets: Readonly<Record<string, SecretKeyReference>>;
  /** The collections reconciler Job, when the stack manages collections. */
  readonly collectionsJob?: CollectionsJob;
  /** The post-deploy smoke-test Job, when enabled. */
  readonly smokeTest?: SmokeTest;
  /** Every component as rendered, by key. */
  readonly components: ReadonlyMap<string, DeployedComponent>;
  private generator?: SecretGenerator;

  constructor(scope: Construct, id: string, props: QdrantStackProps = {}) {
    super(scope, id);
    const { jobScope, components = COMPONENTS, ...model } = props;
    const resolved = resolveConfig(model, `${this.node.path} (QdrantStack props)`);
    const chartNamespace = Chart.of(this).namespace;
    this.namespace = resolved.namespace ?? chartNamespace ?? resolved.name;
    this.config = { ...resolved, namespace: this.namespace, createNamespace: createsNamespace(resolved, chartNamespace) };
    const config = this.config;
    const stackLabels = { 'app.kubernetes.io/part-of': config.name, 'app.kubernetes.io/managed-by': MANAGED_BY };

    if (config.createNamespace) this.renderNamespace(stackLabels);
    const deployed = new Map<string, DeployedComponent>();
    for (const component of enabledComponents(config, components)) {
      deployed.set(component.key, component.kubernetes({ scope: this, config, namespace: this.namespace, stackLabels, secretGenerator: () => this.secretGenerator, deployed }));
    }
    this.components = deployed;
    const qdrant = deployed.get('qdrant')?.construct;
    // The rest of the stack (its Jobs, the connection contract, the smoke test) is Qdrant's companions.
    if (!qdrant) throw new Error(`${this.node.path}: the components must include Qdrant (qdrantComponent); got ${[...deployed.keys()].join(', ') || 'none'}`);
    this.qdrant = qdrant as Qdrant;
    this.ollama = deployed.get('ollama')?.construct as Ollama | undefined;
    this.redis = deployed.get('redis')?.construct as Redis | undefined;
    const all = [...deployed.values()];
    this.secrets = Object.assign({}, ...all.map((d) => d.secrets));

    this.connection = new ConnectionContract(this, 'connection', {
      name: objectName('ConfigMap', config.name, 'connection'),
      labels: stackLabels,
      settings: Object.assign({}, ...all.map((d) => d.connection)),
      secrets: this.secrets,
    });

    if (config.alerts.enabled) addStackAlerts(this, stackLabels);
    if (config.networkPolicies.enabled) {
      new StackNetworkPolicies(this, 'network-policies', {
        namePrefix: config.name,
        stackPods: { 'app.kubernetes.io/part-of': config.name },
        servers: all.flatMap((d) => d.servers),
        clientNamespaces: config.networkPolicies.clientNamespaces,
        apiClients: [...(this.generator ? [this.generator.podSelector] : []), ...all.flatMap((d) => d.apiClients ?? [])],
        apiServer: config.networkPolicies.apiServer,
        labels: stackLabels,
      });
    }

    const runners: RunnerScope[] = [];
    const place = (purpose: StackJobPurpose) => {
      // Under the stack, each Job gets a scope of its own: its objects are finished with the stack as context.
      const scope = jobScope?.(purpose) ?? new Construct(this, `${purpose}-job`);
      runners.push({ scope, verifiesStack: purpose === 'smoke' });
      return scope;
    };
    if (managesCollections(config)) {
      this.collectionsJob = new CollectionsJob(place('collections'), 'collections', {
        name: collectionsJobName(config),
        partOf: config.name,
        collections: config.qdrant.collections,
        peers: config.qdrant.replicas,
        connectionConfigMap: this.connection.configMapName,
        qdrantApiKey: this.secrets.QDRANT_API_KEY,
        deadlineSeconds: config.smoke.deadlineSeconds,
        tlsSecretName: config.qdrant.tls?.secretName,
        images: config.images,
        pod: config.jobs.pod,
      });
    }
    if (config.smoke.enabled) {
        this.smokeTest = new SmokeTest(place('smoke'), 'smoke', {
        name: objectName('Job', config.name, 'smoke'),
        partOf: config.name,
        connectionConfigMap: this.connection.configMapName,
        qdrantApiKey: this.secrets.QDRANT_API_KEY,
        redisPassword: this.secrets.REDIS_PASSWORD,
        expectations: smokeJobExpectations(config),
        smoke: config.smoke,
        tlsSecretName: config.qdrant.tls?.secretName,
        images: config.images,
        pod: config.jobs.pod,
      });
    }
    placeInNamespace(this, this.namespace);
    for (const { scope } of runners) if (!scope.node.scopes.includes(this)) placeInNamespace(scope, this.namespace);
    finishStackObjects(this, runners);
  }

  /** The stack's secret generator, created on first use (only keys it generates need one). */
  get secretGenerator(): SecretGenerator {
    this.generator ??= new SecretGenerator(this, 'secret-generator', { namePrefix: this.config.name, partOf: this.config.name, images: this.config.images, pod: this.config.jobs.pod });
    return this.generator;
  }

  /** Whether any key is generated in-cluster. */
  get generatesSecrets(): boolean {
    return this.generator !== undefined;
  }

  /**
   * Gives a workload of the stack's namespace what a client needs, in one call: the client label the
   * NetworkPolicies admit, the connection ConfigMap as env (`envFrom`), and the API key and password as
   * `secretKeyRef`s. Secrets and ConfigMaps reach pods of their own namespace only: a workload elsewhere is
   * refused, with what to do instead.
   */
  connect(workload: kplus.AbstractPod, options: ConnectOptions = {}): void {
    const where = ApiObject.of(workload).metadata.namespace;
    if (where !== this.namespace) {
      throw new Error(
        `connect(${workload.node.path}): the workload is in namespace ${where ? `'${where}'` : '(none)'}, the stack in '${this.namespace}'; ` +
          'a Secret or ConfigMap reaches pods of its own namespace only. Place the workload in the stack\'s namespace, or copy the Secrets there, ' +
          `label its pods ${CLIENT_LABEL.key}: "${CLIENT_LABEL.value}" and list its namespace in networkPolicies.clientNamespaces.`,
      );
    }
    const podMetadata = workload instanceof kplus.Workload ? workload.podMetadata : workload.metadata;
    podMetadata.addLabel(CLIENT_LABEL.key, CLIENT_LABEL.value);
    const names = options.containers ?? workload.containers.map((c) => c.name);
    const secrets = Object.entries(this.secrets).filter(([env]) => !(options.readOnly && env === 'QDRANT_API_KEY'));
    if (options.readOnly && !this.secrets.QDRANT_READ_ONLY_API_KEY) throw new Error(`connect(${workload.node.path}): readOnly needs a read-only API key (qdrant.readOnlyApiKey is "none")`);
    for (const name of names) {
      const container = workload.containers.find((c) => c.name === name);
      if (!container) throw new Error(`connect(${workload.node.path}): no container named '${name}' (containers: ${workload.containers.map((c) => c.name).join(', ')})`);
      container.env.copyFrom(kplus.Env.fromConfigMap(this.connection.configMap));
      for (const [env, ref] of secrets) {
        const id = `${this.node.id}-${env}`;
        const secret = (workload.node.tryFindChild(id) as kplus.ISecret | undefined) ?? kplus.Secret.fromSecretName(workload, id, ref.secretName);
        container.env.addVariable(env, kplus.EnvValue.fromSecretValue({ secret, key: ref.key }));
      }
    }
  }

  private renderNamespace(stackLabels: Record<string, string>): void {
    const ns = new k8s.KubeNamespace(this, 'namespace', {
      metadata: { name: this.namespace, labels: { ...POD_SECURITY_LABELS, ...stackLabels }, annotations: { ...syncWave(SYNC_WAVE.namespace), ...KEEP_DATA_ANNOTATIONS } },
    });
    // A chart puts its namespace on every object; a Namespace itself is cluster-scoped.
    ApiObject.of(ns).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
}
