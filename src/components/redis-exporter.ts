import type { ComputedResources } from '../config/resources';
import { Environment, secret, value } from './env';
import { REDIS } from './redis';
import { imageReference, type ImageSource } from './images';

/**
 * Facts about oliver006/redis_exporter (v1.88.0): a static binary on a scratch image that runs as
 * uid/gid 59000 and serves /metrics and /health on 9121. It reads the password from REDIS_PASSWORD
 * (env, never an argument); its metrics carry the `redis_` prefix: `redis_up` (1 when its last scrape of
 * Redis succeeded), `redis_memory_used_bytes`, `redis_memory_max_bytes`.
 */
export const REDIS_EXPORTER = {
  version: '1.88.0',
  imageRepository: 'oliver006/redis_exporter',
  uid: 59000,
  gid: 59000,
  port: 9121,
  /** Name of the port on the pod and on the Redis Service (the ServiceMonitor scrapes it by name). */
  portName: 'metrics',
  paths: { metrics: '/metrics', health: '/health' },
} as const;

/** The exporter's environment: Redis beside it in the pod, the password from the Redis password's secret. */
export function redisExporterEnvironment(): Environment {
  return {
    REDIS_ADDR: value(`redis://127.0.0.1:${REDIS.port}`),
    REDIS_PASSWORD: secret('REDIS_PASSWORD'),
    REDIS_EXPORTER_WEB_LISTEN_ADDRESS: value(`:${REDIS_EXPORTER.port}`),
  };
}

/** The exporter answers one scrape at a time with a few KiB of text. */
export const REDIS_EXPORTER_RESOURCES: ComputedResources = { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } };

export function redisExporterImage(version: string = REDIS_EXPORTER.version, source?: ImageSource): string {
  return imageReference({ key: 'redisExporter', repository: REDIS_EXPORTER.imageRepository, tag: `v${version}` }, source);
}
