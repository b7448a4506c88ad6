import { Duration } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { z } from 'zod';
import { parseProps } from '../config/props';
import { smokeSchema } from '../config/schema';
import { JOB_RESOURCES } from '../config/resources';
import type { SmokeExpectations } from '../smoke/options';
import { postDeployHookAnnotations } from './gitops';
import type { SecretKeyReference } from './qdrant';
import { RUNNER_MOUNT, RunnerJob } from './runner-job';
import type { JobPlacementProps } from './placement';

/** Props of {@link SmokeTest}. */
export interface SmokeTestProps extends JobPlacementProps {
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
   * The model's `smoke` section (docs/configuration.md#smoke): hook, vectors, queries, p95 budget, deadline.
   * Defaults are the model's.
   */
  readonly smoke?: z.input<typeof smokeSchema>;
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
    const smoke = parseProps(smokeSchema, props.smoke, `${this.node.path} (SmokeTest props: smoke)`);
    const deadlineSeconds = smoke.deadlineSeconds;
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
        SMOKE_VECTORS: String(smoke.vectors),
        SMOKE_QUERIES: String(smoke.queries),
        SMOKE_MAX_P95_MS: String(smoke.maxP95Ms),
        SMOKE_DEADLINE_S: String(deadlineSeconds),
      },
      secretEnv: { QDRANT_API_KEY: props.qdrantApiKey, ...(props.redisPassword ? { REDIS_PASSWORD: props.redisPassword } : {}) },
      connectionConfigMap: props.connectionConfigMap,
      tlsSecretName: props.tlsSecretName,
      annotations: smokeHookAnnotations(smoke.hook),
      activeDeadline: Duration.seconds(deadlineSeconds + 600),
      // A failed verdict is a result, not a flake: one retry for a node loss at most.
      backoffLimit: 1,
      resources: JOB_RESOURCES.smoke,
      image: props.image,
      images: props.images,
      pod: props.pod,
    }).job;
  }
}
