import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadStack } from '../src/config/load';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { firstDifference, readTree } from '../src/check';
import { renderStack } from '../src/synth';
import { Manifest, synthStack } from './support/stack';

const ROOT = join(__dirname, '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function renderCommittedConfig(): { dir: string; files: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'qdrant-stack-synth-'));
  const out = join(dir, 'dist');
  const stack = loadStack(join(ROOT, 'stack.yaml'));
  renderStack(stack.base, out, stack.environments);
  const files = Object.fromEntries(filesUnder(out).map((f) => [relative(out, f), readFileSync(f, 'utf8')]));
  rmSync(dir, { recursive: true, force: true });
  return { dir, files };
}

/** The kubernetes-models class for an object, e.g. `kubernetes-models/apps/v1/Deployment`. */
function modelClass(object: Manifest): new (data: unknown) => { validate(): void } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`kubernetes-models/${object.apiVersion}/${object.kind}`);
  return mod[object.kind];
}

describe('Kubernetes API schema (kubernetes-models)', () => {
  const variants: [string, object][] = [
    ['default stack', {}],
    ['existing secret, sizing, overrides, storage class, no namespace', {
      createNamespace: false,
      qdrant: { apiKey: { secretName: 'qdrant', key: 'k' }, sizing: { vectors: 5_000_000 }, resources: { limits: { cpu: '3500m' } }, storage: { size: '100Gi', storageClass: 'premium' } },
    }],
  ];
  test.each(variants)('%s: every object validates against its kind', (_title, input) => {
    const objects = synthStack(input);
    expect(objects.length).toBeGreaterThanOrEqual(3);
    for (const object of objects) {
      const Model = modelClass(object);
      expect(() => new Model(object).validate()).not.toThrow();
    }
  });

  test('the schema check catches a broken object (it can fail)', () => {
    const objects = synthStack({});
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    const broken = JSON.parse(JSON.stringify(deployment));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    const Model = modelClass(broken);
    expect(() => new Model(broken).validate()).toThrow(/containerPort/);
  });
});

describe('output', () => {
  test('every namespaced object lands in the stack namespace; the Namespace itself has none', () => {
    const objects = synthStack({ name: 'test', namespace: 'vectors' });
    const ns = objects.filter((o) => o.kind === 'Namespace');
    expect(ns.map((o) => o.metadata)).toEqual([expect.objectContaining({ name: 'vectors' })]);
    expect(ns[0].metadata.namespace).toBeUndefined();
    expect(ns[0].metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace).toBe('vectors');
  });

  test('names are readable and stable: <stack>-<component>; only Jobs carry a hash, of their content', () => {
    const objects = synthStack({ name: 'test' });
    for (const o of objects) expect([o.kind, o.metadata.name]).toEqual([o.kind, expect.stringMatching(o.kind === 'Job' ? /^test(-[a-z]+)*-[0-9a-f]{8}$/ : /^test(-[a-z]+)*$/)]);
    expect(new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`)).size).toBe(objects.length);
    expect(synthStack({ name: 'test' }).map((o) => o.metadata.name)).toEqual(objects.map((o) => o.metadata.name));
  });

  test('no secret value anywhere: Secrets carry no data, env uses secretKeyRef', () => {
    const objects = synthStack({ name: 'test' });
    for (const secret of objects.filter((o) => o.kind === 'Secret')) {
      expect(secret.data).toBeUndefined();
      expect(secret.stringData).toBeUndefined();
    }
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/"name":"[^"]*(API_KEY|PASSWORD)[^"]*","value"/);
  });

  test('the same config renders byte-identical files', () => {
    const first = renderCommittedConfig().files;
    const second = renderCommittedConfig().files;
    expect(Object.keys(first).length).toBeGreaterThan(0);
    expect(second).toEqual(first);
  });

  test('the committed dist/ is what `npm run synth` renders from stack.yaml (run it and commit when this fails)', () => {
    const fresh = renderCommittedConfig().files;
    const dist = join(ROOT, 'dist');
    const committed = Object.fromEntries(filesUnder(dist).map((f) => [relative(dist, f), readFileSync(f, 'utf8')]));
    expect(Object.keys(committed).sort()).toEqual(Object.keys(fresh).sort());
    const stale = Object.entries(fresh).flatMap(([file, text]) => (committed[file] === text ? [] : [`${file} ${firstDifference(committed[file] ?? '', text)}`]));
    expect(stale).toEqual([]);
  });

  test('dist/ parses as YAML documents of Kubernetes objects', () => {
    for (const file of filesUnder(join(ROOT, 'dist')).filter((f) => f.endsWith('.k8s.yaml'))) {
      const docs = parseAllDocuments(readFileSync(file, 'utf8'));
      for (const doc of docs) {
        expect(doc.errors).toEqual([]);
        expect(doc.toJS()).toEqual(expect.objectContaining({ apiVersion: expect.any(String), kind: expect.any(String) }));
      }
    }
  });
});

describe('cdk8s synth', () => {
  const cli = join(ROOT, 'node_modules', '.bin', 'cdk8s');
  (existsSync(cli) ? test : test.skip)('`cdk8s synth` (through cdk8s.yaml) renders exactly the committed dist/', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cdk8s-synth-')), 'dist');
    execFileSync(cli, ['synth', '--output', out], { cwd: ROOT, stdio: 'pipe' });
    const fresh = readTree(out);
    const committed = readTree(join(ROOT, 'dist'));
    expect(Object.keys(fresh).sort()).toEqual(Object.keys(committed).sort());
    expect(Object.entries(fresh).filter(([file, text]) => committed[file] !== text).map(([file]) => file)).toEqual([]);
  }, 120_000);
});
