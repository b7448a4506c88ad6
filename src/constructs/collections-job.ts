import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { CollectionConfig } from '../config/collection';
import { COLLECTIONS_RUNNER } from '../components/runner';
import { JOB_RESOURCES } from '../config/resources';
import type { DeclaredCollections } from '../collections/job';
import { postDeployHookAnnotations } from './gitops';
import type { SecretKeyReference } from './qdrant';
import { RUNNER_MOUNT, RunnerJob } from './runner-job';
import type { JobPlacementProps } from './placement';
import type * as kplus from 'cdk8s-plus-27';

/** Props of {@link CollectionsJob}. */
export interface CollectionsJobProps extends JobPlacementProps {
  /** Name of the Job (before its content hash) and of its ConfigMap. */
  readonly name: string;
  readonly partOf: string;
  /** The declared collections (validated by the model). */
  readonly collections: readonly CollectionConfig[];
  /** Qdrant peers: the default replication factor follows from it. */
  readonly peers: number;
  /** The connection ConfigMap (QDRANT_URL). */
  readonly connectionConfigMap: string;
  /** The admin API key: the reconciler creates and updates collections. */
  readonly qdrantApiKey: SecretKeyReference;
  /** How long to wait for Qdrant and retry, in seconds (the model's `smoke.deadlineSeconds`). */
  readonly deadlineSeconds: number;
  /** @default no TLS */
  readonly tlsSecretName?: string;
}


/**
 * Collections as code in the cluster: after each sync, before the smoke test (Argo CD PostSync wave 0; under
 * Flux and plain kubectl it waits for Qdrant within its deadline), the reconciler creates the declared
 * collections, updates what may change, and reports drift — it never deletes. A changed declaration is a
 * new Job (Jobs are named by their content).
 */
export class CollectionsJob extends Construct {
  readonly job: kplus.Job;

  constructor(scope: Construct, id: string, props: CollectionsJobProps) {
    super(scope, id);
    const deadlineSeconds = props.deadlineSeconds;
    const declared: DeclaredCollections = { peers: props.peers, collections: [...props.collections] };
    this.job = new RunnerJob(this, 'runner', {
      name: props.name,
      partOf: props.partOf,
      app: 'collections',
      component: 'schema',
      bundle: COLLECTIONS_RUNNER.bundle,
      entry: COLLECTIONS_RUNNER.entry,
      files: { [COLLECTIONS_RUNNER.file]: `${JSON.stringify(declared, null, 2)}\n` },
      env: { [COLLECTIONS_RUNNER.env.file]: `${RUNNER_MOUNT}/${COLLECTIONS_RUNNER.file}`, [COLLECTIONS_RUNNER.env.deadline]: String(deadlineSeconds) },
      secretEnv: { QDRANT_API_KEY: props.qdrantApiKey },
      connectionConfigMap: props.connectionConfigMap,
      tlsSecretName: props.tlsSecretName,
      // Its log is the report (drift included): kept until the next run replaces it.
      annotations: postDeployHookAnnotations(0),
      activeDeadline: Duration.seconds(deadlineSeconds + 300),
      // Drift is a result, not a flake: retry only for a lost node.
      backoffLimit: 1,
      resources: JOB_RESOURCES.collections,
      images: props.images,
      pod: props.pod,
    }).job;
  }
}
