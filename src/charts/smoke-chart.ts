import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { StackConfig } from '../config/schema';
import { SmokeTest } from '../constructs/smoke-job';
import { expectationsFromConfig, type SmokeExpectations } from '../smoke/options';
import { stackNamespace, StackChart } from './stack-chart';
import { finalizeObjects, markVerifiedRender } from './finalize';
import { objectName } from '../naming';

/**
 * What the smoke Job checks against: the model's expectations and, when the stack renders the collections
 * Job, that Job, which the schema check waits for and points to.
 */
export function smokeJobExpectations(config: StackConfig): SmokeExpectations {
  const expectations = expectationsFromConfig(config);
  if (!config.qdrant.manageCollections || config.qdrant.collections.length === 0) return expectations;
  return { ...expectations, collectionsJob: { namespace: stackNamespace(config), name: objectName('Job', config.name, 'collections') } };
}

/**
 * The in-cluster smoke test of a stack, in a chart (and so a file) of its own: its ConfigMap carries the
 * bundled runner, which would drown the reviewable manifests of the stack itself.
 */
export class SmokeChart extends Chart {
  readonly smoke: SmokeTest;
  private readonly stack: StackChart;

  constructor(scope: Construct, id: string, props: { config: StackConfig; stack: StackChart }) {
    const { config, stack } = props;
    super(scope, id, { namespace: stackNamespace(config), disableResourceNameHashes: true });
    this.stack = stack;
    this.smoke = new SmokeTest(this, 'smoke', {
      name: objectName('Job', config.name, 'smoke'),
      partOf: config.name,
      connectionConfigMap: stack.connection.configMapName,
      qdrantApiKey: stack.qdrant.apiKeySecret,
      redisPassword: stack.redis?.passwordSecret,
      expectations: smokeJobExpectations(config),
      hook: config.smoke.hook,
      vectors: config.smoke.vectors,
      queries: config.smoke.queries,
      maxP95Ms: config.smoke.maxP95Ms,
      deadlineSeconds: config.smoke.deadlineSeconds,
      tlsSecretName: config.qdrant.tls?.secretName,
    });
  }

  /**
   * Finished like the stack's objects (the Job reads the stack's connection ConfigMap, so its content counts),
   * and marked with the render it verifies: any change to the stack is a new smoke run.
   */
  override toJson(): any[] {
    const stack = this.stack.toJson();
    const objects = super.toJson();
    markVerifiedRender(objects, stack);
    return finalizeObjects(objects, stack);
  }
}
