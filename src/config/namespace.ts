/** Where a stack lives; light (no cdk8s), so the CLI can say it without loading the renderers. */
export function stackNamespace(config: { readonly name: string; readonly namespace?: string }): string {
  return config.namespace ?? config.name;
}

/**
 * Whether a stack renders its Namespace: as `createNamespace` says; by default yes when it names its own
 * namespace (given, or its name), no when it lives in the namespace of the chart it was placed in.
 */
export function createsNamespace(config: { readonly namespace?: string; readonly createNamespace?: boolean }, chartNamespace: string | undefined): boolean {
  return config.createNamespace ?? (config.namespace !== undefined || chartNamespace === undefined);
}
