import { parse } from 'yaml';
import { imageReference, imageTag } from '../src/components/images';
import { renderCompose } from '../src/compose/render';
import { resolveConfig } from '../src/config/load';
import type { StackInput } from '../src/config/schema';
import { dockerStack } from '../src/pulumi/docker-stack';
import { mockPulumi, settle } from './support/pulumi-mocks';
import { podSpecs, synthStack } from './support/stack';
import { problemsOf } from './support/problems';

const created = mockPulumi();


const digest = (c: string) => `sha256:${c.repeat(64)}`;
const REGISTRY = 'mirror.example.com:5000/dockerhub';
const DIGESTS = { qdrant: digest('1'), ollama: digest('2'), redis: digest('3'), runner: digest('4'), redisExporter: digest('5') };
/** Every image the stack runs, by its digest key, as it must come out. */
const EXPECTED: Record<string, string> = {
  qdrant: `${REGISTRY}/qdrant/qdrant:v1.19.0-unprivileged@${DIGESTS.qdrant}`,
  ollama: `${REGISTRY}/ollama/ollama:0.20.6@${DIGESTS.ollama}`,
  redis: `${REGISTRY}/library/redis:8.10.2@${DIGESTS.redis}`,
  runner: `${REGISTRY}/library/node:22-alpine@${DIGESTS.runner}`,
  // The sidecar alerts add beside Redis.
  redisExporter: `${REGISTRY}/oliver006/redis_exporter:v1.88.0@${DIGESTS.redisExporter}`,
};
const model: StackInput = {
  name: 'img',
  qdrant: { replicas: 3 },
  snapshots: { enabled: true },
  metrics: { serviceMonitor: true },
  alerts: { enabled: true },
  images: { registry: REGISTRY, pullSecrets: ['mirror-pull', 'backup-pull'], digests: DIGESTS },
};

describe('imageReference', () => {
  test('Docker Hub as is; behind a mirror with the full path of official images; pinned by digest', () => {
    const redis = { key: 'redis', repository: 'redis', tag: '8.10.2' };
    expect(imageReference(redis)).toBe('redis:8.10.2');
    expect(imageReference(redis, { registry: 'mirror.local' })).toBe('mirror.local/library/redis:8.10.2');
    expect(imageReference({ key: 'qdrant', repository: 'qdrant/qdrant', tag: 'v1' }, { registry: 'mirror.local', digests: { redis: digest('a') } })).toBe('mirror.local/qdrant/qdrant:v1');
    expect(imageReference(redis, { digests: { redis: digest('a') } })).toBe(`redis:8.10.2@${digest('a')}`);
  });

  test('imageTag reads the tag behind a registry port and before a digest', () => {
    expect(imageTag(EXPECTED.ollama)).toBe('0.20.6');
    expect(imageTag('registry.local:5000/ollama')).toBeUndefined();
  });
});

