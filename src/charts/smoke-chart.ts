import { Construct } from 'constructs';
import type { StackConfig } from '../config/schema';
import { SmokeTest } from '../constructs/smoke-job';
import { expectationsFromConfig, type SmokeExpectations } from '../smoke/options';
import { objectName } from '../naming';
import { managesCollections } from '../config/collection';
import { collectionsJobName } from './collections-chart';
import { markVerifiedRender, RenderedObject } from './finalize';
import { RunnerChart } from './runner-chart';
import { stackNamespace, StackChart } from './stack-chart';

/**
 * What the smoke Job checks against: the model's expectations and, when the stack renders the collections
 * Job, that Job, which the schema check waits for and points to.
 */
export function smokeJobExpectations(config: StackConfig): SmokeExpectations {
  const expectations = expectationsFromConfig(config);
  if (!managesCollections(config)) return expectations;
  return { ...expectations, collectionsJob: { namespace: stackNamespace(config), name: collectionsJobName(config) } };
}

/** The in-cluster smoke test of a stack: a Job with the bundled runner and what it checks against. */
export class SmokeChart extends RunnerChart {
  readonly smoke: SmokeTest;

  constructor(scope: Construct, id: string, props: { config: StackConfig; stack: StackChart }) {
    const { config, stack } = props;
    super(scope, id, config, stack);
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

  /** Marked with the render it verifies: any change to the stack is a new smoke run. */
  protected override beforeFinish(objects: RenderedObject[], stack: readonly RenderedObject[]): void {
    markVerifiedRender(objects, stack);
  }
}
