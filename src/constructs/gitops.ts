/**
 * Apply order for GitOps tools. Argo CD applies lower sync waves first and waits for them to be healthy;
 * Flux applies everything, and the generator Job carries `force` because Jobs are immutable.
 */
export const SYNC_WAVE = {
  namespace: -3,
  /** Secrets, ConfigMaps, RBAC, Services, volumes. */
  config: -2,
  /** Jobs that must finish before workloads start (secret generation). */
  prepare: -1,
  workloads: 0,
  /**
   * What publishes a server outside the cluster (Ingress, routes, a LoadBalancer Service): once the servers
   * are healthy, and Argo CD's wait for a load balancer address does not hold the workloads back.
   */
  expose: 1,
} as const;

export function syncWave(wave: number): Record<string, string> {
  return { 'argocd.argoproj.io/sync-wave': String(wave) };
}

/**
 * When Argo CD deletes a hook Job. Jobs are named by their content, so BeforeHookCreation replaces a run of
 * the same render only; `deleteOnSuccess` also removes a successful run (failures stay for their logs).
 * No ttlSecondsAfterFinished: a hook deleted before Argo CD sees it finish leaves the sync waiting.
 */
function hookDeletePolicy(deleteOnSuccess: boolean): string {
  return deleteOnSuccess ? 'BeforeHookCreation,HookSucceeded' : 'BeforeHookCreation';
}

/** A Job re-run on every sync (idempotent), replaced rather than patched; a successful run is deleted. */
export function rerunOnSyncAnnotations(wave: number): Record<string, string> {
  return {
    ...syncWave(wave),
    'argocd.argoproj.io/hook': 'Sync',
    'argocd.argoproj.io/hook-delete-policy': hookDeletePolicy(true),
    'kustomize.toolkit.fluxcd.io/force': 'enabled',
  };
}

/**
 * A Job that runs after every sync once the workloads are healthy (Argo CD PostSync; waves order
 * several such Jobs). Flux applies it with the rest and replaces it when it changes.
 * @param deleteOnSuccess remove a successful run under Argo CD (keep it when its log is the verdict)
 */
export function postDeployHookAnnotations(wave: number, deleteOnSuccess = false): Record<string, string> {
  return {
    'argocd.argoproj.io/hook': 'PostSync',
    'argocd.argoproj.io/hook-delete-policy': hookDeletePolicy(deleteOnSuccess),
    'argocd.argoproj.io/sync-wave': String(wave),
    'kustomize.toolkit.fluxcd.io/force': 'enabled',
  };
}

/**
 * On objects that hold data (the Namespace, every PersistentVolumeClaim): no GitOps tool prunes them or
 * deletes them with the app. Deleting a Namespace deletes every claim in it, whatever the reclaim or
 * retention policy, so `retainOnDelete` alone does not survive an Application or Kustomization deletion.
 */
export const KEEP_DATA_ANNOTATIONS = {
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
  'helm.sh/resource-policy': 'keep',
} as const;
