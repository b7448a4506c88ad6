import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { find, synthStack } from './support/stack';

const cluster = synthStack({ name: 'test', qdrant: { replicas: 3, collections: [{ name: 'knowledge', vectorSize: 1024, distance: 'Cosine', shardNumber: 6, replicationFactor: 2 }] } });
const sts = find(cluster, 'StatefulSet', 'test-qdrant');
const pod = sts.spec.template.spec;
const container = pod.containers[0];
const env = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

/** Runs the rendered start script with a stand-in entrypoint.sh that prints its arguments. */
function startArgs(hostname: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'qdrant-peer-'));
  writeFileSync(join(dir, 'entrypoint.sh'), '#!/bin/sh\necho "ARGS: $*"\n');
  chmodSync(join(dir, 'entrypoint.sh'), 0o755);
  const out = execFileSync(container.command[0], container.command.slice(1), { cwd: dir, env: { PATH: process.env.PATH, HOSTNAME: hostname }, encoding: 'utf8' });
  return out.split('\n').find((l) => l.startsWith('ARGS: '))!.slice(6);
}

describe('distributed mode (3 peers)', () => {
  test('a StatefulSet started in parallel behind a headless Service that publishes not-ready peers', () => {
    expect(sts.spec).toMatchObject({ replicas: 3, podManagementPolicy: 'Parallel', serviceName: 'test-qdrant-headless' });
    const headless = find(cluster, 'Service', 'test-qdrant-headless');
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(headless.spec.ports.map((p: any) => [p.name, p.port])).toEqual([['http', 6333], ['grpc', 6334], ['p2p', 6335]]);
    expect(container.ports.map((p: any) => p.containerPort)).toEqual([6333, 6334, 6335]);
    expect(cluster.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'test-qdrant')).toEqual([]);
  });

  test('peer 0 starts the cluster with --uri; the others bootstrap from peer 0 through the headless DNS', () => {
    expect(env(container)).toMatchObject({ QDRANT__CLUSTER__ENABLED: 'true', QDRANT__CLUSTER__P2P__PORT: '6335' });
    expect(startArgs('test-qdrant-0')).toBe('--uri http://test-qdrant-0.test-qdrant-headless:6335');
    expect(startArgs('test-qdrant-2')).toBe('--bootstrap http://test-qdrant-0.test-qdrant-headless:6335 --uri http://test-qdrant-2.test-qdrant-headless:6335');
  });

  test('one volume per peer from a claim template, retained on delete and scale-down by default', () => {
    expect(sts.spec.volumeClaimTemplates).toEqual([
      expect.objectContaining({ metadata: expect.objectContaining({ name: 'storage' }), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } }),
    ]);
    expect(container.volumeMounts).toContainEqual({ name: 'storage', mountPath: '/qdrant/storage' });
    expect(pod.volumes.map((v: any) => v.name)).not.toContain('storage');
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    const deleting = find(synthStack({ name: 'test', qdrant: { replicas: 2, storage: { retainOnDelete: false } } }), 'StatefulSet', 'test-qdrant');
    expect(deleting.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete', whenScaled: 'Delete' });
  });

  test('a PodDisruptionBudget of one peer at a time, and spread over nodes and zones', () => {
    const pdb = find(cluster, 'PodDisruptionBudget', 'test-qdrant');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: sts.spec.selector.matchLabels } });
    expect(pod.topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const c of pod.topologySpreadConstraints) expect(c).toMatchObject({ maxSkew: 1, labelSelector: { matchLabels: sts.spec.selector.matchLabels } });
  });

  test('peers reach each other on 6335, and only each other', () => {
    const policy = find(cluster, 'NetworkPolicy', 'test-qdrant').spec;
    const peers = { podSelector: { matchLabels: sts.spec.selector.matchLabels } };
    expect(policy.ingress).toContainEqual({ from: [peers], ports: [{ protocol: 'TCP', port: 6335 }] });
    expect(policy.egress).toEqual([{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }, { to: [peers], ports: [{ protocol: 'TCP', port: 6335 }] }]);
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    const clientRule = policy.ingress.find((r: any) => r.from[0].podSelector?.matchLabels?.['qdrant-stack/client']);
    expect(clientRule.ports.map((p: any) => p.port)).toEqual([6333, 6334]);
  });

  test('every object validates against the Kubernetes schema', () => {
    for (const object of cluster) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Model = require(`kubernetes-models/${object.apiVersion}/${object.kind}`)[object.kind];
      expect(() => new Model(object).validate()).not.toThrow();
    }
  });

  test('a single node stays a Deployment unless asked for a StatefulSet (then no PDB, no spread)', () => {
    const single = synthStack({ name: 'test', qdrant: { workload: 'statefulset' } });
    const one = find(single, 'StatefulSet', 'test-qdrant');
    expect(one.spec.replicas).toBe(1);
    expect(one.spec.template.spec.topologySpreadConstraints).toBeUndefined();
    expect(single.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(env(one.spec.template.spec.containers[0]).QDRANT__CLUSTER__ENABLED).toBe('true');
  });
});

