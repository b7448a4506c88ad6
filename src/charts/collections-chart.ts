import { Construct } from 'constructs';
import type { StackConfig } from '../config/schema';
import { CollectionsJob } from '../constructs/collections-job';
import { objectName } from '../naming';
import { RunnerChart } from './runner-chart';
import type { StackChart } from './stack-chart';

/** Name of the collections Job before its content hash (the smoke test waits for it and points to it). */
export function collectionsJobName(config: StackConfig): string {
  return objectName('Job', config.name, 'collections');
}

/** The collections reconciler of a stack: a Job with the bundled reconciler and the declared collections. */
export class CollectionsChart extends RunnerChart {
  readonly collections: CollectionsJob;

  constructor(scope: Construct, id: string, props: { config: StackConfig; stack: StackChart }) {
    const { config, stack } = props;
    super(scope, id, config, stack);
    this.collections = new CollectionsJob(this, 'collections', {
      name: collectionsJobName(config),
      partOf: config.name,
      collections: config.qdrant.collections,
      peers: config.qdrant.replicas,
      connectionConfigMap: stack.connection.configMapName,
      qdrantApiKey: stack.qdrant.apiKeySecret,
      deadlineSeconds: config.smoke.deadlineSeconds,
      tlsSecretName: config.qdrant.tls?.secretName,
    });
  }
}
