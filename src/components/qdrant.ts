import { Environment, secret, value } from './env';

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
  /** WORKDIR is /qdrant; with a read-only root these must be volumes. */
  paths: { storage: '/qdrant/storage', snapshots: '/qdrant/snapshots', tmp: '/tmp' },
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
    telemetryDisabled: 'QDRANT__TELEMETRY_DISABLED',
  },
  /** Capacity planning: vectors × dimensions × 4 bytes (float32) × 1.5 (index and optimiser headroom). */
  sizing: { bytesPerDimension: 4, overheadFactor: 1.5 },
} as const;

/** Qdrant's environment on every target. Telemetry to telemetry.qdrant.io is off: production stays quiet. */
export function qdrantEnvironment(): Environment {
  return {
    [QDRANT.env.apiKey]: secret('QDRANT_API_KEY'),
    [QDRANT.env.telemetryDisabled]: value('true'),
  };
}

/** The image reference for a Qdrant version, always the unprivileged variant. */
export function qdrantImage(version: string): string {
  return `${QDRANT.imageRepository}:v${version}${QDRANT.unprivilegedTagSuffix}`;
}