describe('cluster validation', () => {
  const message = (input: object) => {
    try {
      synthStack(input);
    } catch (e) {
      return (e as Error).message;
    }
    return 'valid';
  };
  test('replicationFactor may not exceed the peers', () => {
    expect(message({ qdrant: { replicas: 2, collections: [{ name: 'knowledge', vectorSize: 1024, distance: 'Cosine', replicationFactor: 3 }] } })).toContain(
      'qdrant.collections[0].replicationFactor: 3 exceeds qdrant.replicas (2): each copy of a shard needs its own peer',
    );
  });
  test('peers cannot run on a Deployment', () => {
    expect(message({ qdrant: { replicas: 3, workload: 'deployment' } })).toContain('qdrant.workload: must be "statefulset" with 3 replicas');
  });
});

describe('TLS', () => {
  const objects = synthStack({ name: 'test', qdrant: { replicas: 3, tls: { secretName: 'qdrant-tls' } } });
  const spec = find(objects, 'StatefulSet', 'test-qdrant').spec.template.spec;
  const c = spec.containers[0];

  test('mounts the Secret, enables TLS on the API and p2p, and probes over HTTPS', () => {
    expect(spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'qdrant-tls' } });
    expect(c.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/qdrant/tls', readOnly: true });
    expect(env(c)).toMatchObject({
      QDRANT__SERVICE__ENABLE_TLS: 'true',
      QDRANT__CLUSTER__P2P__ENABLE_TLS: 'true',
      QDRANT__TLS__CERT: '/qdrant/tls/tls.crt',
      QDRANT__TLS__KEY: '/qdrant/tls/tls.key',
      QDRANT__TLS__CA_CERT: '/qdrant/tls/ca.crt',
    });
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) expect(probe.httpGet.scheme).toBe('HTTPS');
    expect(c.command[2]).toContain('https://test-qdrant-0.test-qdrant-headless:6335');
  });

  test('connection URLs are https; the smoke Job trusts the CA', () => {
    expect(find(objects, 'ConfigMap', 'test-connection').data).toMatchObject({ QDRANT_URL: 'https://test-qdrant.test.svc:6333', QDRANT_GRPC_URL: 'https://test-qdrant.test.svc:6334' });
    const smoke = find(objects, 'Job', 'test-smoke').spec.template.spec;
    expect(env(smoke.containers[0]).NODE_EXTRA_CA_CERTS).toBe('/qdrant/tls/ca.crt');
    expect(smoke.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'qdrant-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
  });

  test('a single node with TLS has no p2p TLS', () => {
    const single = find(synthStack({ name: 'test', qdrant: { tls: { secretName: 'qdrant-tls' } } }), 'Deployment', 'test-qdrant').spec.template.spec.containers[0];
    expect(env(single).QDRANT__SERVICE__ENABLE_TLS).toBe('true');
    expect(env(single).QDRANT__CLUSTER__P2P__ENABLE_TLS).toBeUndefined();
  });
});

