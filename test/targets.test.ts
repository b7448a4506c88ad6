/**
 * One source of truth: Kubernetes, Compose and Pulumi render each component with the same image, the same
 * environment variable names and the same ports, because all three read the same component facts.
 */
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { renderCompose } from '../src/compose/render';
import { resolveConfig } from '../src/config/load';
import type { StackInput } from '../src/config/schema';
import { localStack } from '../src/local/services';
import { dockerStack } from '../src/pulumi/docker-stack';
import { mockPulumi, settle } from './support/pulumi-mocks';
import { find, synthStack } from './support/stack';

const created = mockPulumi();
/** Local-only helpers (volume ownership), with no Kubernetes counterpart: fsGroup does that job there. */
const LOCAL_ONLY = localStack(resolveConfig({})).services.filter((s) => s.localOnly).map((s) => s.name);

test('the only local-only service is the Ollama volume chown; every other names its Kubernetes workload', () => {
  expect(LOCAL_ONLY).toEqual(['ollama-volumes']);
  const services = localStack(resolveConfig({})).services;
  expect(services.filter((s) => !s.localOnly && !s.kubernetes).map((s) => s.name)).toEqual([]);
  expect(services.filter((s) => s.kubernetes).map((s) => s.name)).toEqual(['qdrant', 'collections', 'ollama', 'ollama-pull', 'redis']);
});

interface View {
  image: string;
  env: string[];
  ports: number[];
}

function kubernetesView(input: StackInput): Record<string, View> {
  const objects = synthStack({ name: 'qdrant-stack', ...input });
  /** `fromConnection`: names the container reads from the connection ConfigMap (`envFrom`), checked to be there. */
  const view = (kind: string, name: string, fromConnection: string[] = []): View => {
    const c = find(objects, kind, name).spec.template.spec.containers[0];
    const connection = Object.assign({}, ...(c.envFrom ?? []).map((from: any) => find(objects, 'ConfigMap', from.configMapRef.name).data));
    for (const key of fromConnection) expect([name, key, connection[key]]).toEqual([name, key, expect.any(String)]);
    return { image: c.image, env: [...(c.env ?? []).map((e: any) => e.name), ...fromConnection].sort(), ports: (c.ports ?? []).map((p: any) => p.containerPort) };
  };
  // Every local service that has a Kubernetes counterpart, as its component's descriptor names it.
  const services = localStack(resolveConfig({ name: 'qdrant-stack', ...input })).services.filter((s) => s.kubernetes);
  return Object.fromEntries(services.map((s) => [s.name, view(s.kubernetes!.kind, s.kubernetes!.name, [...(s.kubernetes!.fromConnection ?? [])])]));
}

function composeView(input: StackInput): Record<string, View> {
  const services = parse(renderCompose(resolveConfig(input))).services;
  return Object.fromEntries(
    Object.entries<any>(services)
      .filter(([name]) => !LOCAL_ONLY.includes(name))
      .map(([name, s]) => [
      name,
      { image: s.image, env: Object.keys(s.environment).sort(), ports: (s.ports ?? []).map((p: string) => Number(p.split(':').pop())) },
    ]),
  );
}

async function pulumiView(input: StackInput): Promise<Record<string, View>> {
  const prefix = `agree-${created.length}`;
  const stack = dockerStack(prefix, { config: resolveConfig(input), qdrantApiKey: pulumi.secret('k'), qdrantReadOnlyApiKey: pulumi.secret('r'), redisPassword: pulumi.secret('p') });
  const entries = await Promise.all(
    Object.entries(stack.containers)
      .filter(([name]) => !LOCAL_ONLY.includes(name))
      .map(async ([name, container]) => {
      await settle(container.id);
      const inputs = created.find((r) => r.type === 'docker:index/container:Container' && r.name === `${prefix}-${name}`)!.inputs;
      const envs = (await settle(container.envs)).value ?? [];
      const view: View = {
        image: String(inputs.image).split('@')[0],
        env: envs.map((e: string) => e.split('=')[0]).sort(),
        ports: (inputs.ports ?? []).map((p: any) => p.internal),
      };
      return [name, view] as const;
    }),
  );
  return Object.fromEntries(entries);
}

describe.each([
  ['default stack', {}],
  ['other versions and settings', { qdrant: { version: '1.18.2' }, ollama: { version: '0.19.0', keepAlive: '2h', models: ['llama3.2:1b'] }, redis: { version: '8.8.3' } }],
])('the three targets agree: %s', (_title, input: StackInput) => {
  test('same images, same env names, same ports for every component', async () => {
    const k8s = kubernetesView(input);
    const compose = composeView(input);
    const docker = await pulumiView(input);
    expect(Object.keys(compose).sort()).toEqual(Object.keys(k8s).sort());
    expect(Object.keys(docker).sort()).toEqual(Object.keys(k8s).sort());
    for (const name of Object.keys(k8s)) {
      expect({ name, ...compose[name] }).toEqual({ name, ...k8s[name] });
      expect({ name, ...docker[name] }).toEqual({ name, ...k8s[name] });
    }
  });
});

test('a version in the model reaches every target', async () => {
  const input = { qdrant: { version: '1.18.2' } };
  expect(kubernetesView(input).qdrant.image).toBe('qdrant/qdrant:v1.18.2-unprivileged');
  expect(composeView(input).qdrant.image).toBe('qdrant/qdrant:v1.18.2-unprivileged');
  expect((await pulumiView(input)).qdrant.image).toBe('qdrant/qdrant:v1.18.2-unprivileged');
});
