import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Environment, SecretEnvName } from '../components/env';
import type { SecretKeyReference } from './qdrant';

/** A component's environment for Kubernetes: values as literals, secrets as `secretKeyRef` only. */
export function kubernetesEnv(
  scope: Construct,
  environment: Environment,
  secrets: Partial<Record<SecretEnvName, SecretKeyReference>>,
): Record<string, kplus.EnvValue> {
  return Object.fromEntries(
    Object.entries(environment).map(([name, source]) => {
      if ('value' in source) return [name, kplus.EnvValue.fromValue(source.value)];
      const ref = secrets[source.secret];
      if (!ref) throw new Error(`environment variable '${name}' needs the secret ${source.secret}, which was not given`);
      const secret = kplus.Secret.fromSecretName(scope, `env-${name}`, ref.secretName);
      return [name, kplus.EnvValue.fromSecretValue({ secret, key: ref.key })];
    }),
  );
}