describe('read-only API key', () => {
  test('generated beside the admin key, given to Qdrant by secretKeyRef, published in the connection contract', () => {
    const objects = synthStack({ name: 'test' });
    const c = find(objects, 'Deployment', 'test-qdrant').spec.template.spec.containers[0];
    expect(env(c).QDRANT__SERVICE__READ_ONLY_API_KEY).toEqual({ secretKeyRef: { name: 'test-qdrant-read-only-api-key', key: 'api-key' } });
    expect(find(objects, 'Secret', 'test-qdrant-read-only-api-key').data).toBeUndefined();
    expect(find(objects, 'ConfigMap', 'test-connection').metadata.annotations!['qdrant-stack/qdrant-read-only-api-key-from']).toBe('test-qdrant-read-only-api-key/api-key');
  });

  test('an existing Secret, or none at all', () => {
    const existing = synthStack({ name: 'test', qdrant: { readOnlyApiKey: { secretName: 'ro', key: 'token' } } });
    expect(env(find(existing, 'Deployment', 'test-qdrant').spec.template.spec.containers[0]).QDRANT__SERVICE__READ_ONLY_API_KEY).toEqual({ secretKeyRef: { name: 'ro', key: 'token' } });
    const none = synthStack({ name: 'test', qdrant: { readOnlyApiKey: 'none' } });
    expect(env(find(none, 'Deployment', 'test-qdrant').spec.template.spec.containers[0]).QDRANT__SERVICE__READ_ONLY_API_KEY).toBeUndefined();
    expect(none.filter((o) => o.metadata.name === 'test-qdrant-read-only-api-key')).toEqual([]);
  });
});

describe('metrics', () => {
  const objects = synthStack({ name: 'test', qdrant: { replicas: 3 }, metrics: { serviceMonitor: true, grafanaDashboard: true } });
  const monitor = find(objects, 'ServiceMonitor', 'test-qdrant');

  test('a ServiceMonitor scraping /metrics with the read-only key as bearer token, on the client Service only', () => {
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.spec.endpoints).toEqual([
      { port: 'http', path: '/metrics', scheme: 'http', interval: '30s', authorization: { type: 'Bearer', credentials: { name: 'test-qdrant-read-only-api-key', key: 'api-key' } } },
    ]);
    const selected = objects.filter((o) => o.kind === 'Service' && Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
    expect(selected.map((s) => s.metadata.name)).toEqual(['test-qdrant']);
  });

  test('Prometheus may reach 6333 through the NetworkPolicy', () => {
    const ingress = find(objects, 'NetworkPolicy', 'test-qdrant').spec.ingress;
    expect(ingress).toContainEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 6333 }] });
  });

  test('a Grafana dashboard ConfigMap: latency, RPS, errors, sizes over Qdrant metrics', () => {
    const cm = find(objects, 'ConfigMap', 'test-qdrant-dashboard');
    expect(cm.metadata.labels!.grafana_dashboard).toBe('1');
    const dashboard = JSON.parse(cm.data['qdrant.json']);
    const exprs = dashboard.panels.map((p: any) => p.targets[0].expr).join('\n');
    for (const metric of ['rest_responses_duration_seconds_bucket', 'rest_responses_total', 'collections_vector_total', 'collections_total']) expect(exprs).toContain(metric);
    // Gone since Qdrant 1.17 (failures are rest_responses_total{status=~"5.."}): a panel on it would stay empty.
    expect(exprs).not.toContain('rest_responses_fail_total');
    expect(exprs).toContain('status=~\"5..\"');
    expect(exprs).toContain('namespace="test"');
  });

  test('scraping needs a read-only key', () => {
    expect(() => synthStack({ qdrant: { readOnlyApiKey: 'none' }, metrics: { serviceMonitor: true } })).toThrow('metrics.serviceMonitor: needs a read-only API key');
  });
});
