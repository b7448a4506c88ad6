/**
 * Rules of Qdrant's distributed mode, over the parsed model: shared by validation, the chart and the docs.
 */
interface ClusterView {
  qdrant: {
    replicas: number;
    workload?: 'deployment' | 'statefulset';
    collections: readonly { name: string; replicationFactor?: number; shardNumber?: number }[];
    readOnlyApiKey: unknown;
  };
  metrics: { serviceMonitor: boolean };
  snapshots: { enabled: boolean; restore: readonly { collection: string }[] };
}

/** Peers form a cluster; a single node may still run on a StatefulSet when asked. */
export function isDistributed(stack: Pick<ClusterView, 'qdrant'>): boolean {
  return stack.qdrant.replicas > 1;
}

export function usesStatefulSet(stack: Pick<ClusterView, 'qdrant'>): boolean {
  return isDistributed(stack) || stack.qdrant.workload === 'statefulset';
}

/** Copies of each shard of a collection: as given, else 2 in distributed mode (one peer may be lost), else 1. */
export function replicationFactorOf(collection: { replicationFactor?: number }, stack: Pick<ClusterView, 'qdrant'>): number {
  return collection.replicationFactor ?? (isDistributed(stack) ? 2 : 1);
}

export function clusterProblems(stack: ClusterView): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const { replicas } = stack.qdrant;
  stack.qdrant.collections.forEach((c, i) => {
    if (c.replicationFactor !== undefined && c.replicationFactor > replicas) {
      problems.push({
        path: ['qdrant', 'collections', i, 'replicationFactor'],
        message: `${c.replicationFactor} exceeds qdrant.replicas (${replicas}): each copy of a shard needs its own peer`,
      });
    }
  });
  if (replicas > 1 && stack.qdrant.workload === 'deployment') {
    problems.push({ path: ['qdrant', 'workload'], message: `must be "statefulset" with ${replicas} replicas: each peer needs its own volume and a stable name` });
  }
  if (stack.metrics.serviceMonitor && stack.qdrant.readOnlyApiKey === 'none') {
    problems.push({ path: ['metrics', 'serviceMonitor'], message: 'needs a read-only API key to scrape /metrics (qdrant.readOnlyApiKey is "none")' });
  }
  if (stack.snapshots.restore.length > 0 && usesStatefulSet(stack)) {
    problems.push({
      path: ['snapshots', 'restore'],
      message: 'start-up restore works on a single node on a Deployment only (not with qdrant.replicas > 1 or qdrant.workload: statefulset); restore through the snapshot recovery API',
    });
  }
  if (stack.snapshots.restore.length > 0 && !stack.snapshots.enabled) {
    problems.push({ path: ['snapshots', 'restore'], message: 'needs snapshots.enabled: true (the snapshot files live on the snapshots volume)' });
  }
  return problems;
}
