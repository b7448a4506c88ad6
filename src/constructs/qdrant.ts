import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { QDRANT, qdrantEnvironment, qdrantImage } from '../components/qdrant';
import { ComputedResources, QDRANT_DEFAULT_RESOURCES } from '../config/resources';
import { kubernetesEnv } from './env';
import { componentLabels, immutableLabels, selectorLabels } from './labels';
import { objectName } from '../naming';
import { clusterService, httpProbe, persistentVolume, singlePodDeployment, startupTiming } from './parts';
import { peerStartScript } from './qdrant-peers';
import { finishRestrictedPod, restrictedContainerSecurity, restrictedPodSecurity } from './restricted';
import { SecretGenerator } from './secret-generator';
import { SYNC_WAVE, syncWave } from './gitops';

/** A key inside an existing Secret. */
export interface SecretKeyReference {
  readonly secretName: string;
  readonly key: string;
}

/** Props of {@link Qdrant}. */
export interface QdrantProps {
  /**
   * Base name of every object (workload, Services, volumes, Secrets).
   * @default the construct id
   */
  readonly name?: string;
  /**
   * Name of the stack this belongs to (`app.kubernetes.io/part-of`).
   * @default the name
   */
  readonly partOf?: string;
  /**
   * Qdrant release; the `-unprivileged` image of it is used.
   * @default QDRANT.version (1.19.0)
   */
  readonly version?: string;
  /**
   * Peers. More than one runs Qdrant's distributed mode on a StatefulSet.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Workload of a single node; peers always run on a StatefulSet.
   * @default 'deployment'
   */
  readonly workload?: 'deployment' | 'statefulset';
  /**
   * Size of the storage volume (per peer), a Kubernetes quantity.
   * @default '10Gi'
   */
  readonly storageSize?: string;
  /**
   * StorageClass of the storage volume.
   * @default the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * StatefulSet: keep the peers' volumes when the StatefulSet is deleted or scaled down.
   * @default true
   */
  readonly retainOnDelete?: boolean;
  /**
   * CPU and memory requests and limits, as exact quantities.
   * @default QDRANT_DEFAULT_RESOURCES (500m/2 CPU, 1Gi/2Gi memory)
   */
  readonly resources?: ComputedResources;
  /**
   * Admin API key: `'generate'` fills a Secret in-cluster once; otherwise a key of an existing Secret.
   * @default 'generate'
   */
  readonly apiKey?: 'generate' | SecretKeyReference;
  /**
   * Read-only API key beside the admin key, or `'none'`.
   * @default 'generate'
   */
  readonly readOnlyApiKey?: 'generate' | 'none' | SecretKeyReference;
  /**
   * Existing TLS Secret (tls.crt, tls.key, ca.crt): TLS on REST, gRPC and p2p, HTTPS probes.
   * @default no TLS
   */
  readonly tlsSecretName?: string;
  /**
   * PriorityClass of the pods.
   * @default none
   */
  readonly priorityClassName?: string;
  /**
   * A persistent volume for /qdrant/snapshots (per peer).
   * @default an emptyDir
   */
  readonly snapshotsVolume?: { readonly size: string; readonly storageClass?: string };
  /**
   * Single node: snapshots to restore at start-up (`--snapshot PATH:COLLECTION`).
   * @default none
   */
  readonly restoreSnapshots?: readonly { readonly collection: string; readonly path: string }[];
  /**
   * How long a starting Qdrant may take to load its collections before it is restarted.
   * The REST server only listens once every collection is loaded.
   * @default Duration.minutes(10)
   */
  readonly startupBudget?: Duration;
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

