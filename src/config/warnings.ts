/**
 * What a valid model probably does not mean: printed as warnings by every command, never fatal.
 */
import type { ConfigProblem } from './errors';
import { isDistributed } from './cluster';
import type { StackConfig } from './schema';
import { exposureWarnings } from './expose';

export function configWarnings(config: StackConfig): ConfigProblem[] {
  return [
    ...exposureWarnings([
      { key: 'qdrant', expose: config.qdrant.expose, authenticated: true },
      ...(config.ollama.enabled ? [{ key: 'ollama', expose: config.ollama.expose, authenticated: false }] : []),
    ]),
    ...replicationWarnings(config),
  ];
}

function replicationWarnings(config: StackConfig): ConfigProblem[] {
  if (!isDistributed(config)) return [];
  return config.qdrant.collections.flatMap((c, i) =>
    c.replicationFactor === 1
      ? [{
          path: `qdrant.collections[${i}].replicationFactor`,
          message: `1 keeps a single copy of each shard of "${c.name}": when one of the ${config.qdrant.replicas} peers is down (a node drain the PodDisruptionBudget allows) its shards are unavailable; leave it out (2 in distributed mode) to survive the loss of a peer`,
        }]
      : [],
  );
}
