import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { QDRANT, qdrantEnvironment, qdrantImage } from '../components/qdrant';
import { kubernetesEnv } from './env';
import { ComputedResources, QDRANT_DEFAULT_RESOURCES } from '../config/resources';
import { componentLabels, selectorLabels } from './labels';
import { clusterService, httpProbe, persistentVolume, singlePodDeployment, startupTiming } from './parts';
import { finishRestrictedPod, restrictedContainerSecurity } from './restricted';
import { SecretGenerator } from './secret-generator';

/** A key inside an existing Secret. */
export interface SecretKeyReference {
  readonly secretName: string;
  readonly key: string;
}

/** Props of {@link Qdrant}. */
export interface QdrantProps {
  /**
   * Base name of every object (Deployment, Service, PVC, Secret).
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
   * Size of the storage volume, a Kubernetes quantity.
   * @default '10Gi'
   */
  readonly storageSize?: string;
  /**
   * StorageClass of the storage volume.
   * @default the cluster's default StorageClass
   */
  readonly storageClass?: string;
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
   * How long a starting Qdrant may take to load its collections before it is restarted.
   * The REST server only listens once every collection is loaded.
   * @default Duration.minutes(10)
   */
  readonly startupBudget?: Duration;
}

/** Below this a large collection load would be killed in a loop (qdrant-helm #78, #81). */
const MIN_STARTUP_BUDGET_SECONDS = 300;

/**
 * A single-node Qdrant: Deployment (Recreate, RWO volume), PVC, Service and API key Secret, hardened
 * to the Pod Security "restricted" profile.
 */
export class Qdrant extends Construct {
  /** Name of the Service (and of the Deployment). */
  readonly serviceName: string;
  /** REST port, named `http` on the Service. */
  readonly httpPort: number = QDRANT.ports.http;
  /** gRPC port, named `grpc` on the Service. */
  readonly grpcPort: number = QDRANT.ports.grpc;
  /** The Secret key that holds the admin API key. */
  readonly apiKeySecret: SecretKeyReference;
  /** Name of the storage PersistentVolumeClaim. */
  readonly storageClaimName: string;
  /** Labels that select the Qdrant pods (for Services and NetworkPolicies). */
  readonly podSelector: Record<string, string>;
  /** The Deployment. */
  readonly deployment: kplus.Deployment;
  /** The Service. */
  readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: QdrantProps = {}) {
    super(scope, id);
    const name = props.name ?? id;
    const version = props.version ?? QDRANT.version;
    const resources = props.resources ?? QDRANT_DEFAULT_RESOURCES;
    const startupSeconds = (props.startupBudget ?? Duration.minutes(10)).toSeconds();
    if (startupSeconds < MIN_STARTUP_BUDGET_SECONDS) {
      throw new Error(`'startupBudget' (${startupSeconds}s) must be at least ${MIN_STARTUP_BUDGET_SECONDS}s: a node loading large collections must not be restarted in a loop`);
    }
    this.serviceName = name;
    this.storageClaimName = `${name}-storage`;
    this.podSelector = selectorLabels({ app: 'qdrant', instance: name });
    const labels = componentLabels({ app: 'qdrant', instance: name, component: 'vector-database', partOf: props.partOf ?? name, version });

    const apiKey = props.apiKey ?? 'generate';
    this.apiKeySecret =
      apiKey === 'generate'
        ? SecretGenerator.of(this, { namePrefix: props.partOf ?? name, partOf: props.partOf ?? name }).addKey(`${name}-api-key`, 'api-key')
        : apiKey;

    const storage = persistentVolume(this, 'storage', 'storage', { name: this.storageClaimName, size: props.storageSize ?? '10Gi', storageClass: props.storageClass, labels });
    this.deployment = singlePodDeployment(this, 'deployment', { name, labels, selector: this.podSelector, uid: QDRANT.uid, gid: QDRANT.gid });
    const snapshots = kplus.Volume.fromEmptyDir(this, 'snapshots-volume', 'snapshots');
    const tmp = kplus.Volume.fromEmptyDir(this, 'tmp-volume', 'tmp');
    const timing = (periodSeconds: number, failureThreshold: number, timeoutSeconds: number) => ({ periodSeconds, failureThreshold, timeoutSeconds });

    this.deployment.addContainer({
      name: 'qdrant',
      image: qdrantImage(version),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [
        { name: 'http', number: QDRANT.ports.http },
        { name: 'grpc', number: QDRANT.ports.grpc },
      ],
      envVariables: kubernetesEnv(this, qdrantEnvironment(), { QDRANT_API_KEY: this.apiKeySecret }),
      startup: httpProbe(QDRANT.probes.startup, QDRANT.ports.http, startupTiming(startupSeconds)),
      liveness: httpProbe(QDRANT.probes.liveness, QDRANT.ports.http, timing(10, 6, 5)),
      readiness: httpProbe(QDRANT.probes.readiness, QDRANT.ports.http, timing(5, 3, 3)),
      securityContext: restrictedContainerSecurity(QDRANT.uid, QDRANT.gid),
      volumeMounts: [
        { path: QDRANT.paths.storage, volume: storage },
        { path: QDRANT.paths.snapshots, volume: snapshots },
        { path: QDRANT.paths.tmp, volume: tmp },
      ],
    });
    finishRestrictedPod(this.deployment, '/spec/template/spec', [resources]);

    this.service = clusterService(this, 'service', {
      name,
      labels,
      selector: this.podSelector,
      ports: [
        { name: 'http', port: QDRANT.ports.http },
        { name: 'grpc', port: QDRANT.ports.grpc, appProtocol: 'grpc' },
      ],
    });
  }
}
