import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { main } from '../src/cli/main';
import { find, synthStack } from './support/stack';

const ROOT = join(__dirname, '..');
const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

describe('apply order for GitOps', () => {
  const objects = synthStack({ name: 'test' });
  const wave = (kind: string, name: string) => Number(find(objects, kind, name).metadata.annotations!['argocd.argoproj.io/sync-wave']);

  test('Namespace, then Secrets/ConfigMaps/Services, then the secret generator, then workloads with their volumes', () => {
    expect(wave('Namespace', 'test')).toBe(-3);
    for (const [kind, name] of [['Secret', 'test-qdrant-api-key'], ['ConfigMap', 'test-connection'], ['Service', 'test-qdrant'], ['Role', 'test-secret-generator'], ['NetworkPolicy', 'test-default-deny']]) {
      expect([kind, wave(kind, name)]).toEqual([kind, -2]);
    }
    expect(wave('Job', 'test-secret-generator')).toBe(-1);
    for (const name of ['test-qdrant', 'test-ollama', 'test-redis']) expect(wave('Deployment', name)).toBe(0);
    // A claim on WaitForFirstConsumer storage stays Pending until its pod exists: same wave as the pod.
    for (const name of ['test-qdrant-storage', 'test-ollama-models', 'test-redis-data']) expect(wave('PersistentVolumeClaim', name)).toBe(0);
  });

  test('post-deploy Jobs are PostSync hooks, the smoke test after the model pull; Flux replaces changed Jobs', () => {
    const pull = find(objects, 'Job', 'test-ollama-pull-models').metadata.annotations!;
    const smoke = find(objects, 'Job', 'test-smoke').metadata.annotations!;
    expect([pull['argocd.argoproj.io/hook'], smoke['argocd.argoproj.io/hook']]).toEqual(['PostSync', 'PostSync']);
    expect(Number(pull['argocd.argoproj.io/sync-wave'])).toBeLessThan(Number(smoke['argocd.argoproj.io/sync-wave']));
    for (const job of objects.filter((o) => o.kind === 'Job')) expect(job.metadata.annotations!['kustomize.toolkit.fluxcd.io/force']).toBe('enabled');
  });
});

