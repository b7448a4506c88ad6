/**
 * Where a stack's companions listen in its cluster, from the stack model: the Services the stack chart
 * renders (`<stack>-ollama`, `<stack>-redis`, shortened as objectName() shortens them) in the stack's
 * namespace. For `qdrant-stack smoke --config`: the URLs in the cluster, or the flag to add outside it.
 * A test keeps these equal to the connection ConfigMap the chart renders.
 */
import { OLLAMA } from '../components/ollama';
import { REDIS } from '../components/redis';
import type { StackConfig } from '../config/schema';
import { instanceName, objectName } from '../naming';
import { stackNamespace } from '../config/namespace';

/** A companion's Service. */
export interface CompanionService {
  readonly service: string;
  readonly namespace: string;
  readonly port: number;
  /** Its URL inside the cluster. */
  readonly url: string;
}

/** The Services of the companions the model enables. */
export function companionServices(config: StackConfig): { ollama?: CompanionService; redis?: CompanionService } {
  const namespace = stackNamespace(config);
  const service = (component: string, scheme: string, port: number): CompanionService => {
    const name = objectName('Service', instanceName(config.name, component));
    return { service: name, namespace, port, url: `${scheme}://${name}.${namespace}.svc:${port}` };
  };
  return {
    ...(config.ollama.enabled ? { ollama: service('ollama', 'http', OLLAMA.port) } : {}),
    ...(config.redis.enabled ? { redis: service('redis', 'redis', REDIS.port) } : {}),
  };
}

/** The skip message for a companion whose URL was not given: where it is, and exactly what to add. */
export function giveUrlHint(what: 'Ollama' | 'Redis', s: CompanionService): string {
  const flag = what === 'Ollama' ? `--ollama-url http://127.0.0.1:${s.port}` : `--redis-url redis://127.0.0.1:${s.port} (password in REDIS_PASSWORD)`;
  return `not checked: the stack's ${what} is ${s.service}.${s.namespace}.svc:${s.port}; run \`kubectl -n ${s.namespace} port-forward svc/${s.service} ${s.port}\` and add ${flag} (in the cluster, the URL is ${s.url})`;
}
