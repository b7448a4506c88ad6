import { App, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { stackNamespace } from '../config/namespace';
import type { StackConfig } from '../config/schema';
import { QdrantStack, type StackJobPurpose } from '../stack/qdrant-stack';
import type { StackComponent } from '../stack/component';
import { RunnerChart } from './runner-chart';


/** Props of {@link StackChart}. */
export interface StackChartProps extends Omit<ChartProps, 'namespace'> {
  /** The validated stack model (see `resolveConfig`). */
  readonly config: StackConfig;
  /**
   * The components, in order.
   * @default COMPONENTS (Qdrant, Ollama, Redis)
   */
  readonly components?: readonly StackComponent[];
}

/**
 * The CLI's charts of a stack: `<name>` holds the {@link QdrantStack}, and its collections and smoke-test
 * Jobs each get a chart (a file) of their own, `<name>-collections` and `<name>-smoke`, beside it in the
 * app. Resource names are `<stack>-<component>[-<part>]`, never hashed, so GitOps diffs stay readable.
 */
export class StackChart extends Chart {
  readonly stack: QdrantStack;

  constructor(scope: Construct, id: string, props: StackChartProps) {
    const { config, components, ...chartProps } = props;
    const namespace = stackNamespace(config);
    super(scope, id, { ...chartProps, namespace, disableResourceNameHashes: true });
    const app = scope instanceof App ? scope : this;
    const jobScope = (purpose: StackJobPurpose) => new RunnerChart(app, `${config.name}-${purpose}`, config);
    const { environments: _environments, ...model } = config;
    this.stack = new QdrantStack(this, 'stack', { ...model, namespace, jobScope, components });
  }

  get qdrant() {
    return this.stack.qdrant;
  }
  get ollama() {
    return this.stack.ollama;
  }
  get redis() {
    return this.stack.redis;
  }
  get connection() {
    return this.stack.connection;
  }
}