describe('kustomize-ready output', () => {
  test.each(['', 'staging', 'prod'])('dist/%s has a kustomization listing exactly its manifests', (env) => {
    const dir = join(ROOT, 'dist', env);
    const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'));
    expect(k).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['qdrant-stack-collections.k8s.yaml', 'qdrant-stack-smoke.k8s.yaml', 'qdrant-stack.k8s.yaml'] });
  });

  (kubectl ? test : test.skip)('kubectl kustomize builds every object of dist/prod (and no Compose file)', () => {
    const built = execFileSync('kubectl', ['kustomize', join(ROOT, 'dist', 'prod')], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    const docs = parseAllDocuments(built).map((d) => d.toJS());
    const rendered = ['qdrant-stack.k8s.yaml', 'qdrant-stack-collections.k8s.yaml', 'qdrant-stack-smoke.k8s.yaml'].flatMap((f) => parseAllDocuments(readFileSync(join(ROOT, 'dist', 'prod', f), 'utf8')).map((d) => d.toJS()));
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`).sort()).toEqual(rendered.map((d) => `${d.kind}/${d.metadata.name}`).sort());
    expect(docs.some((d) => d.services)).toBe(false);
  });

  test('the Argo CD and Flux examples point at a rendered environment', () => {
    const app = parse(readFileSync(join(ROOT, 'examples', 'argocd', 'application.yaml'), 'utf8'));
    expect(app.kind).toBe('Application');
    expect(app.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    const flux = parseAllDocuments(readFileSync(join(ROOT, 'examples', 'flux', 'kustomization.yaml'), 'utf8')).map((d) => d.toJS());
    const paths = [app.spec.source.path, ...flux.filter((d) => d.kind === 'Kustomization' && d.metadata.name === 'qdrant-stack-prod').map((d) => d.spec.path)];
    for (const path of paths) expect(readFileSync(join(ROOT, path, 'kustomization.yaml'), 'utf8')).toContain('kind: Kustomization');
    expect(flux.find((d) => d.metadata.name === 'rag-api').spec.dependsOn).toEqual([{ name: 'qdrant-stack-prod' }]);
  });
});

describe('qdrant-stack check (the CI guard)', () => {
  const run = async (...args: string[]) => {
    let out = '';
    let err = '';
    const code = await main(['node', 'q', 'check', ...args], { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  };

  test('passes on the committed repository', async () => {
    const result = await run('--config', join(ROOT, 'stack.yaml'), '--dist', join(ROOT, 'dist'));
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/dist\/ up to date, \d+ objects match their Kubernetes schema/);
  });

  test('fails (exit 1) on stale output and on a manifest that breaks its schema, naming file and object', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-'));
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
    const file = join(dir, 'dist', 'prod', 'qdrant-stack.k8s.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('containerPort: 6333', 'containerPort: http-port'));
    const result = await run('--config', join(ROOT, 'stack.yaml'), '--dist', join(dir, 'dist'));
    expect(result.code).toBe(1);
    expect(result.err).toContain('prod/qdrant-stack.k8s.yaml: stale, differs at line');
    expect(result.err).toMatch(/prod\/qdrant-stack\.k8s\.yaml: StatefulSet\/qdrant-stack-qdrant: .*containerPort/);
    expect(result.err).toContain('run `qdrant-stack synth` (npm run synth) and commit dist/');
  });

  test('an invalid config exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-'));
    writeFileSync(join(dir, 'stack.yaml'), 'qdrant: { replicas: -1 }\n');
    const result = await run('--config', join(dir, 'stack.yaml'), '--dist', join(dir, 'dist'));
    expect(result.code).toBe(2);
    expect(result.err).toContain('qdrant.replicas: must be a positive integer (got -1)');
  });

  test('fails on what a real API server refuses: a Service selecting no pod, a claim before its pod', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-'));
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
    const file = join(dir, 'dist', 'prod', 'qdrant-stack.k8s.yaml');
    const broken = readFileSync(file, 'utf8')
      .replace('  selector:\n    app.kubernetes.io/name: qdrant\n', '  selector:\n    cdk8s.io/metadata.addr: qdrant-stack-qdrant-statefulset-c8b6aafc\n    app.kubernetes.io/name: qdrant\n')
      .replace(/(kind: PersistentVolumeClaim\nmetadata:\n  annotations:\n(?:    .*\n)*?    argocd.argoproj.io\/sync-wave: )"0"/, '$1"-2"');
    expect(broken).not.toBe(readFileSync(file, 'utf8'));
    writeFileSync(file, broken);
    const result = await run('--config', join(ROOT, 'stack.yaml'), '--dist', join(dir, 'dist'));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/prod: Service qdrant-prod\/qdrant-stack-qdrant(-headless)?: .*select/);
    expect(result.err).toMatch(/prod: PersistentVolumeClaim qdrant-prod\/qdrant-stack-ollama-models: .*wave/);
    expect(result.err).toMatch(/\d+ API server rule violation\(s\)/);
  });

  test('--base: fails on updates the API server refuses from the previous render, naming the procedure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-'));
    writeFileSync(join(dir, 'stack.yaml'), 'name: vec\nqdrant: { replicas: 3 }\n');
    expect(await main(['node', 'q', 'synth', '--config', join(dir, 'stack.yaml'), '--out', join(dir, 'base')], { out: () => {}, err: () => {} })).toBe(0);
    writeFileSync(join(dir, 'stack.yaml'), 'name: vec\nqdrant: { replicas: 3, storage: { size: 50Gi } }\n');
    let synthErr = '';
    expect(await main(['node', 'q', 'synth', '--config', join(dir, 'stack.yaml'), '--out', join(dir, 'dist')], { out: () => {}, err: (t) => (synthErr += t) })).toBe(0);
    expect(synthErr).not.toContain('warning');
    const result = await run('--config', join(dir, 'stack.yaml'), '--dist', join(dir, 'dist'), '--base', join(dir, 'base'));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/upgrade from .*base.*StatefulSet vec\/vec-qdrant: spec\.volumeClaimTemplates changed.*--cascade=orphan/);
    expect(result.err).toContain('1 refused update(s)');
    // synth over the previous render warns about the same update, and still renders.
    let warned = '';
    expect(await main(['node', 'q', 'synth', '--config', join(dir, 'stack.yaml'), '--out', join(dir, 'base')], { out: () => {}, err: (t) => (warned += t) })).toBe(0);
    expect(warned).toMatch(/warning: .*base.*: the API server refuses this update from the previous render: StatefulSet vec\/vec-qdrant/);
  });
});
