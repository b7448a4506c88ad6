import { find, Manifest, synthStack } from './support/stack';

const container = (objects: Manifest[], name: string) => find(objects, 'Deployment', name).spec.template.spec.containers[0];
const envOf = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('Ollama', () => {
  const objects = synthStack({ name: 'test', ollama: { models: ['llama3.2:1b'], keepAlive: '24h', numParallel: 2 } });
  const deployment = find(objects, 'Deployment', 'test-ollama');
  const ollama = container(objects, 'test-ollama');

  test('pinned image, Recreate, non-root with HOME and OLLAMA_MODELS on writable volumes', () => {
    expect(ollama.image).toBe('ollama/ollama:0.20.6');
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
    const env = envOf(ollama);
    const mounts = Object.fromEntries(ollama.volumeMounts.map((m: any) => [m.mountPath, m.name]));
    expect(mounts[env.HOME]).toBe('home');
    expect(mounts[env.OLLAMA_MODELS]).toBe('models');
    expect(mounts['/tmp']).toBe('tmp');
    const volumes = Object.fromEntries(deployment.spec.template.spec.volumes.map((v: any) => [v.name, v]));
    expect(volumes.models.persistentVolumeClaim.claimName).toBe('test-ollama-models');
    expect(volumes.home.emptyDir).toEqual({});
    expect(find(objects, 'PersistentVolumeClaim', 'test-ollama-models').spec.resources.requests.storage).toBe('20Gi');
  });

  test('listens on 11434 on all interfaces, keep-alive and parallelism from the model', () => {
    expect(envOf(ollama)).toMatchObject({ OLLAMA_HOST: '0.0.0.0:11434', OLLAMA_KEEP_ALIVE: '24h', OLLAMA_NUM_PARALLEL: '2' });
    const service = find(objects, 'Service', 'test-ollama');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 11434, targetPort: 11434, appProtocol: 'http' }]);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
  });

  test('probes GET / on 11434, startup allows 5 minutes', () => {
    for (const probe of [ollama.readinessProbe, ollama.livenessProbe, ollama.startupProbe]) expect(probe.httpGet).toMatchObject({ path: '/', port: 11434 });
    expect(ollama.startupProbe.periodSeconds * ollama.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
  });

  test('models are pulled by a Job after sync (embedding model first), never by a postStart hook', () => {
    expect(ollama.lifecycle).toBeUndefined();
    const job = find(objects, 'Job', 'test-ollama-pull-models');
    const pull = job.spec.template.spec.containers[0];
    expect(pull.image).toBe(ollama.image);
    expect(envOf(pull)).toMatchObject({ OLLAMA_HOST: 'http://test-ollama:11434', MODELS: 'mxbai-embed-large llama3.2:1b' });
    expect(pull.command.join(' ')).toContain('until ollama list');
    expect(pull.command.join(' ')).toContain('ollama pull "$model"');
    expect(job.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,HookSucceeded' });
    expect(job.spec).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 3600 });
    expect(job.spec.template.metadata.labels['qdrant-stack/client']).toBe('true');
  });

  test('no GPU by default: no GPU limit, toleration or RuntimeClass', () => {
    expect(ollama.resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(deployment.spec.template.spec.tolerations).toBeUndefined();
    expect(deployment.spec.template.spec.runtimeClassName).toBeUndefined();
  });

  test('GPUs: nvidia.com/gpu limit and toleration; no RuntimeClass unless asked (GKE and AKS-managed pools have none)', () => {
    const gpu = synthStack({ name: 'test', ollama: { gpus: 2 } });
    const spec = find(gpu, 'Deployment', 'test-ollama').spec.template.spec;
    expect(spec.containers[0].resources.limits).toMatchObject({ 'nvidia.com/gpu': 2, cpu: '4', memory: '6Gi' });
    expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec.runtimeClassName).toBeUndefined();
    const nvidia = find(synthStack({ name: 'test', ollama: { gpus: 1, runtimeClassName: 'nvidia' } }), 'Deployment', 'test-ollama').spec.template.spec;
    expect(nvidia.runtimeClassName).toBe('nvidia');
    const explicitNone = find(synthStack({ name: 'test', ollama: { gpus: 1, runtimeClassName: null } }), 'Deployment', 'test-ollama').spec.template.spec;
    expect(explicitNone.runtimeClassName).toBeUndefined();
  });

  test('with pulling off there is no Job and no internet egress', () => {
    const offline = synthStack({ name: 'test', ollama: { pullModels: false } });
    expect(offline.filter((o) => o.kind === 'Job' && o.metadata.name.includes('pull'))).toEqual([]);
    // DNS only: no rule reaches beyond the cluster.
    expect(find(offline, 'NetworkPolicy', 'test-ollama').spec.egress).toEqual([{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }]);
  });

  test('disabled: nothing of Ollama is rendered', () => {
    const objects = synthStack({ name: 'test', ollama: { enabled: false } });
    expect(objects.filter((o) => o.metadata.name.includes('ollama'))).toEqual([]);
    expect(find(objects, 'ConfigMap', 'test-connection').data.OLLAMA_URL).toBeUndefined();
  });
});

