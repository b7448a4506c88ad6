import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { StackConfig } from '../config/schema';
import { finalizeObjects, RenderedObject } from './finalize';
import { stackNamespace, StackChart } from './stack-chart';

/**
 * A chart (and so a file) of its own for a Job that runs a bundled runner beside a stack: the runner's
 * ConfigMap would drown the reviewable manifests of the stack. Its objects are finished like the stack's,
 * with the stack's objects as context (the Job reads the stack's connection ConfigMap, so its content counts).
 */
export abstract class RunnerChart extends Chart {
  protected constructor(
    scope: Construct,
    id: string,
    config: StackConfig,
    protected readonly stack: StackChart,
  ) {
    super(scope, id, { namespace: stackNamespace(config), disableResourceNameHashes: true });
  }

  override toJson(): any[] {
    const stack = this.stack.toJson();
    const objects = super.toJson();
    this.beforeFinish(objects, stack);
    return finalizeObjects(objects, stack);
  }

  /** A last word on the objects before they are finished (e.g. what they verify). */
  protected beforeFinish(_objects: RenderedObject[], _stack: readonly RenderedObject[]): void {}
}
