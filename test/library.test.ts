/**
 * qdrant-stack as a construct library: QdrantStack in a user's own chart, next to their objects.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ConfigError, QdrantStack } from '../src';
import { CONFIG_CHECKSUM_ANNOTATION } from '../src/charts/finalize';
import { find, isNamed, Manifest, synthStack } from './support/stack';

const byKindAndName = (a: Manifest, b: Manifest) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`);

function apiDeployment(chart: Chart, id = 'api', namespace?: string): kplus.Deployment {
  const api = new kplus.Deployment(chart, id, {
    metadata: { name: id, ...(namespace ? { namespace } : {}) },
    containers: [{ name: 'api', image: 'ghcr.io/example/rag-api:1.0.0', portNumber: 8080 }],
  });
  return api;
}

describe('new QdrantStack(chart, id, props)', () => {
  test('with no props, in a chart without a namespace, renders exactly what the CLI renders for an empty config', () => {
    const chart = new Chart(Testing.app(), 'mine');
    new QdrantStack(chart, 'x', {});
    const construct = (Testing.synth(chart) as Manifest[]).sort(byKindAndName);
    const cli = synthStack({}).sort(byKindAndName);
    expect(construct.length).toBeGreaterThan(20);
    expect(construct).toEqual(cli);
  });

  test('lives in its chart\'s namespace and renders no Namespace object; the user\'s objects are left as they are', () => {
    const chart = new Chart(Testing.app(), 'apps', { namespace: 'search' });
    const stack = new QdrantStack(chart, 'vectors', { name: 'rag' });
    const userJob = new kplus.Job(chart, 'migrate', { metadata: { name: 'migrate' }, containers: [{ image: 'busybox:1.36', command: ['true'] }] });
    const objects = Testing.synth(chart) as Manifest[];
    expect(stack.namespace).toBe('search');
    expect(objects.filter((o) => o.kind === 'Namespace')).toEqual([]);
    expect(objects.filter((o) => o.kind !== 'PriorityClass').every((o) => o.metadata.namespace === 'search')).toBe(true);
    expect(stack.qdrant.url).toBe('http://rag-qdrant.search.svc:6333');
    expect(stack.redis!.url).toBe('redis://rag-redis.search.svc:6379');
    expect(stack.ollama!.url).toBe('http://rag-ollama.search.svc:11434');
    expect(find(objects, 'ConfigMap', 'rag-connection').data.QDRANT_URL).toBe(stack.qdrant.url);
    // The stack's Jobs are named by content and its pods carry config checksums; the user's Job is not renamed.
    expect(objects.find((o) => o.kind === 'Job' && isNamed(o, 'rag-smoke') && o.metadata.name !== 'rag-smoke')).toBeDefined();
    expect(find(objects, 'Deployment', 'rag-redis').spec.template.metadata.annotations[CONFIG_CHECKSUM_ANNOTATION]).toMatch(/^[0-9a-f]{64}$/);
    const migrate = objects.find((o) => o.kind === 'Job' && o.metadata.name === userJob.name)!;
    expect(migrate.spec.template.metadata?.annotations?.[CONFIG_CHECKSUM_ANNOTATION]).toBeUndefined();
  });

  test('a namespace of its own: its objects there, with its Namespace; the chart\'s other objects stay in the chart\'s', () => {
    const chart = new Chart(Testing.app(), 'apps', { namespace: 'web' });
    const stack = new QdrantStack(chart, 'vectors', { name: 'rag', namespace: 'vectors' });
    apiDeployment(chart);
    const objects = Testing.synth(chart) as Manifest[];
    expect(find(objects, 'Namespace', 'vectors').metadata.namespace).toBeUndefined();
    const stackObjects = objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/part-of'] === 'rag' && o.kind !== 'Namespace' && o.kind !== 'PriorityClass');
    expect(stackObjects.length).toBeGreaterThan(15);
    expect(stackObjects.filter((o) => o.metadata.namespace !== 'vectors')).toEqual([]);
    expect(find(objects, 'Deployment', 'api').metadata.namespace).toBe('web');
    expect(stack.qdrant.grpcUrl).toBe('http://rag-qdrant.vectors.svc:6334');
    expect(() => stack.connect(apiDeployment(chart, 'other'))).toThrow(/the workload is in namespace 'web', the stack in 'vectors'/);
  });

  test('createNamespace: true renders the chart\'s namespace too; false renders none for its own', () => {
    const inherited = new Chart(Testing.app(), 'apps', { namespace: 'search' });
    new QdrantStack(inherited, 's', { name: 'rag', createNamespace: true });
    expect(find(Testing.synth(inherited) as Manifest[], 'Namespace', 'search')).toBeDefined();
    const own = new Chart(Testing.app(), 'apps');
    new QdrantStack(own, 's', { name: 'rag', createNamespace: false });
    expect((Testing.synth(own) as Manifest[]).filter((o) => o.kind === 'Namespace')).toEqual([]);
  });

  test('invalid props are a ConfigError with every problem and its key path', () => {
    const chart = new Chart(Testing.app(), 'apps');
    let error: unknown;
    try {
      new QdrantStack(chart, 'bad', { name: 'Bad_Name', qdrant: { replicas: 0 }, redis: { maxMemory: '1Ki' }, olama: {} } as any);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'qdrant.replicas', 'redis.maxMemory', 'olama']));
    expect((error as ConfigError).message).toMatch(/^apps\/bad \(QdrantStack props\): invalid stack config/);
  });

  test('two stacks in one app each finish their own objects', () => {
    const app = new App();
    const a = new Chart(app, 'a', { namespace: 'team-a' });
    const b = new Chart(app, 'b', { namespace: 'team-b' });
    new QdrantStack(a, 'stack', { name: 'alpha' });
    new QdrantStack(b, 'stack', { name: 'beta', redis: { enabled: false } });
    const alpha = Testing.synth(a) as Manifest[];
    const beta = Testing.synth(b) as Manifest[];
    expect(alpha.every((o) => !o.metadata.name.startsWith('beta'))).toBe(true);
    expect(beta.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual(['beta-ollama', 'beta-qdrant']);
    expect(beta.filter((o) => o.kind === 'Job').every((o) => /^beta-.*-[0-9a-f]{8}$/.test(o.metadata.name))).toBe(true);
  });
});

describe('stack.connect(workload)', () => {
  function connected(options?: Parameters<QdrantStack['connect']>[1]) {
    const chart = new Chart(Testing.app(), 'apps', { namespace: 'search' });
    const stack = new QdrantStack(chart, 'vectors', { name: 'rag' });
    const api = apiDeployment(chart);
    stack.connect(api, options);
    const objects = Testing.synth(chart) as Manifest[];
    return { stack, objects, deployment: find(objects, 'Deployment', 'api') };
  }

  test('the client label, the connection ConfigMap as envFrom, and every secret as a secretKeyRef the stack renders', () => {
    const { stack, objects, deployment } = connected();
    const template = deployment.spec.template;
    expect(template.metadata.labels['qdrant-stack/client']).toBe('true');
    const container = template.spec.containers[0];
    expect(container.envFrom).toEqual([{ configMapRef: { name: stack.connection.configMapName } }]);
    const refs = Object.fromEntries(container.env.map((e: any) => [e.name, e.valueFrom.secretKeyRef]));
    expect(refs).toEqual({
      QDRANT_API_KEY: { name: 'rag-qdrant-api-key', key: 'api-key' },
      QDRANT_READ_ONLY_API_KEY: { name: 'rag-qdrant-read-only-api-key', key: 'api-key' },
      REDIS_PASSWORD: { name: 'rag-redis-password', key: 'password' },
    });
    for (const ref of Object.values(refs) as { name: string }[]) expect(find(objects, 'Secret', ref.name)).toBeDefined();
    // The user's Deployment is theirs: not renamed, not relabelled beyond the client label.
    expect(deployment.metadata.labels?.['app.kubernetes.io/part-of']).toBeUndefined();
  });

  test('readOnly: the read-only key, never the admin key', () => {
    const names = connected({ readOnly: true }).deployment.spec.template.spec.containers[0].env.map((e: any) => e.name);
    expect(names).toEqual(['QDRANT_READ_ONLY_API_KEY', 'REDIS_PASSWORD']);
  });

  test('only the named containers; an unknown one is an error naming the ones there are', () => {
    const chart = new Chart(Testing.app(), 'apps', { namespace: 'search' });
    const stack = new QdrantStack(chart, 'vectors', { name: 'rag' });
    const api = apiDeployment(chart);
    api.addContainer({ name: 'sidecar', image: 'envoyproxy/envoy:v1.31.0' });
    stack.connect(api, { containers: ['api'] });
    const containers = find(Testing.synth(chart) as Manifest[], 'Deployment', 'api').spec.template.spec.containers;
    expect(containers.find((c: any) => c.name === 'api').envFrom).toBeDefined();
    expect(containers.find((c: any) => c.name === 'sidecar').envFrom).toBeUndefined();
    expect(() => stack.connect(api, { containers: ['web'] })).toThrow("no container named 'web' (containers: api, sidecar)");
  });

  test('readOnly without a read-only key is refused', () => {
    const chart = new Chart(Testing.app(), 'apps', { namespace: 'search' });
    const stack = new QdrantStack(chart, 'vectors', { name: 'rag', qdrant: { readOnlyApiKey: 'none' } });
    expect(() => stack.connect(apiDeployment(chart), { readOnly: true })).toThrow(/readOnly needs a read-only API key/);
  });
});
