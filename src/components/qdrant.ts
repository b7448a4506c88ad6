import { Environment, secret, value } from './env';
import { imageReference, type ImageSource } from './images';

/**
 * Facts about the Qdrant server, read from its 1.19 source, Dockerfile and docs. Every renderer
 * (Kubernetes, Compose, Pulumi, the smoke test) reads them from here and nowhere else.
 */
export const QDRANT = {
  /** Default server version; the image tag adds a `v` prefix. */
  version: '1.19.0',
  imageRepository: 'qdrant/qdrant',
  /** The plain image runs as root; `-unprivileged` runs as 1000:1000 and owns its data paths. */
  unprivilegedTagSuffix: '-unprivileged',
  uid: 1000,
  gid: 1000,
  ports: { http: 6333, grpc: 6334, p2p: 6335 },
  /** WORKDIR is /qdrant; with a read-only root these must be volumes. `config`: the image sets RUN_MODE=production, so Qdrant reads it over config.yaml. */
  paths: { storage: '/qdrant/storage', snapshots: '/qdrant/snapshots', tmp: '/tmp', tls: '/qdrant/tls', config: '/qdrant/config/production.yaml' },
  /** Files of a kubernetes.io/tls Secret (cert-manager adds ca.crt). */
  tlsFiles: { cert: 'tls.crt', key: 'tls.key', ca: 'ca.crt' },
  /**
   * `/readyz` turns 200 once every shard is ready; `/livez` answers as soon as the HTTP server runs.
   * None of the health routes needs the API key.
   */
  probes: { readiness: '/readyz', liveness: '/livez', startup: '/livez' },
  env: {
    apiKey: 'QDRANT__SERVICE__API_KEY',
    readOnlyApiKey: 'QDRANT__SERVICE__READ_ONLY_API_KEY',
    clusterEnabled: 'QDRANT__CLUSTER__ENABLED',
    logLevel: 'QDRANT__LOG_LEVEL',
    enableTls: 'QDRANT__SERVICE__ENABLE_TLS',
    p2pTls: 'QDRANT__CLUSTER__P2P__ENABLE_TLS',
    p2pPort: 'QDRANT__CLUSTER__P2P__PORT',
    tlsCert: 'QDRANT__TLS__CERT',
    tlsKey: 'QDRANT__TLS__KEY',
    tlsCaCert: 'QDRANT__TLS__CA_CERT',
    telemetryDisabled: 'QDRANT__TELEMETRY_DISABLED',
    // Snapshot storage in S3 (storage.snapshots_config of Qdrant's config; lib/collection snapshots_manager.rs).
    snapshotsStorage: 'QDRANT__STORAGE__SNAPSHOTS_CONFIG__SNAPSHOTS_STORAGE',
    s3Bucket: 'QDRANT__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__BUCKET',
    s3Region: 'QDRANT__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__REGION',
    s3EndpointUrl: 'QDRANT__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__ENDPOINT_URL',
    s3AccessKey: 'QDRANT__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__ACCESS_KEY',
    s3SecretKey: 'QDRANT__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__SECRET_KEY',
    /** Qdrant's S3 client (object_store's AmazonS3Builder::from_env) reads it: virtual-hosted addressing. */
    s3VirtualHosted: 'AWS_VIRTUAL_HOSTED_STYLE_REQUEST',
    snapshotsPath: 'QDRANT__STORAGE__SNAPSHOTS_PATH',
    tempPath: 'QDRANT__STORAGE__TEMP_PATH',
  },
  /** Capacity planning: vectors × dimensions × 4 bytes (float32) × 1.5 (index and optimiser headroom). */
  sizing: { bytesPerDimension: 4, overheadFactor: 1.5 },
} as const;

/** What shapes Qdrant's environment. */
export interface QdrantEnvironmentOptions {
  /** A read-only API key beside the admin key. */
  readonly readOnlyKey: boolean;
  /** TLS on REST and gRPC (and p2p in a cluster), from files under QDRANT.paths.tls. */
  readonly tls: boolean;
  /** Distributed mode. */
  readonly cluster: boolean;
}

/** Qdrant's environment on every target. Telemetry to telemetry.qdrant.io is off: production stays quiet. */
export function qdrantEnvironment(options: QdrantEnvironmentOptions): Environment {
  const tlsFile = (file: string) => value(`${QDRANT.paths.tls}/${file}`);
  return {
    [QDRANT.env.apiKey]: secret('QDRANT_API_KEY'),
    ...(options.readOnlyKey ? { [QDRANT.env.readOnlyApiKey]: secret('QDRANT_READ_ONLY_API_KEY') } : {}),
    [QDRANT.env.telemetryDisabled]: value('true'),
    ...(options.cluster ? { [QDRANT.env.clusterEnabled]: value('true'), [QDRANT.env.p2pPort]: value(String(QDRANT.ports.p2p)) } : {}),
    ...(options.tls
      ? {
          [QDRANT.env.enableTls]: value('true'),
          [QDRANT.env.tlsCert]: tlsFile(QDRANT.tlsFiles.cert),
          [QDRANT.env.tlsKey]: tlsFile(QDRANT.tlsFiles.key),
          [QDRANT.env.tlsCaCert]: tlsFile(QDRANT.tlsFiles.ca),
          ...(options.cluster ? { [QDRANT.env.p2pTls]: value('true') } : {}),
        }
      : {}),
  };
}

/** The image reference for a Qdrant version, always the unprivileged variant (behind the model's registry and digest). */
export function qdrantImage(version: string, source?: ImageSource): string {
  return imageReference({ key: 'qdrant', repository: QDRANT.imageRepository, tag: `v${version}${QDRANT.unprivilegedTagSuffix}` }, source);
}
