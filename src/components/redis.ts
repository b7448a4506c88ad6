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

export function redisImage(version: string): string {
  return `${REDIS.imageRepository}:${version}`;
}
