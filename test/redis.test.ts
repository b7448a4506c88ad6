import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS } from '../src/components/redis';
import { redisConfig, writeAuthScript } from '../src/components/redis';
import { find, synthStack } from './support/stack';
import { freePort, hasRedisServer, startRedisServer } from './support/redis-server';

describe('Redis manifests', () => {
  const objects = synthStack({ name: 'test' });
  const deployment = find(objects, 'Deployment', 'test-redis');
  const pod = deployment.spec.template.spec;
  const redis = pod.containers[0];

  test('official image pinned (not Bitnami), uid/gid 999, Recreate with a PVC on /data', () => {
    expect(redis.image).toBe('redis:8.10.2');
    expect(pod.initContainers[0].image).toBe('redis:8.10.2');
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true });
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    const data = pod.volumes.find((v: any) => v.name === 'data');
    expect(data.persistentVolumeClaim.claimName).toBe('test-redis-data');
    expect(find(objects, 'PersistentVolumeClaim', 'test-redis-data').spec.resources.requests.storage).toBe('8Gi');
    expect(redis.volumeMounts.find((m: any) => m.name === 'data').mountPath).toBe('/data');
  });

  test('maxmemory, policy and appendonly live in a config file; the password does not', () => {
    const config = find(objects, 'ConfigMap', 'test-redis-config').data['redis.conf'];
    expect(config).toContain('maxmemory 268435456\n');
    expect(config).toContain('maxmemory-policy volatile-lru\n');
    expect(config).toContain('appendonly yes\n');
    expect(config).not.toMatch(/requirepass/);
    expect(redis.command).toEqual(['redis-server', '/etc/redis/redis.conf']);
  });

  test('the password reaches Redis only from the Secret: no args, no env literal, no ConfigMap', () => {
    const secretVolume = pod.volumes.find((v: any) => v.name === 'password');
    expect(secretVolume.secret).toMatchObject({ secretName: 'test-redis-password', items: [{ key: 'password', path: 'password' }] });
    expect(redis.env).toEqual([{ name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'test-redis-password', key: 'password' } } }]);
    for (const c of [...pod.containers, ...pod.initContainers]) {
      expect(JSON.stringify(c.command ?? [])).not.toMatch(/--requirepass|-a /);
      for (const e of c.env ?? []) expect(e.value).toBeUndefined();
    }
    expect(find(objects, 'Secret', 'test-redis-password').data).toBeUndefined();
  });

  test('probes run an authenticated redis-cli ping (password from REDISCLI_AUTH)', () => {
    for (const probe of [redis.readinessProbe, redis.livenessProbe, redis.startupProbe]) {
      expect(probe.exec.command).toEqual(['sh', '-c', 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG']);
    }
  });

  test('Service on 6379; resources follow maxmemory', () => {
    expect(find(objects, 'Service', 'test-redis').spec.ports).toEqual([{ name: 'redis', port: 6379, targetPort: 6379, appProtocol: 'redis' }]);
    expect(redis.resources).toEqual({ requests: { cpu: '100m', memory: '320Mi' }, limits: { cpu: '1', memory: '512Mi' } });
    const big = find(synthStack({ name: 'test', redis: { maxMemory: '2Gi' } }), 'Deployment', 'test-redis').spec.template.spec.containers[0];
    expect(big.resources.requests.memory).toBe('2560Mi');
    expect(big.resources.limits.memory).toBe('4Gi');
  });

  test('without persistence: emptyDir data, no append-only file, no RDB snapshots', () => {
    const ephemeral = synthStack({ name: 'test', redis: { persistence: false } });
    const spec = find(ephemeral, 'Deployment', 'test-redis').spec.template.spec;
    expect(spec.volumes.find((v: any) => v.name === 'data').emptyDir).toEqual({});
    expect(ephemeral.filter((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'test-redis-data')).toEqual([]);
    const config = find(ephemeral, 'ConfigMap', 'test-redis-config').data['redis.conf'];
    expect(config).toContain('appendonly no\n');
    expect(config).toContain('save ""\n');
  });

  test('an existing Secret is used as given; nothing is generated for Redis', () => {
    const objects = synthStack({ name: 'test', redis: { password: { secretName: 'redis-auth', key: 'pw' } } });
    const spec = find(objects, 'Deployment', 'test-redis').spec.template.spec;
    expect(spec.containers[0].env[0].valueFrom.secretKeyRef).toEqual({ name: 'redis-auth', key: 'pw' });
    expect(spec.volumes.find((v: any) => v.name === 'password').secret.items).toEqual([{ key: 'pw', path: 'password' }]);
    expect(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual(['test-qdrant-api-key', 'test-qdrant-read-only-api-key']);
  });
});

/**
 * The rendered redis.conf and the start-up auth script, run for real: paths are moved into a temp folder,
 * everything else is exactly what the pod runs.
 */
(hasRedisServer() ? describe : describe.skip)('Redis config and auth script on a real redis-server', () => {
  const password = 'p"w\\d $(not run) `x` 42';
  let dir: string;
  let port: number;
  let stop: () => Promise<void>;
  const cli = (args: string[], auth?: string) =>
    spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...(auth ? { REDISCLI_AUTH: auth } : {}) } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redis-conf-'));
    for (const sub of ['secret', 'auth', 'data']) mkdirSync(join(dir, sub));
    writeFileSync(join(dir, 'secret', 'password'), password);
    const relocate = (text: string) =>
      text.replaceAll(REDIS.paths.secret, join(dir, 'secret')).replaceAll(REDIS.paths.auth, join(dir, 'auth')).replaceAll(REDIS.paths.data, join(dir, 'data'));
    execFileSync('sh', ['-c', relocate(writeAuthScript('file'))]);
    port = await freePort();
    const config = relocate(redisConfig({ maxMemoryBytes: 64 * 2 ** 20, maxMemoryPolicy: 'volatile-lru', persistence: true }))
      .replace(`port ${REDIS.port}`, `port ${port}`)
      .replace('bind * -::*', 'bind 127.0.0.1');
    writeFileSync(join(dir, 'redis.conf'), config);
    ({ stop } = await startRedisServer(join(dir, 'redis.conf'), port));
  });
  afterAll(() => stop?.());

  test('the auth file is private to its owner', () => {
    const mode = execFileSync('stat', ['-c', '%a', join(dir, 'auth', 'auth.conf')], { encoding: 'utf8' }).trim();
    expect(mode).toBe('600');
    expect(readFileSync(join(dir, 'auth', 'auth.conf'), 'utf8')).toMatch(/^requirepass "/);
  });

  test('without the password Redis refuses; the probe command with REDISCLI_AUTH gets PONG', () => {
    expect(cli(['ping']).stdout).toMatch(/NOAUTH/);
    expect(cli(['ping'], 'wrong').stdout + cli(['ping'], 'wrong').stderr).toMatch(/WRONGPASS|invalid/i);
    expect(cli(['ping'], password).stdout.trim()).toBe('PONG');
    const probe = spawnSync('sh', ['-c', `redis-cli -h 127.0.0.1 -p ${port} ping | grep -q PONG`], { env: { PATH: process.env.PATH, REDISCLI_AUTH: password } });
    expect(probe.status).toBe(0);
    const refused = spawnSync('sh', ['-c', `redis-cli -h 127.0.0.1 -p ${port} ping | grep -q PONG`], { env: { PATH: process.env.PATH, REDISCLI_AUTH: 'nope' } });
    expect(refused.status).not.toBe(0);
  });

  test('the local targets write the same auth file from REDISCLI_AUTH instead of a Secret file', () => {
    const local = mkdtempSync(join(tmpdir(), 'redis-auth-env-'));
    execFileSync('sh', ['-c', writeAuthScript('env').replaceAll(REDIS.paths.auth, local)], { env: { PATH: process.env.PATH, REDISCLI_AUTH: password } });
    expect(readFileSync(join(local, 'auth.conf'), 'utf8')).toBe(readFileSync(join(dir, 'auth', 'auth.conf'), 'utf8'));
  });

  test('maxmemory, policy and append-only are in effect', () => {
    expect(cli(['config', 'get', 'maxmemory'], password).stdout).toContain(String(64 * 2 ** 20));
    expect(cli(['config', 'get', 'maxmemory-policy'], password).stdout).toContain('volatile-lru');
    expect(cli(['config', 'get', 'appendonly'], password).stdout).toContain('yes');
  });
});
