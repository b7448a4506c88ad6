import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { renderCompose } from '../src/compose/render';
import { resolveConfig } from '../src/config/load';
import { dockerStack } from '../src/pulumi/docker-stack';
import { mockPulumi, settle } from './support/pulumi-mocks';

const created = mockPulumi();
const QDRANT_KEY = 'pulumi-qdrant-key-51f0';
const REDIS_PASSWORD = 'pulumi-redis-pw-9e3a';
const READ_ONLY_KEY = 'pulumi-read-only-7c21';

const byType = (type: string) => created.filter((r) => r.type === type);
/** Registrations finish in any order: look containers up by name. */
const container = (service: string) => byType('docker:index/container:Container').find((c) => c.inputs.name === `qdrant-stack-${service}`)!.inputs;

describe('DockerStack (Pulumi, mocked engine)', () => {
  const stack = dockerStack('local', {
    config: resolveConfig({}),
    qdrantApiKey: pulumi.secret(QDRANT_KEY),
    qdrantReadOnlyApiKey: pulumi.secret(READ_ONLY_KEY),
    redisPassword: pulumi.secret(REDIS_PASSWORD),
  });
  // Registrations complete asynchronously: wait until every container has been registered.
  beforeAll(() => Promise.all(Object.values(stack.containers).map((c) => settle(c.id))));

  test('one network, the named volumes, one pulled image per distinct image', async () => {
    await settle(stack.qdrantUrl);
    expect(byType('docker:index/network:Network').map((r) => r.inputs.name)).toEqual(['qdrant-stack']);
    expect(byType('docker:index/volume:Volume').map((r) => r.inputs.name).sort()).toEqual([
      'qdrant-stack-ollama-home',
      'qdrant-stack-ollama-models',
      'qdrant-stack-qdrant-snapshots',
      'qdrant-stack-qdrant-storage',
      'qdrant-stack-redis-data',
    ]);
    expect(byType('docker:index/remoteImage:RemoteImage').map((r) => r.inputs.name).sort()).toEqual(['node:22-alpine', 'ollama/ollama:0.20.6', 'qdrant/qdrant:v1.19.0-unprivileged', 'redis:8.10.2']);
  });

  test('containers: pinned images, non-root users, read-only, no capabilities, ports on 127.0.0.1 only', async () => {
    const containers = byType('docker:index/container:Container');
    expect(containers.map((c) => c.inputs.name).sort()).toEqual(['qdrant-stack-collections', 'qdrant-stack-ollama', 'qdrant-stack-ollama-pull', 'qdrant-stack-ollama-volumes', 'qdrant-stack-qdrant', 'qdrant-stack-redis']);
    for (const c of containers) {
      expect(c.inputs).toMatchObject({ readOnly: true, securityOpts: ['no-new-privileges:true'] });
      expect(c.inputs.capabilities.drops).toEqual(['ALL']);
      for (const p of c.inputs.ports ?? []) expect(p.ip).toBe('127.0.0.1');
    }
    // Only the one-shot volume chown runs as root, with CHOWN alone; every service runs as its image's user.
    const root = containers.filter((c) => c.inputs.user === '0:0');
    expect(root.map((c) => [c.inputs.name, c.inputs.capabilities.adds])).toEqual([['qdrant-stack-ollama-volumes', ['CHOWN']]]);
    for (const c of containers.filter((x) => x !== root[0])) expect(c.inputs.user).toMatch(/^(1000:1000|999:999)$/);
    const qdrant = container('qdrant');
    expect(qdrant.image).toBe('qdrant/qdrant:v1.19.0-unprivileged@sha256:0');
    expect(qdrant.ports).toEqual([
      { internal: 6333, external: 6333, ip: '127.0.0.1' },
      { internal: 6334, external: 6334, ip: '127.0.0.1' },
    ]);
    expect(qdrant.volumes.map((v: any) => v.containerPath)).toEqual(['/qdrant/storage', '/qdrant/snapshots']);
    expect(qdrant.memory).toBe(2048);
    expect(qdrant.cpus).toBe('2');
  });

  test('health checks work inside each image (no curl in Qdrant); services wait until healthy', () => {
    const [qdrant, ollama, pull, redis] = ['qdrant', 'ollama', 'ollama-pull', 'redis'].map(container);
    expect(qdrant.healthcheck.tests.slice(0, 3)).toEqual(['CMD', 'bash', '-c']);
    expect(qdrant.healthcheck.tests[3]).toContain('/dev/tcp/127.0.0.1/6333');
    expect(qdrant.healthcheck.tests[3]).toContain('GET /readyz');
    expect(JSON.stringify(qdrant.healthcheck)).not.toMatch(/curl|wget/);
    expect(ollama.healthcheck.tests).toEqual(['CMD', 'ollama', 'list']);
    expect(redis.healthcheck.tests).toEqual(['CMD-SHELL', 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG']);
    expect([qdrant.wait, ollama.wait, redis.wait]).toEqual([true, true, true]);
    expect(pull).toMatchObject({ restart: 'no', mustRun: false, attach: true });
    expect(pull.networksAdvanced[0].aliases).toEqual(['ollama-pull']);
    expect(ollama.networksAdvanced[0].aliases).toEqual(['ollama']);
  });

  test('secrets reach the containers as secret outputs, never as plain state', async () => {
    const envOf = (name: string) => settle(stack.containers[name].envs);
    const qdrantEnv = await envOf('qdrant');
    const envs = { redis: await envOf('redis'), ollama: await envOf('ollama') };
    expect(qdrantEnv.value).toContain(`QDRANT__SERVICE__API_KEY=${QDRANT_KEY}`);
    expect(qdrantEnv.value).toContain(`QDRANT__SERVICE__READ_ONLY_API_KEY=${READ_ONLY_KEY}`);
    expect(qdrantEnv.secret).toBe(true);
    expect(envs.redis.value).toContain(`REDISCLI_AUTH=${REDIS_PASSWORD}`);
    expect(envs.redis.secret).toBe(true);
    // The Ollama containers carry no secret: their env stays readable.
    expect(envs.ollama.secret).toBe(false);
  });

  test("the collections one-shot: the Compose service's program, the admin key as a secret, run to completion", async () => {
    const collections = container('collections');
    // The program the Compose service runs for real (test/local-collections.test.ts), as the container gets it.
    const composed = parse(renderCompose(resolveConfig({}))).services.collections;
    expect(collections.entrypoints).toEqual(composed.entrypoint.map((part: string) => part.replaceAll('$$', '$')));
    expect(collections).toMatchObject({
      image: 'node:22-alpine@sha256:0',
      user: '1000:1000',
      readOnly: true,
      tmpfs: { '/tmp': '' },
      uploads: [],
      ports: [],
      volumes: [],
      restart: 'no',
      mustRun: false,
      attach: true,
      logs: true,
      memory: 128,
    });
    expect(collections.wait).toBeUndefined();
    expect(collections.networksAdvanced[0].aliases).toEqual(['collections']);
    const env = await settle(stack.containers.collections.envs);
    expect(env.value).toEqual(['QDRANT_URL=http://qdrant:6333', `QDRANT_API_KEY=${QDRANT_KEY}`, 'COLLECTIONS_FILE=/tmp/collections.json', 'COLLECTIONS_DEADLINE_S=600']);
    expect(env.secret).toBe(true);
    expect(JSON.stringify(collections.entrypoints)).not.toContain(QDRANT_KEY);
  });

  test('the Redis config is written by its entrypoint into a tmpfs (a read-only root takes no upload), without the password', () => {
    const redis = container('redis');
    expect(redis.uploads ?? []).toEqual([]);
    const script = redis.entrypoints.join(' ');
    expect(script).toContain("cat > '/etc/redis/redis.conf'");
    expect(script).toContain('maxmemory-policy volatile-lru');
    expect(script).not.toContain(REDIS_PASSWORD);
    expect((redis.tmpfs ?? {})['/etc/redis']).toBeDefined();
  });

  test('a missing secret is an error naming it', () => {
    expect(() => dockerStack('broken', { config: resolveConfig({}), qdrantApiKey: 'k', qdrantReadOnlyApiKey: 'r' })).toThrow("service 'redis' needs the secret REDIS_PASSWORD: pass it as secrets.REDIS_PASSWORD in DockerStackArgs");
    expect(() => dockerStack('broken-ro', { config: resolveConfig({}), qdrantApiKey: 'k' })).toThrow("service 'qdrant' needs the secret QDRANT_READ_ONLY_API_KEY");
  });
});