  constructor(scope: Construct, id: string, props: QdrantProps = {}) {
    super(scope, id);
    const name = props.name ?? id;
    const partOf = props.partOf ?? name;
    const version = props.version ?? QDRANT.version;
    this.replicas = props.replicas ?? 1;
    const statefulSet = this.replicas > 1 || props.workload === 'statefulset';
    if (this.replicas > 1 && props.workload === 'deployment') throw new Error(`'workload' (deployment) must be 'statefulset' with ${this.replicas} replicas`);
    const startupSeconds = (props.startupBudget ?? Duration.minutes(10)).toSeconds();
    if (startupSeconds < MIN_STARTUP_BUDGET_SECONDS) {
      throw new Error(`'startupBudget' (${startupSeconds}s) must be at least ${MIN_STARTUP_BUDGET_SECONDS}s: a node loading large collections must not be restarted in a loop`);
    }
    if (props.restoreSnapshots?.length && statefulSet) throw new Error("'restoreSnapshots' works on a single node only; restore a cluster through the snapshot recovery API");
    const tls = props.tlsSecretName !== undefined;
    this.scheme = tls ? 'https' : 'http';
    this.serviceName = objectName('Service', name);
    this.podSelector = selectorLabels({ app: 'qdrant', instance: name });
    const labels = componentLabels({ app: 'qdrant', instance: name, component: 'vector-database', partOf, version });

    const generator = () => SecretGenerator.of(this, { namePrefix: partOf, partOf });
    const apiKey = props.apiKey ?? 'generate';
    this.apiKeySecret = apiKey === 'generate' ? generator().addKey(objectName('Secret', name, 'api-key'), 'api-key') : apiKey;
    const readOnly = props.readOnlyApiKey ?? 'generate';
    if (readOnly !== 'none') this.readOnlyApiKeySecret = readOnly === 'generate' ? generator().addKey(objectName('Secret', name, 'read-only-api-key'), 'api-key') : readOnly;

    const ports = [
      { name: 'http', port: QDRANT.ports.http },
      { name: 'grpc', port: QDRANT.ports.grpc, appProtocol: 'grpc' },
    ];
    this.clientServiceSelector = { ...this.podSelector, 'qdrant-stack/endpoint': 'client' };
    this.service = clusterService(this, 'service', { name: this.serviceName, labels: { ...labels, 'qdrant-stack/endpoint': 'client' }, selector: this.podSelector, ports });

    const snapshotsClaim = props.snapshotsVolume;
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
      storage = persistentVolume(this, 'storage', 'storage', { name: this.storageClaimName, size: props.storageSize ?? '10Gi', storageClass: props.storageClass, labels });
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
    const tlsVolume = tls ? kplus.Volume.fromSecret(this, 'tls-volume', kplus.Secret.fromSecretName(this, 'tls-secret', props.tlsSecretName!), { name: 'tls' }) : undefined;
    const timing = (periodSeconds: number, failureThreshold: number, timeoutSeconds: number) => ({ periodSeconds, failureThreshold, timeoutSeconds });
    const restore = (props.restoreSnapshots ?? []).flatMap((r) => ['--snapshot', `${r.path}:${r.collection}`]);

    this.workload.addContainer({
      name: 'qdrant',
      image: qdrantImage(version),
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
      envVariables: kubernetesEnv(this, qdrantEnvironment({ readOnlyKey: !!this.readOnlyApiKeySecret, tls, cluster: statefulSet }), {
        QDRANT_API_KEY: this.apiKeySecret,
        QDRANT_READ_ONLY_API_KEY: this.readOnlyApiKeySecret,
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
      ],
    });
    finishRestrictedPod(this.workload, '/spec/template/spec', [props.resources ?? QDRANT_DEFAULT_RESOURCES]);
    const obj = ApiObject.of(this.workload);
    if (props.priorityClassName) obj.addJsonPatch(JsonPatch.add('/spec/template/spec/priorityClassName', props.priorityClassName));
    if (statefulSet) this.finishStatefulSet(obj, labels, props);
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

  /** What cdk8s-plus-27 cannot say about a StatefulSet: claim templates, their retention, spread, PDB. */
  private finishStatefulSet(obj: ApiObject, labels: Record<string, string>, props: QdrantProps): void {
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
    const templates = [claim('storage', props.storageSize ?? '10Gi', props.storageClass)];
    if (props.snapshotsVolume) templates.push(claim('snapshots', props.snapshotsVolume.size, props.snapshotsVolume.storageClass));
    obj.addJsonPatch(JsonPatch.add('/spec/volumeClaimTemplates', templates));
    const policy = props.retainOnDelete ?? true ? 'Retain' : 'Delete';
    obj.addJsonPatch(JsonPatch.add('/spec/persistentVolumeClaimRetentionPolicy', { whenDeleted: policy, whenScaled: policy }));
    // Claim-template volumes are mounted by name; the mounts go after the ones cdk8s-plus rendered.
    obj.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', { name: 'storage', mountPath: QDRANT.paths.storage }));
    if (props.snapshotsVolume) obj.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', { name: 'snapshots', mountPath: QDRANT.paths.snapshots }));
    if (this.replicas < 2) return;
    // Peers on one node fall together and take the Raft quorum with them: spreading over nodes is required
    // (with as many nodes as peers, one peer each); over zones it is preferred (not every cluster has zones).
    obj.addJsonPatch(
      JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: this.podSelector } },
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: this.podSelector } },
      ]),
    );
    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: objectName('PodDisruptionBudget', this.workload.name), labels, annotations: syncWave(SYNC_WAVE.config) },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.podSelector } },
    });
  }
}
