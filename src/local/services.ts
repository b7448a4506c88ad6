/**
 * The stack as local containers, in start order: each component's descriptor gives its services (from
 * the same component facts the Kubernetes constructs read), and the Compose and Pulumi renderers turn
 * this one description into their own formats.
 */
import type { StackConfig } from '../config/schema';
import type { StackComponent } from '../stack/component';
import { COMPONENTS, enabledComponents } from '../stack/components';
import type { LocalService, LocalStack } from './types';

export * from './types';

/** The local containers of a stack, in start order. */
export function localStack(config: StackConfig, components: readonly StackComponent[] = COMPONENTS): LocalStack {
  const services: LocalService[] = enabledComponents(config, components).flatMap((c) => [...c.local(config)]);
  const volumes = [...new Set(services.flatMap((s) => s.volumes.map((v) => v.name)))];
  return { name: config.name, services, volumes };
}

/** The secrets the local services read, by env name, with what each is (for the env file and Pulumi). */
export function localSecrets(config: StackConfig, components: readonly StackComponent[] = COMPONENTS): { env: string; description: string }[] {
  return enabledComponents(config, components).flatMap((c) => [...c.secrets(config)]);
}
