import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { QDRANT, qdrantEnvironment, qdrantImage } from '../components/qdrant';
import { qdrantConfigFile, qdrantConfigYaml } from '../components/qdrant-config';
import type { z } from 'zod';
import { usesStatefulSet } from '../config/cluster';
import { parseProps } from '../config/props';
import { qdrantResources } from '../config/resources';
import { qdrantSchema, snapshotsSchema, type QdrantConfig } from '../config/schema';
import { patchContainer } from './escape-hatches';
import { namespaceOf, placeInNamespace, serviceHost } from './namespace';
import { kubernetesEnv } from './env';
import { componentLabels, immutableLabels, selectorLabels } from './labels';
import { objectName } from '../naming';
import { clusterService, httpProbe, persistentVolume, singlePodDeployment, startupTiming, chartGivenName } from './parts';
import { peerStartScript } from './qdrant-peers';
import { finishRestrictedPod, restrictedContainerSecurity, restrictedPodSecurity } from './restricted';
import { SecretGenerator } from './secret-generator';
import { SYNC_WAVE, syncWave } from './gitops';
import { applyPodPlacement } from './placement';
import { imagesSchema, type ImagesInput } from '../config/placement';
import { Exposure } from './exposure';
import { s3SnapshotEnvironment, s3SnapshotSecrets, s3TargetOf } from '../snapshots/qdrant-env';

/** A key inside an existing Secret. */
export interface SecretKeyReference {
  readonly secretName: string;
  readonly key: string;
}

/** The `qdrant` section of the stack model: the same keys, defaults and rules (docs/configuration.md#qdrant). */
export type QdrantModel = z.input<typeof qdrantSchema>;

/** Props of {@link Qdrant}: the model's `qdrant` section, and what places it. */
export interface QdrantProps extends QdrantModel {
  /**
   * Base name of every object (workload, Services, volumes, Secrets).
   * @default a name from the chart's naming scheme (`Chart.generateObjectName`)
   */
  readonly name?: string;
  /**
   * Name of the stack this belongs to (`app.kubernetes.io/part-of`).
   * @default the name
   */
  readonly partOf?: string;
  /**
   * Namespace of its objects (and of its URLs).
   * @default the chart's
   */
  readonly namespace?: string;
  /** The model's `snapshots` section: a snapshots volume per peer and start-up restore. */
  readonly snapshots?: z.input<typeof snapshotsSchema>;
  /**
   * How long a starting Qdrant may take to load its collections before it is restarted.
   * The REST server only listens once every collection is loaded.
   * @default Duration.minutes(10)
   */
  readonly startupBudget?: Duration;
  /**
   * Where generated keys come from (a stack shares one generator).
   * @default a generator of its own, beside it
   */
  readonly secretGenerator?: () => SecretGenerator;
  /** The model's `images` section: registry, pull Secrets, digests. @default Docker Hub, no pull Secrets */
  readonly images?: ImagesInput;
}

/** Below this a large collection load would be killed in a loop (qdrant-helm #78, #81). */
const MIN_STARTUP_BUDGET_SECONDS = 300;

/**
 * Qdrant, hardened to the Pod Security "restricted" profile: a single node on a Deployment (Recreate,
 * RWO volume), or peers in distributed mode on a StatefulSet (headless Service, one volume per peer,
 * Parallel start, PodDisruptionBudget, spread over nodes). Client Service, API key Secrets, optional TLS.
 */
export class Qdrant extends Construct {
  /** Name of the client Service. */
  readonly serviceName: string;
  /** Name of the headless Service that gives each peer a DNS name (StatefulSet only). */
  readonly headlessServiceName?: string;
  /** REST port, named `http` on the Service. */
  readonly httpPort: number = QDRANT.ports.http;
  /** gRPC port, named `grpc` on the Service. */
  readonly grpcPort: number = QDRANT.ports.grpc;
  /** Peer-to-peer port (distributed mode). */
  readonly p2pPort: number = QDRANT.ports.p2p;
  /** `https` with TLS, else `http`. */
  readonly scheme: 'http' | 'https';
  readonly replicas: number;
  /** The Secret key that holds the admin API key. */
  readonly apiKeySecret: SecretKeyReference;
  /** The Secret key that holds the read-only API key, when there is one. */
  readonly readOnlyApiKeySecret?: SecretKeyReference;
  /** Name of the storage PersistentVolumeClaim (Deployment only; a StatefulSet has one per peer). */
  readonly storageClaimName?: string;
  /** Labels that select the Qdrant pods (for Services and NetworkPolicies). */
  readonly podSelector: Record<string, string>;
  /** Labels that select the client Service alone (not the headless one), e.g. for a ServiceMonitor. */
  readonly clientServiceSelector: Record<string, string>;
  /** Host names of the peers (one for a Deployment: the Service), for per-peer operations such as snapshots. */
  readonly peerHosts: string[];
  /** The workload. */
  readonly workload: kplus.Deployment | kplus.StatefulSet;
  /** The client Service. */
  readonly service: kplus.Service;
  /** Its Ingress and routes (`expose`), external URLs and NetworkPolicy rules. */
  readonly exposure: Exposure;

