/** Redis: the search cache and the embedding job queue. */
import { REDIS, redisConfig, redisEnvironment, redisImage, redisPing, writeAuthScript } from '../../components/redis';
import { parseBytes } from '../../config/quantity';
import { redisResources } from '../../config/resources';
import { Redis } from '../../constructs/redis';
import { extraEnvironment } from '../../config/placement';
import { writeFileScript } from '../../local/types';
import { instanceName, objectName } from '../../naming';
import type { StackComponent } from '../component';
import { resourceRow, tcp } from './shared';
import { REDIS_EXPORTER, REDIS_EXPORTER_RESOURCES } from '../../components/redis-exporter';

export const redisComponent: StackComponent = {
  key: 'redis',
  enabled: (config) => config.redis.enabled,
  secrets: () => [{ env: 'REDIS_PASSWORD', description: "Redis' password" }],

  kubernetes({ scope, config, namespace, secretGenerator }) {
    const { enabled: _enabled, ...model } = config.redis;
    const redis = new Redis(scope, 'redis', { ...model, name: instanceName(config.name, 'redis'), partOf: config.name, namespace, secretGenerator, exporter: config.alerts.enabled, images: config.images });
    // With alerts, Prometheus scrapes the exporter beside Redis, from its own namespace only.
    const prometheus = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': config.metrics.prometheusNamespace } } };
    return {
      construct: redis,
      connection: { REDIS_URL: redis.url },
      secrets: { REDIS_PASSWORD: redis.passwordSecret },
      servers: [
        {
          name: redis.primaryHost,
          podSelector: redis.podSelector,
          ports: [REDIS.port],
          ingress: config.alerts.enabled ? [{ from: [prometheus], ports: [tcp(REDIS_EXPORTER.port)] }] : undefined,
        },
      ],
    };
  },

  local(config) {
    const r = config.redis;
    const conf = redisConfig({ maxMemoryBytes: parseBytes(r.maxMemory)!, maxMemoryPolicy: r.maxMemoryPolicy, persistence: r.persistence });
    return [
      {
        name: 'redis',
        image: redisImage(r.version, config.images),
        user: `${REDIS.uid}:${REDIS.gid}`,
        // The Kubernetes init container's job, done in the same container before Redis starts; and the config
        // written into a tmpfs: a read-only service can have no file mounted in (Compose refuses inline configs
        // there — docker/compose#12031 — and Docker an upload into a read-only root).
        entrypoint: ['/bin/sh', '-c', `${writeAuthScript('env')}\n${writeFileScript(`${REDIS.paths.config}/redis.conf`, conf)}\nexec redis-server ${REDIS.paths.config}/redis.conf`],
        environment: { ...redisEnvironment(), ...extraEnvironment(r.pod.extraEnv) },
        ports: [{ name: 'redis', container: REDIS.port, host: REDIS.port }],
        volumes: [{ name: 'redis-data', path: REDIS.paths.data }],
        tmpfs: [REDIS.paths.auth, REDIS.paths.config, REDIS.paths.tmp],
        files: [],
        healthcheck: { test: ['CMD-SHELL', redisPing()], intervalSeconds: 10, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 300 },
        dependsOn: [],
        restart: 'unless-stopped',
        resources: redisResources(r),
        kubernetes: { kind: 'Deployment', name: objectName('Deployment', instanceName(config.name, 'redis')) },
      },
    ];
  },

  plan(config) {
    const r = config.redis;
    const exporter = config.alerts.enabled ? [resourceRow('redis-exporter', 1, REDIS_EXPORTER_RESOURCES, '0', 'sidecar in the Redis pod (alerts)')] : [];
    return { rows: [resourceRow('redis', 1, redisResources(r), r.persistence ? r.storage.size : '0', `maxmemory ${r.maxMemory}`), ...exporter], jobs: [] };
  },
};
