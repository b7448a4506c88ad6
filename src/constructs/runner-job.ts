import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { QDRANT } from '../components/qdrant';
import { RUNNER, runnerImage } from '../components/runner';
import type { ComputedResources } from '../config/resources';
import { bootstrap, readBundle } from '../jobs/bundles';
import { SYNC_WAVE, syncWave } from './gitops';
import { CLIENT_LABEL, componentLabels } from './labels';
import type { SecretKeyReference } from './qdrant';
import { finishRestrictedPod, restrictedContainerSecurity, restrictedPodSecurity } from './restricted';
import { applyPodPlacement, jobImages, type JobPlacementProps } from './placement';

/** Props of {@link RunnerJob}. */
export interface RunnerJobProps extends JobPlacementProps {
  /** Name of the Job (before its content hash) and of its ConfigMap. */
  readonly name: string;
  readonly partOf: string;
  /** `app.kubernetes.io/name` and `component` of its pod. */
  readonly app: string;
  readonly component: string;
  /** The bundled runner (`lib/<bundle>.js.br`) and the function it exports as the entry. */
  readonly bundle: string;
  readonly entry: string;
  /** Text files beside the runner in the ConfigMap (mounted at /runner). */
  readonly files: Record<string, string>;
  /** Plain environment (paths under /runner for the files). */
  readonly env: Record<string, string>;
  /** Environment from Secret keys. */
  readonly secretEnv: Record<string, SecretKeyReference>;
  /** The connection ConfigMap (QDRANT_URL, OLLAMA_URL, REDIS_URL...), read with `envFrom`. */
  readonly connectionConfigMap: string;
  /** TLS Secret whose ca.crt the runner trusts (NODE_EXTRA_CA_CERTS). @default no TLS */
  readonly tlsSecretName?: string;
  readonly annotations: Record<string, string>;
  /** How long the Job may run before it fails. */
  readonly activeDeadline: Duration;
  readonly backoffLimit: number;
  readonly resources: ComputedResources;
  /** Image with `node` ≥ 22. @default RUNNER.image, behind `images` */
  readonly image?: string;
}

/** Where the ConfigMap is mounted. */
export const RUNNER_MOUNT = '/runner';

/**
 * A Job that runs a bundled runner from a ConfigMap on the stock node image, against the stack's Services:
 * the stack's client label (the NetworkPolicies let it reach the servers), Pod Security "restricted",
 * secrets only through `secretKeyRef`, the CA of Qdrant's TLS when there is one.
 */
export class RunnerJob extends Construct {
  readonly job: kplus.Job;

  constructor(scope: Construct, id: string, props: RunnerJobProps) {
    super(scope, id);
    const labels = {
      ...componentLabels({ app: props.app, instance: props.name, component: props.component, partOf: props.partOf, version: '1' }),
      [CLIENT_LABEL.key]: CLIENT_LABEL.value,
    };
    const bundleKey = `${props.bundle}.js.br`;
    const images = jobImages(this, props);
    const files = new kplus.ConfigMap(this, 'files', {
      metadata: { name: props.name, labels, annotations: syncWave(SYNC_WAVE.config) },
      data: props.files,
      binaryData: { [bundleKey]: readBundle(props.bundle).toString('base64') },
    });
    this.job = new kplus.Job(this, 'job', {
      metadata: { name: props.name, labels, annotations: props.annotations },
      podMetadata: { labels },
      backoffLimit: props.backoffLimit,
      activeDeadline: props.activeDeadline,
      securityContext: restrictedPodSecurity(RUNNER.uid, RUNNER.gid),
      restartPolicy: kplus.RestartPolicy.NEVER,
      automountServiceAccountToken: false,
    });
    const mounted = kplus.Volume.fromConfigMap(this, 'files-volume', files, { name: 'runner' });
    const tmp = kplus.Volume.fromEmptyDir(this, 'tmp', 'tmp');
    const tls = props.tlsSecretName
      ? kplus.Volume.fromSecret(this, 'tls', kplus.Secret.fromSecretName(this, 'tls-secret', props.tlsSecretName), { name: 'tls', items: { [QDRANT.tlsFiles.ca]: { path: QDRANT.tlsFiles.ca } } })
      : undefined;
    const secretEnv = Object.fromEntries(
      Object.entries(props.secretEnv).map(([name, ref]) => [name, kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(this, `secret-${name}`, ref.secretName), key: ref.key })]),
    );
    const container = this.job.addContainer({
      name: props.app,
      image: props.image ?? runnerImage(images),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['node', '-e', bootstrap(`${RUNNER_MOUNT}/${bundleKey}`, `/tmp/${props.bundle}.js`, props.entry)],
      envVariables: {
        ...secretEnv,
        ...Object.fromEntries(Object.entries(props.env).map(([name, value]) => [name, kplus.EnvValue.fromValue(value)])),
        ...(tls ? { NODE_EXTRA_CA_CERTS: kplus.EnvValue.fromValue(`${QDRANT.paths.tls}/${QDRANT.tlsFiles.ca}`) } : {}),
      },
      securityContext: restrictedContainerSecurity(RUNNER.uid, RUNNER.gid),
      volumeMounts: [
        { path: RUNNER_MOUNT, volume: mounted, readOnly: true },
        { path: '/tmp', volume: tmp },
        ...(tls ? [{ path: QDRANT.paths.tls, volume: tls, readOnly: true }] : []),
      ],
    });
    // QDRANT_URL, OLLAMA_URL, REDIS_URL: the same contract the applications use.
    container.env.copyFrom(kplus.Env.fromConfigMap(kplus.ConfigMap.fromConfigMapName(this, 'connection', props.connectionConfigMap)));
    finishRestrictedPod(this.job, '/spec/template/spec', { [props.app]: props.resources });
    applyPodPlacement(this.job, '/spec/template/spec', props.pod, { selector: { 'app.kubernetes.io/name': props.app, 'app.kubernetes.io/part-of': props.partOf } }, images.pullSecrets);
  }
}
