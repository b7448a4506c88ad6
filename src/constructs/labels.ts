/** The recommended `app.kubernetes.io/*` labels, built the same way for every component. */
export interface ComponentLabelProps {
  /** Application name, e.g. `qdrant`. */
  readonly app: string;
  /** Unique name of this instance; equals the workload's metadata.name (Polaris checks it). */
  readonly instance: string;
  /** Role inside the stack, e.g. `vector-database`. */
  readonly component: string;
  /** The stack this belongs to. */
  readonly partOf: string;
  /** Version of the application. */
  readonly version: string;
}

export const MANAGED_BY = 'qdrant-stack';

/** Labels that select pods: stable across upgrades, so never the version. */
export function selectorLabels(props: Pick<ComponentLabelProps, 'app' | 'instance'>): Record<string, string> {
  return { 'app.kubernetes.io/name': props.app, 'app.kubernetes.io/instance': props.instance };
}

/** Every recommended label, for metadata of objects and pod templates. */
export function componentLabels(props: ComponentLabelProps): Record<string, string> {
  return {
    ...selectorLabels(props),
    'app.kubernetes.io/component': props.component,
    'app.kubernetes.io/part-of': props.partOf,
    'app.kubernetes.io/version': props.version,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/**
 * Labels for fields the API server never lets an update change (StatefulSet claim templates): everything
 * but the version, so a version bump stays a legal update.
 */
export function immutableLabels(labels: Record<string, string>): Record<string, string> {
  const { 'app.kubernetes.io/version': _version, ...rest } = labels;
  return rest;
}

/**
 * Pods carrying this label may connect to Qdrant, Ollama and Redis (the NetworkPolicies allow them).
 * Applications add it to their pod template; the stack's own client Jobs carry it too.
 */
export const CLIENT_LABEL = { key: 'qdrant-stack/client', value: 'true' } as const;