  /** REST URL for clients: `<scheme>://<service>.<namespace>.svc:6333`. */
  readonly url: string;
  /** gRPC URL for clients (port 6334). */
  readonly grpcUrl: string;
  /** The validated model section this renders. */
  readonly model: QdrantConfig;

  constructor(scope: Construct, id: string, props: QdrantProps = {}) {
    super(scope, id);
    const { name: givenName, partOf: givenPartOf, namespace: givenNamespace, snapshots: snapshotsInput, startupBudget, secretGenerator, images: imagesInput, ...model } = props;
    const images = parseProps(imagesSchema, imagesInput, `${this.node.path} (Qdrant props: images)`);
    const q = parseProps(qdrantSchema, model, `${this.node.path} (Qdrant props)`);
    const snapshotsModel = parseProps(snapshotsSchema, snapshotsInput, `${this.node.path} (Qdrant props: snapshots)`);
    this.model = q;
    const name = givenName ?? chartGivenName(this);
    const partOf = givenPartOf ?? name;
    const namespace = namespaceOf(this, givenNamespace);
    this.replicas = q.replicas;
    const statefulSet = usesStatefulSet({ qdrant: q });
    if (this.replicas > 1 && q.workload === 'deployment') throw new Error(`'workload' (deployment) must be 'statefulset' with ${this.replicas} replicas`);
    const startupSeconds = (startupBudget ?? Duration.minutes(10)).toSeconds();
    if (startupSeconds < MIN_STARTUP_BUDGET_SECONDS) {
      throw new Error(`'startupBudget' (${startupSeconds}s) must be at least ${MIN_STARTUP_BUDGET_SECONDS}s: a node loading large collections must not be restarted in a loop`);
    }
    const restoreSnapshots = snapshotsModel.restore;
    if (restoreSnapshots.length && statefulSet) throw new Error("'snapshots.restore' works on a single node only; restore a cluster through the snapshot recovery API");
    // Target s3: snapshots go to the bucket, /qdrant/snapshots stays an emptyDir (Qdrant keeps only directories there).
    const s3 = s3TargetOf(snapshotsModel);
    const snapshotsVolume = snapshotsModel.enabled && !s3 ? { size: snapshotsModel.size, storageClass: snapshotsModel.storageClass } : undefined;
    const tlsSecretName = q.tls?.secretName;
    const tls = tlsSecretName !== undefined;
    this.scheme = tls ? 'https' : 'http';
    this.serviceName = objectName('Service', name);
    this.url = `${this.scheme}://${serviceHost(this.serviceName, namespace)}:${QDRANT.ports.http}`;
    this.grpcUrl = `${this.scheme}://${serviceHost(this.serviceName, namespace)}:${QDRANT.ports.grpc}`;
    this.podSelector = selectorLabels({ app: 'qdrant', instance: name });
    const labels = componentLabels({ app: 'qdrant', instance: name, component: 'vector-database', partOf, version: q.version });

    const generator = secretGenerator ?? (() => SecretGenerator.of(this, { namePrefix: partOf, partOf }));
    const apiKey = q.apiKey;
    this.apiKeySecret = apiKey === 'generate' ? generator().addKey(objectName('Secret', name, 'api-key'), 'api-key') : apiKey;
    const readOnly = q.readOnlyApiKey;
    if (readOnly !== 'none') this.readOnlyApiKeySecret = readOnly === 'generate' ? generator().addKey(objectName('Secret', name, 'read-only-api-key'), 'api-key') : readOnly;

    const ports = [
      { name: 'http', port: QDRANT.ports.http },
      { name: 'grpc', port: QDRANT.ports.grpc, appProtocol: 'grpc' },
    ];
    this.clientServiceSelector = { ...this.podSelector, 'qdrant-stack/endpoint': 'client' };
    this.service = clusterService(this, 'service', { name: this.serviceName, labels: { ...labels, 'qdrant-stack/endpoint': 'client' }, selector: this.podSelector, ports, exposure: q.expose.service });
    this.exposure = new Exposure(this, 'expose', {
      name: this.serviceName,
      labels,
      expose: q.expose,
      serviceName: this.serviceName,
      httpPort: QDRANT.ports.http,
      grpcPort: QDRANT.ports.grpc,
      servicePorts: ports.map((p) => p.port),
      namespace,
    });

    const snapshotsClaim = snapshotsVolume;
    let storage: kplus.Volume | undefined;
    let snapshots: kplus.Volume | undefined;
    if (statefulSet) {
      this.headlessServiceName = objectName('Service', name, 'headless');
      const headless = clusterService(this, 'headless', {
        name: this.headlessServiceName,
        labels: { ...labels, 'qdrant-stack/endpoint': 'peers' },
        selector: this.podSelector,
        ports: [...ports, { name: 'p2p', port: QDRANT.ports.p2p, appProtocol: 'grpc' }],
        headless: true,
      });
      const statefulSetName = objectName('StatefulSet', name);
      this.workload = new kplus.StatefulSet(this, 'statefulset', {
        metadata: { name: statefulSetName, labels, annotations: syncWave(SYNC_WAVE.workloads) },
        podMetadata: { labels },
        service: headless,
        replicas: this.replicas,
        // OrderedReady deadlocks a multi-node start: peer 0 is not ready until the others have joined.
        podManagementPolicy: kplus.PodManagementPolicy.PARALLEL,
        select: false,
        securityContext: restrictedPodSecurity(QDRANT.uid, QDRANT.gid),
        automountServiceAccountToken: false,
      });
      this.workload.select(kplus.LabelSelector.of({ labels: this.podSelector }));
      this.peerHosts = Array.from({ length: this.replicas }, (_, i) => `${statefulSetName}-${i}.${this.headlessServiceName}`);
    } else {
      this.storageClaimName = objectName('PersistentVolumeClaim', name, 'storage');
      storage = persistentVolume(this, 'storage', 'storage', { name: this.storageClaimName, size: q.storage.size, storageClass: q.storage.storageClass, labels });
      if (snapshotsClaim) snapshots = persistentVolume(this, 'snapshots', 'snapshots', { name: objectName('PersistentVolumeClaim', name, 'snapshots'), size: snapshotsClaim.size, storageClass: snapshotsClaim.storageClass, labels });
      this.workload = singlePodDeployment(this, 'deployment', {
        name: objectName('Deployment', name),
        labels,
        selector: this.podSelector,
        uid: QDRANT.uid,
        gid: QDRANT.gid,
        startupSeconds,
      });
      this.peerHosts = [this.serviceName];
    }
    snapshots ??= statefulSet && snapshotsClaim ? undefined : kplus.Volume.fromEmptyDir(this, 'snapshots-volume', 'snapshots');
    const tmp = kplus.Volume.fromEmptyDir(this, 'tmp-volume', 'tmp');
    // Qdrant's own settings: the one file mounted alone (subPath), so the image's config.yaml beside it stays;
    // checksum/config (src/charts/finalize.ts) rolls the pods when it changes.
    const configFile = qdrantConfigFile({ qdrant: q, snapshots: snapshotsModel });
    const configMap = configFile
      ? new kplus.ConfigMap(this, 'config', {
          metadata: { name: objectName('ConfigMap', name, 'config'), labels, annotations: syncWave(SYNC_WAVE.config) },
          data: { 'production.yaml': qdrantConfigYaml(configFile) },
        })
      : undefined;
    const configVolume = configMap ? kplus.Volume.fromConfigMap(this, 'config-volume', configMap, { name: 'config' }) : undefined;
    const tlsVolume = tls ? kplus.Volume.fromSecret(this, 'tls-volume', kplus.Secret.fromSecretName(this, 'tls-secret', tlsSecretName!), { name: 'tls' }) : undefined;
    const timing = (periodSeconds: number, failureThreshold: number, timeoutSeconds: number) => ({ periodSeconds, failureThreshold, timeoutSeconds });
    const restore = restoreSnapshots.flatMap((r) => ['--snapshot', `${r.path}:${r.collection}`]);

    this.workload.addContainer({
      name: 'qdrant',
      image: qdrantImage(q.version, images),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ...(statefulSet
        ? { command: ['/bin/bash', '-c', peerStartScript({ statefulSet: this.workload.name, headlessService: this.headlessServiceName!, scheme: this.scheme })] }
        : restore.length
          ? { command: ['./entrypoint.sh', ...restore] }
          : {}),
      ports: [
        { name: 'http', number: QDRANT.ports.http },
        { name: 'grpc', number: QDRANT.ports.grpc },
        ...(statefulSet ? [{ name: 'p2p', number: QDRANT.ports.p2p }] : []),
      ],
      envVariables: kubernetesEnv(this, { ...qdrantEnvironment({ readOnlyKey: !!this.readOnlyApiKeySecret, tls, cluster: statefulSet }), ...(s3 ? s3SnapshotEnvironment(s3) : {}) }, {
        QDRANT_API_KEY: this.apiKeySecret,
        QDRANT_READ_ONLY_API_KEY: this.readOnlyApiKeySecret,
        ...(s3 ? s3SnapshotSecrets(s3) : {}),
      }),
      startup: httpProbe(QDRANT.probes.startup, QDRANT.ports.http, startupTiming(startupSeconds), tls),
      liveness: httpProbe(QDRANT.probes.liveness, QDRANT.ports.http, timing(10, 6, 5), tls),
      readiness: httpProbe(QDRANT.probes.readiness, QDRANT.ports.http, timing(5, 3, 3), tls),
      securityContext: restrictedContainerSecurity(QDRANT.uid, QDRANT.gid),
      volumeMounts: [
        ...(storage ? [{ path: QDRANT.paths.storage, volume: storage }] : []),
        ...(snapshots ? [{ path: QDRANT.paths.snapshots, volume: snapshots }] : []),
        { path: QDRANT.paths.tmp, volume: tmp },
        ...(tlsVolume ? [{ path: QDRANT.paths.tls, volume: tlsVolume, readOnly: true }] : []),
        ...(configVolume ? [{ path: QDRANT.paths.config, volume: configVolume, subPath: 'production.yaml', readOnly: true }] : []),
      ],
    });
    finishRestrictedPod(this.workload, '/spec/template/spec', { qdrant: qdrantResources(q) });
    const obj = ApiObject.of(this.workload);
    if (statefulSet) this.finishStatefulSet(obj, labels, q, snapshotsVolume);
    // Peers on one node fall together and take the Raft quorum with them: spreading over nodes is required
    // (with as many nodes as peers, one peer each); over zones it is preferred (not every cluster has zones).
    const spread = (topologyKey: string, whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway') => ({ maxSkew: 1, topologyKey, whenUnsatisfiable, labelSelector: { matchLabels: this.podSelector } });
    applyPodPlacement(this.workload, '/spec/template/spec', q.pod, {
      selector: this.podSelector,
      topologySpread: statefulSet && this.replicas > 1 ? [spread('kubernetes.io/hostname', 'DoNotSchedule'), spread('topology.kubernetes.io/zone', 'ScheduleAnyway')] : [],
      priorityClassName: q.priorityClassName,
    }, images.pullSecrets);
    if (givenNamespace) placeInNamespace(this, givenNamespace);
  }

  /**
   * The DNS names Qdrant's certificate must carry (its SANs) for every client of the stack: the client
   * Service in each form applications and the ServiceMonitor use, and in distributed mode every peer, as
   * the peers (`<pod>.<headless>`) and the snapshot CronJob (`<pod>.<headless>.<namespace>.svc`) call them.
   */
  certificateDnsNames(namespace: string): string[] {
    const forms = (host: string) => [host, `${host}.${namespace}`, `${host}.${namespace}.svc`, `${host}.${namespace}.svc.cluster.local`];
    return [...forms(this.serviceName), ...(this.headlessServiceName ? forms(this.headlessServiceName).map((h) => `*.${h}`) : [])];
  }

  /** What cdk8s-plus-27 cannot say about a StatefulSet: claim templates, their retention, PDB (spread: applyPodPlacement). */
  private finishStatefulSet(obj: ApiObject, labels: Record<string, string>, q: QdrantConfig, snapshotsVolume?: { size: string; storageClass?: string }): void {
    // Claim templates are immutable: their labels must not carry anything an upgrade changes (the version).
    const claim = (volumeName: string, size: string, storageClass?: string) => ({
      metadata: { name: volumeName, labels: immutableLabels(labels) },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: storageClass,
        // A Quantity: plain strings in a JSON patch are dropped by the generated converters.
        resources: { requests: { storage: k8s.Quantity.fromString(size) } },
      },
    });
    const templates = [claim('storage', q.storage.size, q.storage.storageClass)];
    if (snapshotsVolume) templates.push(claim('snapshots', snapshotsVolume.size, snapshotsVolume.storageClass));
    obj.addJsonPatch(JsonPatch.add('/spec/volumeClaimTemplates', templates));
    const policy = q.storage.retainOnDelete ? 'Retain' : 'Delete';
    obj.addJsonPatch(JsonPatch.add('/spec/persistentVolumeClaimRetentionPolicy', { whenDeleted: policy, whenScaled: policy }));
    // Claim-template volumes are mounted by name; the mounts go after the ones cdk8s-plus rendered.
    patchContainer(this.workload, '/spec/template/spec', 'qdrant', 'volumeMounts/-', { name: 'storage', mountPath: QDRANT.paths.storage });
    if (snapshotsVolume) patchContainer(this.workload, '/spec/template/spec', 'qdrant', 'volumeMounts/-', { name: 'snapshots', mountPath: QDRANT.paths.snapshots });
    if (this.replicas < 2) return;
    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: objectName('PodDisruptionBudget', this.workload.name), labels, annotations: syncWave(SYNC_WAVE.config) },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.podSelector } },
    });
  }
}
