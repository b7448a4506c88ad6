import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { StackConfig } from '../config/schema';
import { CollectionsJob } from '../constructs/collections-job';
import { objectName } from '../naming';
import { finalizeObjects } from './finalize';
import { stackNamespace, StackChart } from './stack-chart';

/**
 * The collections reconciler of a stack, in a chart (and so a file) of its own, like the smoke test: its
 * ConfigMap carries the bundled runner beside the declared collections.
 */
export class CollectionsChart extends Chart {
  readonly collections: CollectionsJob;
  private readonly stack: StackChart;

  constructor(scope: Construct, id: string, props: { config: StackConfig; stack: StackChart }) {
    const { config, stack } = props;
    super(scope, id, { namespace: stackNamespace(config), disableResourceNameHashes: true });
    this.stack = stack;
    this.collections = new CollectionsJob(this, 'collections', {
      name: objectName('Job', config.name, 'collections'),
      partOf: config.name,
      collections: config.qdrant.collections,
      peers: config.qdrant.replicas,
      connectionConfigMap: stack.connection.configMapName,
      qdrantApiKey: stack.qdrant.apiKeySecret,
      deadlineSeconds: config.smoke.deadlineSeconds,
      tlsSecretName: config.qdrant.tls?.secretName,
    });
  }

  /** Finished like the stack's objects; the Job reads the stack's connection ConfigMap, so its content counts. */
  override toJson(): any[] {
    return finalizeObjects(super.toJson(), this.stack.toJson());
  }
}
