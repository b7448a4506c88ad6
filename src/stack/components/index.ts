/**
 * The components of a stack, in render and start order. The stack, `plan`, the NetworkPolicies, the
 * connection contract and the local targets learn about components here and nowhere else: registering a
 * new one is one line (README, "Extending: a fourth component").
 */
import type { StackConfig } from '../../config/schema';
import type { StackComponent } from '../component';
import { ollamaComponent } from './ollama';
import { qdrantComponent } from './qdrant';
import { redisComponent } from './redis';

export const COMPONENTS: readonly StackComponent[] = [qdrantComponent, ollamaComponent, redisComponent];

/** The components a model deploys, in order. */
export function enabledComponents(config: StackConfig, components: readonly StackComponent[] = COMPONENTS): StackComponent[] {
  return components.filter((c) => c.enabled(config));
}
