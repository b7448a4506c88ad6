import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { JOB_RESOURCES } from '../config/resources';
import { OLLAMA, OLLAMA_PULL_SCRIPT, ollamaPullEnvironment } from '../components/ollama';
import { kubernetesEnv } from './env';
import { CLIENT_LABEL, componentLabels } from './labels';
import { postDeployHookAnnotations } from './gitops';
import { finishRestrictedPod, restrictedContainerSecurity, restrictedPodSecurity } from './restricted';
import { applyPodPlacement } from './placement';
import type { PodPlacementInput } from '../config/placement';
import { imageTag } from '../components/images';

/** Props of {@link ModelPuller}. */
export interface ModelPullerProps {
  /** Name of the Job. */
  readonly name: string;
  /** Value of `app.kubernetes.io/part-of`. */
  readonly partOf: string;
  /** The Ollama image; its CLI is the client that pulls (with progress in the Job's log). */
  readonly image: string;
  /** URL of the Ollama server, e.g. `http://ollama:11434`. */
  readonly ollamaUrl: string;
  /** Models to pull, in order. */
  readonly models: string[];
  /**
   * Time allowed for the whole pull before the Job fails.
   * @default Duration.hours(1)
   */
  readonly deadline?: Duration;
  /** Placement and extra env of its pod (the model's `jobs.pod`). */
  readonly pod?: PodPlacementInput;
  /** imagePullSecrets of its pod. */
  readonly pullSecrets?: readonly string[];
}

/**
 * Pulls models into a running Ollama with a Job (not a postStart hook: a failed pull there kills the
 * container, hides its logs and re-pulls on every upgrade). Runs after each sync (Argo CD PostSync).
 */
export class ModelPuller extends Construct {
  readonly job: kplus.Job;

  constructor(scope: Construct, id: string, props: ModelPullerProps) {
    super(scope, id);
    if (props.models.length === 0) throw new Error("'models' must name at least one model to pull");
    const labels = { ...componentLabels({ app: 'ollama-pull', instance: props.name, component: 'embeddings', partOf: props.partOf, version: imageTag(props.image) ?? 'unknown' }), [CLIENT_LABEL.key]: CLIENT_LABEL.value };
    this.job = new kplus.Job(this, 'job', {
      metadata: { name: props.name, labels, annotations: postDeployHookAnnotations(0, true) },
      podMetadata: { labels },
      backoffLimit: 3,
      activeDeadline: props.deadline ?? Duration.hours(1),
      securityContext: restrictedPodSecurity(OLLAMA.uid, OLLAMA.gid),
      restartPolicy: kplus.RestartPolicy.NEVER,
      automountServiceAccountToken: false,
    });
    const home = kplus.Volume.fromEmptyDir(this, 'home', 'home');
    this.job.addContainer({
      name: 'pull',
      image: props.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['/bin/sh', '-c', OLLAMA_PULL_SCRIPT],
      envVariables: kubernetesEnv(this, ollamaPullEnvironment(props.ollamaUrl, props.models), {}),
      securityContext: restrictedContainerSecurity(OLLAMA.uid, OLLAMA.gid),
      volumeMounts: [{ path: OLLAMA.paths.home, volume: home }],
    });
    finishRestrictedPod(this.job, '/spec/template/spec', { pull: JOB_RESOURCES.modelPull });
    applyPodPlacement(this.job, '/spec/template/spec', props.pod, { selector: { 'app.kubernetes.io/name': 'ollama-pull', 'app.kubernetes.io/part-of': props.partOf } }, props.pullSecrets);
  }
}
