import { Environment, secret } from './env';
import { imageReference, type ImageSource } from './images';

/**
 * Facts about Redis on the official image (not Bitnami: its free images stopped receiving updates in
 * August 2025). The Debian variant has the `redis` user as uid/gid 999 and data in /data.
 */
export const REDIS = {
  version: '8.10.2',
  imageRepository: 'redis',
  uid: 999,
  gid: 999,
  port: 6379,
  paths: { data: '/data', config: '/etc/redis', auth: '/run/redis-auth', secret: '/run/secrets/redis', tmp: '/tmp' },
  /** redis-cli reads the password from this variable, so probes never carry it in their arguments. */
  cliAuthEnv: 'REDISCLI_AUTH',
  evictionPolicies: ['noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'],
} as const;

/** Redis' environment on every target: only the password, for redis-cli (probes, health checks). */
export function redisEnvironment(): Environment {
  return { [REDIS.cliAuthEnv]: secret('REDIS_PASSWORD') };
}

/**
 * redis.conf without the password: that comes from an include written at start-up (see
 * {@link writeAuthScript}), so the config can live in a ConfigMap or a Compose config.
 */
export function redisConfig(props: { maxMemoryBytes: number; maxMemoryPolicy: string; persistence: boolean; port?: number }): string {
  return [
    `port ${props.port ?? REDIS.port}`,
    'bind * -::*',
    `dir ${REDIS.paths.data}`,
    `maxmemory ${props.maxMemoryBytes}`,
    `maxmemory-policy ${props.maxMemoryPolicy}`,
    `appendonly ${props.persistence ? 'yes' : 'no'}`,
    ...(props.persistence ? ['appendfsync everysec'] : ['save ""']),
    `include ${REDIS.paths.auth}/auth.conf`,
    '',
  ].join('\n');
}

/**
 * Shell that writes `requirepass` into the auth include, escaping `\\` and `"`: from the mounted Secret
 * file (Kubernetes) or from REDISCLI_AUTH (local targets). The password is never in an argument.
 */
export function writeAuthScript(source: 'file' | 'env'): string {
  const read = source === 'file' ? `cat "${REDIS.paths.secret}/password"` : `printf '%s' "$${REDIS.cliAuthEnv}"`;
  return [
    'set -eu',
    'umask 077',
    `password=$(${read} | sed -e 's/[\\\\"]/\\\\&/g')`,
    `printf 'requirepass "%s"\\n' "$password" > "${REDIS.paths.auth}/auth.conf"`,
  ].join('\n');
}

/** The authenticated health check (shell): redis-cli reads the password from REDISCLI_AUTH. */
export function redisPing(port: number = REDIS.port): string {
  return `redis-cli -h 127.0.0.1 -p ${port} ping | grep -q PONG`;
}

export function redisImage(version: string, source?: ImageSource): string {
  return imageReference({ key: 'redis', repository: REDIS.imageRepository, tag: version }, source);
}