describe('embedding consistency', () => {
  const problems = (input: object): string => {
    try {
      synthStack(input);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected the config to be invalid');
  };

  test('a collection size that differs from the model names both', () => {
    expect(problems({ qdrant: { collections: [{ name: 'docs', vectorSize: 1536, distance: 'Cosine' }] } })).toContain(
      'qdrant.collections[0].vectorSize: 1536 does not match ollama.embeddingModel mxbai-embed-large (1024 dimensions)',
    );
  });

  test('the registry knows the usual models and tags', () => {
    const ok = (model: string, size: number) => expect(() => synthStack({ ollama: { embeddingModel: model }, qdrant: { collections: [{ name: 'c', vectorSize: size, distance: 'Cosine' }] } })).not.toThrow();
    ok('nomic-embed-text', 768);
    ok('all-minilm', 384);
    ok('bge-m3', 1024);
    ok('embeddinggemma', 768);
    ok('snowflake-arctic-embed:l', 1024);
    ok('mxbai-embed-large:335m', 1024);
  });

  test('an unknown model (or a tag of other size) needs embeddingDimensions, which then decides', () => {
    expect(problems({ ollama: { embeddingModel: 'snowflake-arctic-embed:s' } })).toContain('ollama.embeddingDimensions: is required for snowflake-arctic-embed:s');
    expect(() =>
      synthStack({ ollama: { embeddingModel: 'my-embedder', embeddingDimensions: 512 }, qdrant: { collections: [{ name: 'c', vectorSize: 512, distance: 'Dot' }] } }),
    ).not.toThrow();
    expect(problems({ ollama: { embeddingModel: 'my-embedder', embeddingDimensions: 512 } })).toContain(
      'qdrant.collections[0].vectorSize: 1024 does not match ollama.embeddingModel my-embedder (512 dimensions)',
    );
  });

  test('embeddingDimensions contradicting the registry is an error', () => {
    expect(problems({ ollama: { embeddingDimensions: 768 } })).toContain('ollama.embeddingDimensions: 768 does not match mxbai-embed-large, which yields 1024 dimensions');
  });

  test('with several collections the embedding one must be marked, once', () => {
    const two: { name: string; vectorSize: number; distance: 'Cosine' | 'Dot' }[] = [
      { name: 'a', vectorSize: 1024, distance: 'Cosine' },
      { name: 'b', vectorSize: 384, distance: 'Dot' },
    ];
    expect(problems({ qdrant: { collections: two } })).toContain('qdrant.collections: mark the collection that receives the embeddings with "embeddings: true" (2 collections, none marked)');
    expect(problems({ qdrant: { collections: two.map((c) => ({ ...c, embeddings: true })) } })).toContain('only one collection can receive the embeddings; [0], [1] are marked');
    expect(problems({ qdrant: { collections: [two[0], { ...two[1], embeddings: true }] } })).toContain('qdrant.collections[1].vectorSize: 384 does not match');
    const marked = synthStack({ qdrant: { collections: [{ ...two[0], embeddings: true }, two[1]] } });
    expect(find(marked, 'ConfigMap', 'qdrant-stack-connection').data).toMatchObject({ QDRANT_COLLECTION: 'a', EMBEDDING_DIMENSIONS: '1024' });
  });

  test('with Ollama disabled no consistency is required', () => {
    expect(() => synthStack({ ollama: { enabled: false }, qdrant: { collections: [{ name: 'x', vectorSize: 1536, distance: 'Cosine' }] } })).not.toThrow();
  });
});
