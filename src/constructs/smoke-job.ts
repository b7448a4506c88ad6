import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { QDRANT } from '../components/qdrant';
import { RUNNER } from '../components/runner';
import { JOB_RESOURCES } from '../config/resources';
import { readSmokeBundle, smokeBootstrap } from '../smoke/bundle';
import type { SmokeExpectations } from '../smoke/options';
import { postDeployHookAnnotations, SYNC_WAVE, syncWave } from './gitops';
import { CLIENT_LABEL, componentLabels } from './labels';
import type { SecretKeyReference } from './qdrant';
import { finishRestrictedPod, restrictedContainerSecurity, restrictedPodSecurity } from './restricted';

/** Props of {@link SmokeTest}. */
export interface SmokeTestProps {
  /** Name of the Job and its ConfigMap. */
  readonly name: string;
  /** Value of `app.kubernetes.io/part-of`. */
  readonly partOf: string;
  /** The connection ConfigMap (QDRANT_URL, OLLAMA_URL, REDIS_URL...), read with `envFrom`. */
  readonly connectionConfigMap: string;
  readonly qdrantApiKey: SecretKeyReference;
  /**
   * The Redis password, when Redis is part of the stack.
   * @default no Redis check
   */
  readonly redisPassword?: SecretKeyReference;
  /**
   * What the runner expects (each collection with the model's declaration of it and the peer count, the
   * Qdrant version, Ollama's embedding model and dimension, the collections Job to wait for):
   * `smokeJobExpectations` of the stack model, rendered as expectations.json.
   */
  readonly expectations: SmokeExpectations;
  /**
   * How the Job is triggered.
   * @default 'argocd' (PostSync hook, BeforeHookCreation)
   */
  readonly hook?: 'argocd' | 'helm-test';
  /**
   * Vectors seeded into the temporary collection.
   * @default 10000
   */
  readonly vectors?: number;
  /**
   * Timed queries.
   * @default 200
   */
  readonly queries?: number;
  /**
   * Budget for the server-side p95 query time, in ms.
   * @default 50
   */
  readonly maxP95Ms?: number;
  /**
   * How long to wait for Qdrant to answer and be ready, in seconds.
   * @default 600
   */
  readonly deadlineSeconds?: number;
  /**
   * TLS Secret whose ca.crt the runner trusts (NODE_EXTRA_CA_CERTS), when Qdrant serves HTTPS.
   * @default no TLS
   */
  readonly tlsSecretName?: string;
  /**
   * Image with `node` ≥ 22.
   * @default RUNNER.image (node:22-alpine)
   */
  readonly image?: string;
}

const BUNDLE_KEY = 'smoke-runner.js.br';
const EXPECTATIONS_KEY = 'expectations.json';
const MOUNT = '/smoke';

/** Annotations that make the Job a post-deploy test. */
export function smokeHookAnnotations(hook: 'argocd' | 'helm-test'): Record<string, string> {
  if (hook === 'helm-test') return { 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'before-hook-creation' };
  // After the model pull (wave 0 of PostSync): the RAG round needs the embedding model.
  return postDeployHookAnnotations(1);
}

/**
 * The post-deploy smoke test inside the cluster: the same checks as `qdrant-stack smoke`, run by the
 * bundled runner from a ConfigMap on a stock node image, against the stack's Services.
 */
export class SmokeTest extends Construct {
  readonly job: kplus.Job;

  constructor(scope: Construct, id: string, props: SmokeTestProps) {
    super(scope, id);
    const deadlineSeconds = props.deadlineSeconds ?? 600;
    const labels = {
      ...componentLabels({ app: 'smoke-test', instance: props.name, component: 'verification', partOf: props.partOf, version: '1' }),
      [CLIENT_LABEL.key]: CLIENT_LABEL.value,
    };
    const files = new kplus.ConfigMap(this, 'files', {
      metadata: { name: props.name, labels, annotations: syncWave(SYNC_WAVE.config) },
      // Only what the runner checks against, not the model: the runner has no zod or YAML to validate one.
      data: { [EXPECTATIONS_KEY]: `${JSON.stringify(props.expectations, null, 2)}\n` },
      binaryData: { [BUNDLE_KEY]: readSmokeBundle().toString('base64') },
    });

    this.job = new kplus.Job(this, 'job', {
      metadata: { name: props.name, labels, annotations: smokeHookAnnotations(props.hook ?? 'argocd') },
      podMetadata: { labels },
      // A failed verdict is a result, not a flake: one retry for a node loss at most.
      backoffLimit: 1,
      activeDeadline: Duration.seconds(deadlineSeconds + 600),
      securityContext: restrictedPodSecurity(RUNNER.uid, RUNNER.gid),
      restartPolicy: kplus.RestartPolicy.NEVER,
      automountServiceAccountToken: false,
    });
    const mounted = kplus.Volume.fromConfigMap(this, 'files-volume', files, { name: 'smoke' });
    const tmp = kplus.Volume.fromEmptyDir(this, 'tmp', 'tmp');
    const tls = props.tlsSecretName
      ? kplus.Volume.fromSecret(this, 'tls', kplus.Secret.fromSecretName(this, 'tls-secret', props.tlsSecretName), { name: 'tls', items: { [QDRANT.tlsFiles.ca]: { path: QDRANT.tlsFiles.ca } } })
      : undefined;
    const secretEnv = (id: string, ref: SecretKeyReference) =>
      kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(this, id, ref.secretName), key: ref.key });
    const container = this.job.addContainer({
      name: 'smoke',
      image: props.image ?? RUNNER.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['node', '-e', smokeBootstrap(`${MOUNT}/${BUNDLE_KEY}`, '/tmp/smoke-runner.js')],
      envVariables: {
        QDRANT_API_KEY: secretEnv('api-key', props.qdrantApiKey),
        ...(props.redisPassword ? { REDIS_PASSWORD: secretEnv('redis-password', props.redisPassword) } : {}),
        SMOKE_EXPECTATIONS: kplus.EnvValue.fromValue(`${MOUNT}/${EXPECTATIONS_KEY}`),
        SMOKE_VECTORS: kplus.EnvValue.fromValue(String(props.vectors ?? 10_000)),
        SMOKE_QUERIES: kplus.EnvValue.fromValue(String(props.queries ?? 200)),
        SMOKE_MAX_P95_MS: kplus.EnvValue.fromValue(String(props.maxP95Ms ?? 50)),
        SMOKE_DEADLINE_S: kplus.EnvValue.fromValue(String(deadlineSeconds)),
        ...(tls ? { NODE_EXTRA_CA_CERTS: kplus.EnvValue.fromValue(`${QDRANT.paths.tls}/${QDRANT.tlsFiles.ca}`) } : {}),
      },
      securityContext: restrictedContainerSecurity(RUNNER.uid, RUNNER.gid),
      volumeMounts: [
        { path: MOUNT, volume: mounted, readOnly: true },
        { path: '/tmp', volume: tmp },
        ...(tls ? [{ path: QDRANT.paths.tls, volume: tls, readOnly: true }] : []),
      ],
    });
    // QDRANT_URL, OLLAMA_URL, REDIS_URL: the same contract the applications use.
    container.env.copyFrom(kplus.Env.fromConfigMap(kplus.ConfigMap.fromConfigMapName(this, 'connection', props.connectionConfigMap)));
    finishRestrictedPod(this.job, '/spec/template/spec', [JOB_RESOURCES.smoke]);
  }
}
