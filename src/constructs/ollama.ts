import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { z } from 'zod';
import { ollamaModels } from '../config/embedding';
import { parseProps } from '../config/props';
import { ollamaSchema, type OllamaConfig } from '../config/schema';
import { patchContainer } from './escape-hatches';
import { namespaceOf, placeInNamespace, serviceHost } from './namespace';
import { OLLAMA, ollamaEnvironment, ollamaImage } from '../components/ollama';
import { kubernetesEnv } from './env';
import { ollamaResources } from '../config/resources';
import { componentLabels, selectorLabels } from './labels';
import { objectName } from '../naming';
import { ModelPuller } from './model-puller';
import { applyPodPlacement } from './placement';
import { imagesSchema, jobsSchema, type ImagesInput } from '../config/placement';
import { Exposure } from './exposure';
import { clusterService, httpProbe, persistentVolume, singlePodDeployment, startupTiming, chartGivenName } from './parts';
import { finishRestrictedPod, restrictedContainerSecurity } from './restricted';

/** The `ollama` section of the stack model (without `enabled`): the same keys, defaults and rules. */
export type OllamaModel = Omit<z.input<typeof ollamaSchema>, 'enabled'>;

/** Props of {@link Ollama}: the model's `ollama` section, and what places it. */
export interface OllamaProps extends OllamaModel {
  /**
   * Base name of every object.
   * @default a name from the chart's naming scheme (`Chart.generateObjectName`)
   */
  readonly name?: string;
  /**
   * Name of the stack this belongs to (`app.kubernetes.io/part-of`).
   * @default the name
   */
  readonly partOf?: string;
  /**
   * Namespace of its objects (and of its URL).
   * @default the chart's
   */
  readonly namespace?: string;
  /** The model's `images` section: registry, pull Secrets, digests. @default Docker Hub, no pull Secrets */
  readonly images?: ImagesInput;
  /** The model's `jobs` section: placement of the model-pull Job. */
  readonly jobs?: z.input<typeof jobsSchema>;
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
  /** Its Ingress and route (`expose`), external URL and NetworkPolicy rules. */
  readonly exposure: Exposure;

  /** API URL for clients: `http://<service>.<namespace>.svc:11434`. */
  readonly url: string;
  /** The validated model section this renders. */
  readonly model: OllamaConfig;

  constructor(scope: Construct, id: string, props: OllamaProps = {}) {
    super(scope, id);
    const { name: givenName, partOf: givenPartOf, namespace: givenNamespace, images: imagesInput, jobs: jobsInput, ...model } = props;
    const images = parseProps(imagesSchema, imagesInput, `${this.node.path} (Ollama props: images)`);
    const jobs = parseProps(jobsSchema, jobsInput, `${this.node.path} (Ollama props: jobs)`);
    const o = parseProps(ollamaSchema, model, `${this.node.path} (Ollama props)`);
    this.model = o;
    const name = givenName ?? chartGivenName(this);
    const version = o.version;
    const partOf = givenPartOf ?? name;
    this.serviceName = objectName('Service', name);
    const namespace = namespaceOf(this, givenNamespace);
    this.url = `http://${serviceHost(this.serviceName, namespace)}:${OLLAMA.port}`;
    this.podSelector = selectorLabels({ app: 'ollama', instance: name });
    const labels = componentLabels({ app: 'ollama', instance: name, component: 'embeddings', partOf, version });

    const models = persistentVolume(this, 'models', 'models', { name: objectName('PersistentVolumeClaim', name, 'models'), size: o.storage.size, storageClass: o.storage.storageClass, labels });
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
      image: ollamaImage(version, images),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [{ name: 'http', number: OLLAMA.port }],
      envVariables: kubernetesEnv(this, ollamaEnvironment({ keepAlive: o.keepAlive, numParallel: o.numParallel }), {}),
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
    finishRestrictedPod(this.deployment, '/spec/template/spec', { ollama: ollamaResources(o) });
    if (o.gpus > 0) this.requestGpus(o.gpus);
    // The usual GPU taint is tolerated with GPUs; the user's tolerations come on top.
    const gpuToleration = { key: OLLAMA.gpuResource, operator: 'Exists' as const, effect: 'NoSchedule' as const };
    applyPodPlacement(this.deployment, '/spec/template/spec', o.pod, { selector: this.podSelector, tolerations: o.gpus > 0 ? [gpuToleration] : [] }, images.pullSecrets);
    if (o.runtimeClassName) ApiObject.of(this.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/runtimeClassName', o.runtimeClassName));

    clusterService(this, 'service', { name: this.serviceName, labels, selector: this.podSelector, ports: [{ name: 'http', port: OLLAMA.port, appProtocol: 'http' }], exposure: o.expose.service });
    this.exposure = new Exposure(this, 'expose', { name: this.serviceName, labels, expose: o.expose, serviceName: this.serviceName, httpPort: OLLAMA.port, servicePorts: [OLLAMA.port], namespace });

    const pulled = ollamaModels({ ollama: o });
    if (o.pullModels && pulled.length > 0) {
      this.modelPuller = new ModelPuller(this, 'pull', {
        name: objectName('Job', name, 'pull-models'),
        partOf,
        image: ollamaImage(version, images),
        ollamaUrl: `http://${this.serviceName}:${OLLAMA.port}`,
        models: pulled,
        deadline: Duration.hours(1),
        pod: jobs.pod,
        pullSecrets: images.pullSecrets,
      });
    }
    if (givenNamespace) placeInNamespace(this, givenNamespace);
  }

  /** GPU limit (the toleration of the usual GPU taint goes with the pod's placement). */
  private requestGpus(gpus: number): void {
    // A Quantity, not a number: plain values in a JSON patch are dropped by the generated converters.
    patchContainer(this.deployment, '/spec/template/spec', 'ollama', `resources/limits/${OLLAMA.gpuResource.replace('/', '~1')}`, k8s.Quantity.fromNumber(gpus));
  }
}
