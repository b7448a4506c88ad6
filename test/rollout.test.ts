/**
 * Rolling out under plain kubectl as well as Argo CD and Flux: Jobs named by their content, pods that roll
 * when what they read changes, and `plan` naming the Jobs to wait for, the certificate's names and the
 * updates the API server would refuse.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main';
import { resolveConfig } from '../src/config/load';
import type { StackInput } from '../src/config/schema';
import { renderStack } from '../src/synth';
import { find, Manifest, synthStack } from './support/stack';

const ROOT = join(__dirname, '..');
const jobs = (objects: Manifest[]) => Object.fromEntries(objects.filter((o) => o.kind === 'Job').map((o) => [o.metadata.labels!['app.kubernetes.io/name'], o.metadata.name]));
const template = (objects: Manifest[], kind: string, name: string) => find(objects, kind, name).spec.template;

describe('Jobs are named by their content', () => {
  const base = jobs(synthStack({ name: 'test' }));

  test('`<name>-<8 hex>`, within the 63 characters of a label value, the instance label following', () => {
    expect(Object.keys(base).sort()).toEqual(['collections', 'ollama-pull', 'secret-generator', 'smoke-test']);
    for (const name of Object.values(base)) expect(name).toMatch(/^test-(secret-generator|ollama-pull-models|collections|smoke)-[0-9a-f]{8}$/);
    for (const job of synthStack({ name: 'test' }).filter((o) => o.kind === 'Job')) {
      expect(job.metadata.labels!['app.kubernetes.io/instance']).toBe(job.metadata.name);
      expect(job.spec.template.metadata.labels['app.kubernetes.io/instance']).toBe(job.metadata.name);
    }
  });

  test('the same model gives the same names: an unchanged Job is left alone', () => {
    expect(jobs(synthStack({ name: 'test' }))).toEqual(base);
  });

  // The smoke test verifies the whole stack, so every change to the stack is a new smoke run.
  test.each([
    ['smoke parameters', { smoke: { vectors: 20_000 } }, ['smoke-test']],
    ['the Redis config', { redis: { maxMemoryPolicy: 'allkeys-lru' } }, ['smoke-test']],
    ['the model list', { ollama: { models: ['nomic-embed-text'] } }, ['ollama-pull', 'smoke-test']],
    ['the Ollama version', { ollama: { version: '0.20.7' } }, ['ollama-pull', 'smoke-test']],
    ['a generated Secret dropped', { qdrant: { readOnlyApiKey: 'none' } }, ['secret-generator', 'smoke-test']],
    ['a Secret reference', { redis: { password: { secretName: 'redis-auth', key: 'password' } } }, ['secret-generator', 'smoke-test']],
  ] as [string, StackInput, string[]][])('a change of %s renames exactly the Jobs it changes', (_what, change, renamed) => {
    const after = jobs(synthStack({ name: 'test', ...change }));
    expect(Object.keys(after).filter((k) => after[k] !== base[k]).sort()).toEqual(renamed);
  });

  test('the secret generator keeps its Kubernetes API egress under its new name', () => {
    const objects = synthStack({ name: 'test' });
    const pod = find(objects, 'Job', 'test-secret-generator').spec.template.metadata.labels;
    const policy = find(objects, 'NetworkPolicy', 'test-kube-api-egress').spec.podSelector.matchLabels;
    expect(Object.entries<string>(policy).every(([k, v]) => pod[k] === v)).toBe(true);
  });
});

describe('pods roll when what they read changes', () => {
  const base = synthStack({ name: 'test' });
  const checksum = (objects: Manifest[], kind: string, name: string) => template(objects, kind, name).metadata.annotations?.['checksum/config'];

  test('a redis.conf change changes the Redis pod template, and nothing else', () => {
    const after = synthStack({ name: 'test', redis: { maxMemoryPolicy: 'allkeys-lru' } });
    expect(find(after, 'ConfigMap', 'test-redis-config').data['redis.conf']).toContain('maxmemory-policy allkeys-lru');
    expect(checksum(after, 'Deployment', 'test-redis')).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(after, 'Deployment', 'test-redis')).not.toBe(checksum(base, 'Deployment', 'test-redis'));
    expect(template(after, 'Deployment', 'test-qdrant')).toEqual(template(base, 'Deployment', 'test-qdrant'));
    expect(template(after, 'Deployment', 'test-ollama')).toEqual(template(base, 'Deployment', 'test-ollama'));
  });

  test('a Qdrant-only change leaves the Redis and Ollama pod templates as they were', () => {
    const after = synthStack({ name: 'test', qdrant: { version: '1.19.1', storage: { size: '20Gi' } } });
    expect(template(after, 'Deployment', 'test-qdrant')).not.toEqual(template(base, 'Deployment', 'test-qdrant'));
    expect(template(after, 'Deployment', 'test-redis')).toEqual(template(base, 'Deployment', 'test-redis'));
    expect(template(after, 'Deployment', 'test-ollama')).toEqual(template(base, 'Deployment', 'test-ollama'));
  });

  test("a user's Secret reference counts by name, never by value; a ConfigMap read through envFrom counts by content", () => {
    const tls = synthStack({ name: 'test', qdrant: { tls: { secretName: 'qdrant-tls' } } });
    const otherTls = synthStack({ name: 'test', qdrant: { tls: { secretName: 'qdrant-tls-2' } } });
    expect(checksum(tls, 'Deployment', 'test-qdrant')).not.toBe(checksum(otherTls, 'Deployment', 'test-qdrant'));
    // The connection ConfigMap (envFrom of the smoke Job) changes with the namespace: so does the Job.
    expect(find(synthStack({ name: 'test', namespace: 'elsewhere' }), 'Job', 'test-smoke').metadata.name).not.toBe(find(base, 'Job', 'test-smoke').metadata.name);
  });
});

describe('smaller points of a real cluster', () => {
  test('the progress deadline of each Deployment is beyond its startup budget', () => {
    for (const d of synthStack({ name: 'test' }).filter((o) => o.kind === 'Deployment')) {
      const startup = d.spec.template.spec.containers[0].startupProbe;
      expect(d.spec.progressDeadlineSeconds).toBeGreaterThan(startup.periodSeconds * startup.failureThreshold);
    }
  });

  test('API-server egress: anywhere on 443/6443 by default, or the CIDRs and ports given', () => {
    const egress = (input: StackInput) => find(synthStack({ name: 'test', ...input }), 'NetworkPolicy', 'test-kube-api-egress').spec.egress;
    expect(egress({})).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }]);
    expect(egress({ networkPolicies: { apiServer: { cidrs: ['10.96.0.1/32', '172.20.0.10/32'], ports: [443] } } })).toEqual([
      { to: [{ ipBlock: { cidr: '10.96.0.1/32' } }, { ipBlock: { cidr: '172.20.0.10/32' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
  });

  test('with TLS the ServiceMonitor verifies the Service name (Prometheus scrapes pod IPs); its labels can be set', () => {
    const objects = synthStack({ name: 'test', namespace: 'search', qdrant: { tls: { secretName: 'qdrant-tls' } }, metrics: { serviceMonitor: true, serviceMonitorLabels: { release: 'kube-prometheus-stack' } } });
    const monitor = find(objects, 'ServiceMonitor', 'test-qdrant');
    expect(monitor.spec.endpoints[0].tlsConfig).toEqual({ ca: { secret: { name: 'qdrant-tls', key: 'ca.crt' } }, serverName: 'test-qdrant.search.svc' });
    expect(monitor.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack', 'app.kubernetes.io/part-of': 'test' });
  });
});

describe('qdrant-stack plan: Jobs, certificate names, upgrade', () => {
  const run = async (...args: string[]) => {
    let out = '';
    let err = '';
    const code = await main(['node', 'q', 'plan', ...args], { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  };

  test('--job names the Job this render produces, as committed in dist/', async () => {
    const result = await run('--config', join(ROOT, 'stack.yaml'), '--env', 'prod', '--job', 'smoke-test');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^qdrant-stack-smoke-[0-9a-f]{8}\n$/);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(ROOT, 'dist', 'prod', 'qdrant-stack-smoke.k8s.yaml'), 'utf8')).toContain(`name: ${result.out.trim()}\n`);
    const unknown = await run('--config', join(ROOT, 'stack.yaml'), '--job', 'nothing');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--job: no Job of purpose "nothing" in this render (it has: secret-generator, ollama-pull, collections, smoke-test)');
  });

  test('lists the Jobs to wait for and, with TLS, every DNS name the certificate needs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'stack.yaml'), 'name: vec\nnamespace: search\nqdrant: { replicas: 3, tls: { secretName: qdrant-tls } }\n');
    const result = await run('--config', join(dir, 'stack.yaml'), '--dist', join(dir, 'none'));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/kubectl -n search wait --for=condition=complete job\/NAME/);
    expect(result.out).toMatch(/vec-smoke-[0-9a-f]{8} +smoke-test +PostSync/);
    for (const san of ['vec-qdrant.search.svc', 'vec-qdrant.search.svc.cluster.local', '*.vec-qdrant-headless', '*.vec-qdrant-headless.search.svc']) expect(result.out).toContain(`  ${san}\n`);
    expect(result.out).not.toContain('upgrade from');
  });

  test('against the previous render: names the updates the API server refuses, with the procedure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    renderStack(resolveConfig({ name: 'vec', qdrant: { replicas: 3 } }), join(dir, 'dist'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'stack.yaml'), 'name: vec\nqdrant: { replicas: 3, storage: { size: 50Gi } }\n');
    const result = await run('--config', join(dir, 'stack.yaml'), '--dist', join(dir, 'dist'));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/upgrade from .*dist: \d+ object\(s\) added, \d+ removed; the API server refuses 1 update\(s\):/);
    expect(result.out).toMatch(/StatefulSet .*vec-qdrant: .*volumeClaimTemplates.*--cascade=orphan/s);
    writeFileSync(join(dir, 'stack.yaml'), 'name: vec\nqdrant: { replicas: 5 }\n');
    expect((await run('--config', join(dir, 'stack.yaml'), '--dist', join(dir, 'dist'))).out).toContain('every update is legal');
  });
});
