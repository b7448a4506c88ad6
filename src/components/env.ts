/**
 * Container environment, described once per component and rendered by every target: a plain value, or a
 * secret that Kubernetes takes from a Secret (`secretKeyRef`) and Compose/Pulumi from the user's env file
 * or Pulumi config. A secret is named by the env name applications read it under (`QDRANT_API_KEY`), which
 * the component that owns it declares (see src/stack/component.ts).
 */
export type SecretEnvName = string;
export type EnvSource = { readonly value: string } | { readonly secret: SecretEnvName };
export type Environment = Readonly<Record<string, EnvSource>>;

export const value = (v: string): EnvSource => ({ value: v });
export const secret = (name: SecretEnvName): EnvSource => ({ secret: name });

export function isSecret(source: EnvSource): source is Extract<EnvSource, { secret: unknown }> {
  return 'secret' in source;
}
