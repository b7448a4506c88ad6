import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DEFAULT_EMBEDDING_MODEL } from '../components/embeddings';
import { OLLAMA, ollamaEnvironment, ollamaImage } from '../components/ollama';
import { kubernetesEnv } from './env';
import { ComputedResources, OLLAMA_DEFAULT_RESOURCES } from '../config/resources';
import { componentLabels, selectorLabels } from './labels';
import { objectName } from '../naming';
import { ModelPuller } from './model-puller';
import { clusterService, httpProbe, persistentVolume, singlePodDeployment, startupTiming } from './parts';
import { finishRestrictedPod, restrictedContainerSecurity } from './restricted';

/** Props of {@link Ollama}. */
export interface OllamaProps {
  /**
   * Base name of every object.
   * @default the construct id
   */
  readonly name?: string;
  /**
   * Name of the stack this belongs to (`app.kubernetes.io/part-of`).
   * @default the name
   */
  readonly partOf?: string;
  /**
   * Ollama release (image tag).
   * @default OLLAMA.version
   */
  readonly version?: string;
  /**
   * Models to pull after each deploy, by a Job (never a postStart hook). Empty: pull nothing.
   * @default [DEFAULT_EMBEDDING_MODEL] (mxbai-embed-large)
   */
  readonly models?: string[];
  /**
   * Pull the models with a Job. When false the models must already be on the volume.
   * @default true
   */
  readonly pullModels?: boolean;
  /**
   * Size of the model volume.
   * @default '20Gi'
   */
  readonly storageSize?: string;
  /**
   * StorageClass of the model volume.
   * @default the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * NVIDIA GPUs per pod: sets the `nvidia.com/gpu` limit and tolerates GPU node taints.
   * @default 0
   */
  readonly gpus?: number;
  /**
   * RuntimeClass of the pod, e.g. `nvidia` where the GPU operator installs one (GKE and AKS-managed GPU
   * pools have none: their device plugin needs no RuntimeClass).
   * @default none
   */
  readonly runtimeClassName?: string;
  /**
   * How long a model stays loaded after its last request (OLLAMA_KEEP_ALIVE).
   * @default '30m'
   */
  readonly keepAlive?: string;
  /**
   * Parallel requests per loaded model (OLLAMA_NUM_PARALLEL).
   * @default 4
   */
  readonly numParallel?: number;
  /**
   * CPU and memory requests and limits.
   * @default OLLAMA_DEFAULT_RESOURCES (1/4 CPU, 2Gi/6Gi memory)
   */
  readonly resources?: ComputedResources;
}

/** The model volume can be large; Ollama listens within seconds, but give a slow node room. */
const STARTUP_SECONDS = 300;

/**
 * Ollama for embeddings: Deployment (Recreate, RWO model volume), Service on 11434, non-root with HOME
 * and OLLAMA_MODELS on writable volumes, optional GPUs, and a Job that pulls the models.
 */
export class Ollama extends Construct {
  readonly serviceName: string;
  readonly port: number = OLLAMA.port;
  /** Labels that select the Ollama pods. */
  readonly podSelector: Record<string, string>;
  /** The model-pull Job, when models are pulled. */
  readonly modelPuller?: ModelPuller;
  readonly deployment: kplus.Deployment;

  constructor(scope: Construct, id: string, props: OllamaProps = {}) {
    super(scope, id);
    const name = props.name ?? id;
    const version = props.version ?? OLLAMA.version;
    const gpus = props.gpus ?? 0;
    if (!Number.isInteger(gpus) || gpus < 0) throw new Error(`'gpus' (${gpus}) must be a whole number, 0 or more`);
    const partOf = props.partOf ?? name;
    this.serviceName = objectName('Service', name);
    this.podSelector = selectorLabels({ app: 'ollama', instance: name });
    const labels = componentLabels({ app: 'ollama', instance: name, component: 'embeddings', partOf, version });

    const models = persistentVolume(this, 'models', 'models', { name: objectName('PersistentVolumeClaim', name, 'models'), size: props.storageSize ?? '20Gi', storageClass: props.storageClass, labels });
    const home = kplus.Volume.fromEmptyDir(this, 'home-volume', 'home');
    const tmp = kplus.Volume.fromEmptyDir(this, 'tmp-volume', 'tmp');
    this.deployment = singlePodDeployment(this, 'deployment', {
      name: objectName('Deployment', name),
      labels,
      selector: this.podSelector,
      uid: OLLAMA.uid,
      gid: OLLAMA.gid,
      startupSeconds: STARTUP_SECONDS,
    });
    this.deployment.addContainer({
      name: 'ollama',
      image: ollamaImage(version),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [{ name: 'http', number: OLLAMA.port }],
      envVariables: kubernetesEnv(this, ollamaEnvironment({ keepAlive: props.keepAlive ?? '30m', numParallel: props.numParallel ?? 4 }), {}),
      startup: httpProbe(OLLAMA.probes.startup, OLLAMA.port, startupTiming(STARTUP_SECONDS)),
      liveness: httpProbe(OLLAMA.probes.liveness, OLLAMA.port, { periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 5 }),
      readiness: httpProbe(OLLAMA.probes.readiness, OLLAMA.port, { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 3 }),
      securityContext: restrictedContainerSecurity(OLLAMA.uid, OLLAMA.gid),
      volumeMounts: [
        { path: OLLAMA.paths.models, volume: models },
        { path: OLLAMA.paths.home, volume: home },
        { path: OLLAMA.paths.tmp, volume: tmp },
      ],
    });
    finishRestrictedPod(this.deployment, '/spec/template/spec', [props.resources ?? OLLAMA_DEFAULT_RESOURCES]);
    if (gpus > 0) this.requestGpus(gpus);
    if (props.runtimeClassName) ApiObject.of(this.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/runtimeClassName', props.runtimeClassName));

    clusterService(this, 'service', { name: this.serviceName, labels, selector: this.podSelector, ports: [{ name: 'http', port: OLLAMA.port, appProtocol: 'http' }] });

    const pulled = props.models ?? [DEFAULT_EMBEDDING_MODEL];
    if ((props.pullModels ?? true) && pulled.length > 0) {
      this.modelPuller = new ModelPuller(this, 'pull', {
        name: objectName('Job', name, 'pull-models'),
        partOf,
        image: ollamaImage(version),
        ollamaUrl: `http://${this.serviceName}:${OLLAMA.port}`,
        models: pulled,
        deadline: Duration.hours(1),
      });
    }
  }

  /** GPU limit and toleration of the usual GPU taint (container 0 is Ollama). */
  private requestGpus(gpus: number): void {
    const obj = ApiObject.of(this.deployment);
    // A Quantity, not a number: plain values in a JSON patch are dropped by the generated converters.
    obj.addJsonPatch(JsonPatch.add(`/spec/template/spec/containers/0/resources/limits/${OLLAMA.gpuResource.replace('/', '~1')}`, k8s.Quantity.fromNumber(gpus)));
    obj.addJsonPatch(JsonPatch.add('/spec/template/spec/tolerations', [{ key: OLLAMA.gpuResource, operator: 'Exists', effect: 'NoSchedule' }]));
  }
}
