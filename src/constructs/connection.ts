import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { SYNC_WAVE, syncWave } from './gitops';
import type { SecretKeyReference } from './qdrant';

/** The environment applications read to reach the stack (no secret in it), by env name: each component adds its own. */
export type ConnectionSettings = Readonly<Record<string, string | undefined>>;

/** Props of {@link ConnectionContract}. */
export interface ConnectionContractProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Entries of the ConfigMap; undefined ones are left out. */
  readonly settings: ConnectionSettings;
  /** Where applications find each secret, by env name (`QDRANT_API_KEY` → Secret and key). */
  readonly secrets: Readonly<Record<string, SecretKeyReference>>;
}

/** The annotation naming the Secret (never its value) of a secret env name: `QDRANT_API_KEY` → `qdrant-stack/qdrant-api-key-from`. */
export function secretReferenceAnnotation(env: string): string {
  return `qdrant-stack/${env.toLowerCase().replace(/_/g, '-')}-from`;
}

/** Annotations of the stack's own secrets (see {@link secretReferenceAnnotation}). */
export const SECRET_REFERENCE_ANNOTATIONS = {
  qdrantApiKey: secretReferenceAnnotation('QDRANT_API_KEY'),
  qdrantReadOnlyApiKey: secretReferenceAnnotation('QDRANT_READ_ONLY_API_KEY'),
  redisPassword: secretReferenceAnnotation('REDIS_PASSWORD'),
} as const;

/**
 * The connection contract: a ConfigMap `<stack>-connection` for `envFrom`, plus the Secret name and key of
 * each secret (QDRANT_API_KEY, REDIS_PASSWORD, …) as annotations (`secret/key`) for `secretKeyRef`.
 */
export class ConnectionContract extends Construct {
  readonly configMapName: string;
  readonly configMap: kplus.ConfigMap;

  constructor(scope: Construct, id: string, props: ConnectionContractProps) {
    super(scope, id);
    this.configMapName = props.name;
    this.configMap = new kplus.ConfigMap(this, 'config-map', {
      metadata: {
        name: props.name,
        labels: props.labels,
        annotations: {
          ...syncWave(SYNC_WAVE.config),
          ...Object.fromEntries(Object.entries(props.secrets).map(([env, r]) => [secretReferenceAnnotation(env), `${r.secretName}/${r.key}`])),
        },
      },
      data: Object.fromEntries(Object.entries(props.settings).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    });
  }
}