describe('images on Kubernetes', () => {
  const objects = synthStack(model);
  const pods = podSpecs(objects);

  test('every container of every pod runs a mirrored, pinned image', () => {
    const images = pods.flatMap(({ spec }) => [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => c.image));
    expect(images.length).toBeGreaterThanOrEqual(9);
    for (const image of images) expect(Object.values(EXPECTED)).toContain(image);
    // Each image is used where it belongs.
    const imageOf = (kind: string, name: string) => pods.find((p) => p.owner.kind === kind && p.owner.metadata.name.startsWith(name))!.spec.containers[0].image;
    const redis = pods.find((p) => p.owner.metadata.name === 'img-redis')!.spec;
    expect(redis.containers.map((c: any) => [c.name, c.image])).toEqual([['redis', EXPECTED.redis], ['exporter', EXPECTED.redisExporter]]);
    expect([imageOf('StatefulSet', 'img-qdrant'), imageOf('Deployment', 'img-ollama'), imageOf('Deployment', 'img-redis'), imageOf('CronJob', 'img-qdrant-snapshots'), imageOf('Job', 'img-ollama-pull-models'), imageOf('Job', 'img-secret-generator')]).toEqual([
      EXPECTED.qdrant,
      EXPECTED.ollama,
      EXPECTED.redis,
      EXPECTED.runner,
      EXPECTED.ollama,
      EXPECTED.runner,
    ]);
  });

  test('imagePullSecrets on every pod, Deployments, StatefulSet, Jobs and CronJob alike', () => {
    expect(new Set(pods.map((p) => p.owner.kind))).toEqual(new Set(['Deployment', 'StatefulSet', 'Job', 'CronJob']));
    for (const { owner, spec } of pods) expect([owner.metadata.name, spec.imagePullSecrets]).toEqual([owner.metadata.name, [{ name: 'mirror-pull' }, { name: 'backup-pull' }]]);
  });

  test('the version label still reads the release behind a registry and digest', () => {
    const pull = pods.find((p) => p.owner.metadata.name.startsWith('img-ollama-pull-models'))!.owner;
    expect(pull.metadata.labels!['app.kubernetes.io/version']).toBe('0.20.6');
  });

  test('without an images section: Docker Hub, no pull Secrets', () => {
    const plain = podSpecs(synthStack({ name: 'img' }));
    expect(plain.map((p) => p.spec.containers[0].image)).toContain('qdrant/qdrant:v1.19.0-unprivileged');
    for (const { spec } of plain) expect(spec.imagePullSecrets).toBeUndefined();
  });
});

describe('images on the local targets', () => {
  const config = resolveConfig(model);

  test('Compose: every service on the same references', () => {
    const services = parse(renderCompose(config)).services as Record<string, { image: string }>;
    expect(Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.image]))).toEqual({
      collections: EXPECTED.runner,
      ollama: EXPECTED.ollama,
      'ollama-pull': EXPECTED.ollama,
      'ollama-volumes': EXPECTED.ollama,
      qdrant: EXPECTED.qdrant,
      redis: EXPECTED.redis,
    });
  });

  test('Pulumi: one RemoteImage per reference, by its full name', async () => {
    const stack = dockerStack('img', { config, secrets: { QDRANT_API_KEY: 'k', QDRANT_READ_ONLY_API_KEY: 'r', REDIS_PASSWORD: 'p' } });
    await Promise.all(Object.values(stack.containers).map((c) => settle(c.id)));
    const names = created.filter((r) => r.type === 'docker:index/remoteImage:RemoteImage').map((r) => r.inputs.name);
    const { redisExporter: _kubernetesOnly, ...local } = EXPECTED;
    expect(names.sort()).toEqual(Object.values(local).sort());
  });
});

describe('images validation', () => {
  test('registry, digests and pull Secrets are checked', () => {
    expect(
      problemsOf({ images: { registry: 'https://mirror.example.com/', pullSecrets: ['Bad_Name'], digests: { qdrant: 'sha256:abc', nginx: digest('1') } } }),
    ).toEqual([
      'images.registry: must be a registry host with an optional port and path, such as "mirror.example.com/dockerhub" or "registry.local:5000" (no scheme, no trailing "/") (got "https://mirror.example.com/")',
      'images.pullSecrets[0]: must be a DNS-1123 subdomain (lowercase letters, digits, "-" and ".") (got "Bad_Name")',
      'images.digests.qdrant: must be an image digest: "sha256:" followed by 64 lowercase hex digits (got "sha256:abc")',
      expect.stringMatching(/^images\.digests\.nginx: unknown key \(expected one of: qdrant, ollama, redis, runner, redisExporter\)/),
    ]);
    for (const registry of ['mirror.example.com/DockerHub', 'mirror', 'mirror.example.com/a:tag']) expect(problemsOf({ images: { registry } })).toEqual([expect.stringMatching(/^images\.registry: must be a registry host/)]);
  });

  test('a host, a port and a path are all accepted', () => {
    for (const registry of ['localhost:5000', 'mirror:5000', 'registry.local', 'harbor.example.com/proxy-cache', 'mirror.example.com:443/a/b_c']) expect(resolveConfig({ images: { registry } }).images.registry).toBe(registry);
  });
});
