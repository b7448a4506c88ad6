import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import type { IConstruct } from 'constructs';

/** Kinds that live outside namespaces: they never get one. */
const CLUSTER_SCOPED = new Set(['Namespace', 'PriorityClass', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass']);

/** The namespace objects under `scope` render into: given, else their chart's (undefined: none set). */
export function namespaceOf(scope: IConstruct, given?: string): string | undefined {
  return given ?? Chart.of(scope).namespace;
}

/**
 * Places every namespaced object under `scope` in `namespace` when it differs from the chart's: a stack can
 * sit in a user's chart yet live in its own namespace.
 */
export function placeInNamespace(scope: IConstruct, namespace: string): void {
  if (Chart.of(scope).namespace === namespace) return;
  for (const child of scope.node.findAll()) {
    if (ApiObject.isApiObject(child) && !CLUSTER_SCOPED.has(child.kind)) child.addJsonPatch(JsonPatch.add('/metadata/namespace', namespace));
  }
}

/** `<service>.<namespace>.svc`, or the bare Service name when no namespace is known (same-namespace clients). */
export function serviceHost(service: string, namespace: string | undefined): string {
  return namespace ? `${service}.${namespace}.svc` : service;
}
