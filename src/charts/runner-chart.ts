import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { stackNamespace } from '../config/namespace';
import type { StackConfig } from '../config/schema';

/**
 * A chart (and so a file) of its own for a Job that runs a bundled runner beside a stack: the runner's
 * ConfigMap would drown the reviewable manifests of the stack. The stack finishes its objects (with the
 * stack's render as context: the Job reads the stack's connection ConfigMap, and the smoke test hashes it).
 */
export class RunnerChart extends Chart {
  constructor(scope: Construct, id: string, config: StackConfig) {
    super(scope, id, { namespace: stackNamespace(config), disableResourceNameHashes: true });
  }
}
