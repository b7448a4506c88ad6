import { ApiObject, Chart, ChartProps, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { qdrantResources } from '../config/resources';
import type { StackConfig } from '../config/schema';
import { SYNC_WAVE, syncWave } from '../constructs/gitops';
import { MANAGED_BY } from '../constructs/labels';
import { Qdrant } from '../constructs/qdrant';

/** Props of {@link StackChart}. */
export interface StackChartProps extends Omit<ChartProps, 'namespace'> {
  /** The validated stack model (see `resolveConfig`). */
  readonly config: StackConfig;
}

/** Pod Security Admission: every pod of the stack meets the "restricted" profile. */
export const POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

/** Namespace of a stack: given, or the stack name. */
export function stackNamespace(config: StackConfig): string {
  return config.namespace ?? config.name;
}

/**
 * The whole stack as one chart. Resource names are `<stack>-<component>[-<part>]`, never hashed, so GitOps
 * diffs stay readable; the same config always renders the same bytes.
 */
export class StackChart extends Chart {
  readonly qdrant: Qdrant;

  constructor(scope: Construct, id: string, props: StackChartProps) {
    const { config } = props;
    const namespace = stackNamespace(config);
    super(scope, id, { ...props, namespace, disableResourceNameHashes: true });

    if (config.createNamespace) {
      const ns = new k8s.KubeNamespace(this, 'namespace', {
        metadata: {
          name: namespace,
          labels: { ...POD_SECURITY_LABELS, 'app.kubernetes.io/part-of': config.name, 'app.kubernetes.io/managed-by': MANAGED_BY },
          annotations: syncWave(SYNC_WAVE.namespace),
        },
      });
      // The chart puts its namespace on every object; a Namespace itself is cluster-scoped.
      ApiObject.of(ns).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }

    const q = config.qdrant;
    this.qdrant = new Qdrant(this, 'qdrant', {
      name: `${config.name}-qdrant`,
      partOf: config.name,
      version: q.version,
      storageSize: q.storage.size,
      storageClass: q.storage.storageClass,
      resources: qdrantResources(q),
      apiKey: q.apiKey,
    });
  }
}
