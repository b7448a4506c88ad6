import { Duration } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { JOB_RESOURCES } from '../config/resources';
import type { SmokeExpectations } from '../smoke/options';
import { postDeployHookAnnotations } from './gitops';
import type { SecretKeyReference } from './qdrant';
import { RUNNER_MOUNT, RunnerJob } from './runner-job';

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

const EXPECTATIONS_KEY = 'expectations.json';

/** Annotations that make the Job a post-deploy test. */
export function smokeHookAnnotations(hook: 'argocd' | 'helm-test'): Record<string, string> {
  if (hook === 'helm-test') return { 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'before-hook-creation' };
  // After the model pull and the collections (wave 0 of PostSync): the RAG round needs the embedding model.
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
    this.job = new RunnerJob(this, 'runner', {
      name: props.name,
      partOf: props.partOf,
      app: 'smoke-test',
      component: 'verification',
      bundle: 'smoke-runner',
      entry: 'runnerMain',
      // Only what the runner checks against, not the model: the runner has no zod or YAML to validate one.
      files: { [EXPECTATIONS_KEY]: `${JSON.stringify(props.expectations, null, 2)}\n` },
      env: {
        SMOKE_EXPECTATIONS: `${RUNNER_MOUNT}/${EXPECTATIONS_KEY}`,
        SMOKE_VECTORS: String(props.vectors ?? 10_000),
        SMOKE_QUERIES: String(props.queries ?? 200),
        SMOKE_MAX_P95_MS: String(props.maxP95Ms ?? 50),
        SMOKE_DEADLINE_S: String(deadlineSeconds),
      },
      secretEnv: { QDRANT_API_KEY: props.qdrantApiKey, ...(props.redisPassword ? { REDIS_PASSWORD: props.redisPassword } : {}) },
      connectionConfigMap: props.connectionConfigMap,
      tlsSecretName: props.tlsSecretName,
      annotations: smokeHookAnnotations(props.hook ?? 'argocd'),
      activeDeadline: Duration.seconds(deadlineSeconds + 600),
      // A failed verdict is a result, not a flake: one retry for a node loss at most.
      backoffLimit: 1,
      resources: JOB_RESOURCES.smoke,
      image: props.image,
    }).job;
  }
}
