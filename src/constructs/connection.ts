import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { SYNC_WAVE, syncWave } from './gitops';
import type { SecretKeyReference } from './qdrant';

/** The environment applications read to reach the stack (no secret in it). */
export interface ConnectionSettings {
  readonly QDRANT_URL: string;
  readonly QDRANT_GRPC_URL: string;
  readonly QDRANT_COLLECTION?: string;
  readonly QDRANT_DISTANCE?: string;
  readonly OLLAMA_URL?: string;
  readonly EMBEDDING_MODEL?: string;
  readonly EMBEDDING_DIMENSIONS?: string;
  readonly REDIS_URL?: string;
}

/** Props of {@link ConnectionContract}. */
export interface ConnectionContractProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly settings: ConnectionSettings;
  /** Where applications find QDRANT_API_KEY. */
  readonly qdrantApiKey: SecretKeyReference;
  /**
   * Where read-only clients find QDRANT_READ_ONLY_API_KEY.
   * @default no read-only key
   */
  readonly qdrantReadOnlyApiKey?: SecretKeyReference;
  /**
   * Where applications find REDIS_PASSWORD.
   * @default no Redis
   */
  readonly redisPassword?: SecretKeyReference;
}

/** Annotations on the ConfigMap naming the Secrets (never their values) that go with it. */
export const SECRET_REFERENCE_ANNOTATIONS = {
  qdrantApiKey: 'qdrant-stack/qdrant-api-key-from',
  qdrantReadOnlyApiKey: 'qdrant-stack/qdrant-read-only-api-key-from',
  redisPassword: 'qdrant-stack/redis-password-from',
} as const;

/**
 * The connection contract: a ConfigMap `<stack>-connection` for `envFrom`, plus the Secret names and keys
 * of QDRANT_API_KEY and REDIS_PASSWORD as annotations (`secret/key`) for `secretKeyRef`.
 */
export class ConnectionContract extends Construct {
  readonly configMapName: string;

  constructor(scope: Construct, id: string, props: ConnectionContractProps) {
    super(scope, id);
    this.configMapName = props.name;
    const ref = (r: SecretKeyReference) => `${r.secretName}/${r.key}`;
    new kplus.ConfigMap(this, 'config-map', {
      metadata: {
        name: props.name,
        labels: props.labels,
        annotations: {
          ...syncWave(SYNC_WAVE.config),
          [SECRET_REFERENCE_ANNOTATIONS.qdrantApiKey]: ref(props.qdrantApiKey),
          ...(props.qdrantReadOnlyApiKey ? { [SECRET_REFERENCE_ANNOTATIONS.qdrantReadOnlyApiKey]: ref(props.qdrantReadOnlyApiKey) } : {}),
          ...(props.redisPassword ? { [SECRET_REFERENCE_ANNOTATIONS.redisPassword]: ref(props.redisPassword) } : {}),
        },
      },
      data: Object.fromEntries(Object.entries(props.settings).filter(([, v]) => v !== undefined)),
    });
  }
}
