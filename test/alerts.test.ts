/**
 * Alerts: the PrometheusRule (every expression parsed by Prometheus' own PromQL grammar), its thresholds
 * from the model, runbook links into docs/runbooks.md, the Redis exporter sidecar and how Prometheus
 * reaches it, and the model's validation of the `alerts` section.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { apiServerProblems, selectorMatches } from '../src/apiserver';
import { resolveConfig } from '../src/config/load';
import { plan } from '../src/config/plan';
import type { StackInput } from '../src/config/schema';
import { find, Manifest, synthStack } from './support/stack';

const RUNBOOKS = readFileSync(join(__dirname, '..', 'docs', 'runbooks.md'), 'utf8');
const BASE = 'https://github.com/acme/search/blob/main/docs/runbooks.md';
const ON: StackInput = { name: 'test', metrics: { serviceMonitor: true }, alerts: { enabled: true } };
/** Every alert there is: peers (cluster alerts), Redis, Ollama, snapshots (a second Qdrant volume). */
const FULL: StackInput = {
  name: 'test',
  qdrant: { replicas: 3 },
  redis: { maxMemory: '512Mi' },
  smoke: { maxP95Ms: 80 },
  metrics: { serviceMonitor: true, serviceMonitorLabels: { release: 'kps' } },
  snapshots: { enabled: true },
  alerts: { enabled: true, labels: { release: 'kps' }, alertLabels: { team: 'search' }, runbookBaseUrl: BASE, thresholds: { memoryPercent: 80, diskPercent: 70, redisMemoryPercent: 75 } },
};

type Rule = { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> };
const rulesOf = (objects: Manifest[]): Rule[] => find(objects, 'PrometheusRule', 'test-alerts').spec.groups.flatMap((g: any) => g.rules);
const rule = (objects: Manifest[], name: string) => rulesOf(objects).find((r) => r.alert === name)!;

/** Syntax errors Prometheus' PromQL grammar (lezer-promql) finds in an expression, as the text they cover. */
function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({ enter: (n) => void (n.type.isError && errors.push(`${n.from}: "${expr.slice(n.from, n.to + 1)}"`)) });
  return errors;
}

/** The number a rule compares against: the right operand of the outermost comparison. */
function threshold(expr: string): number {
  const top = parser.parse(expr).topNode.firstChild!;
  expect(top.name).toBe('BinaryExpr');
  const right = top.lastChild!;
  expect(right.name).toBe('NumberDurationLiteral');
  return Number(expr.slice(right.from, right.to));
}

/** The values of every `label=~"regex"` matcher in an expression, as anchored JS regexes (PromQL anchors them). */
function regexMatchers(expr: string, label: string): RegExp[] {
  return [...expr.matchAll(new RegExp(`${label}=~"([^"]*)"`, 'g'))].map((m) => new RegExp(`^(?:${m[1]})$`));
}

describe('the PrometheusRule', () => {
  const objects = synthStack(FULL);
  const rules = rulesOf(objects);

  test('every expression is valid PromQL, and the check catches a typo', () => {
    expect(rules.length).toBeGreaterThan(10);
    for (const r of rules) expect({ alert: r.alert, errors: promqlErrors(r.expr) }).toEqual({ alert: r.alert, errors: [] });
    expect(promqlErrors('rate(redis_up{job="x"}[5m)')).not.toEqual([]);
    expect(promqlErrors('histogram_quantle(0.95, x)')).not.toEqual([]);
    expect(promqlErrors('up{job="x"} == 0 or absent(up{job="x"}')).not.toEqual([]);
  });

  test('each alert has a severity, the alert labels, a summary, a description and its runbook link', () => {
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules) {
      expect(['critical', 'warning']).toContain(r.labels.severity);
      expect(r.labels.team).toBe('search');
      expect(r.annotations.summary.length).toBeGreaterThan(10);
      expect(r.annotations.description.length).toBeGreaterThan(10);
      expect(r.annotations.runbook_url).toBe(`${BASE}#${r.alert.toLowerCase()}`);
      expect(r.for).toMatch(/^\d+m$/);
    }
    expect(rule(objects, 'QdrantDown').labels.severity).toBe('critical');
    expect(rule(objects, 'RedisDown').labels.severity).toBe('critical');
    expect(rule(objects, 'QdrantSearchLatencyHigh').labels.severity).toBe('warning');
    // The PrometheusRule carries the labels Prometheus selects rules by.
    expect(find(objects, 'PrometheusRule', 'test-alerts').metadata.labels).toMatchObject({ release: 'kps', 'app.kubernetes.io/part-of': 'test' });
  });

  test('every alert has its section in docs/runbooks.md, and every section an alert', () => {
    const sections = [...RUNBOOKS.matchAll(/^## (\S+)$/gm)].map((m) => m[1]);
    expect(sections.sort()).toEqual(rules.map((r) => r.alert).sort());
    for (const section of RUNBOOKS.split(/^## /m).slice(1)) expect(section).toMatch(/\*\*Means:\*\*[\s\S]*\*\*Check first:\*\*\n1\. [\s\S]*\n2\. [\s\S]*\n3\. [\s\S]*\*\*Fix:\*\*/);
  });

  test('without runbookBaseUrl, a runbook annotation names the section', () => {
    for (const r of rulesOf(synthStack(ON))) {
      expect(r.annotations.runbook).toBe(`docs/runbooks.md#${r.alert.toLowerCase()}`);
      expect(r.annotations.runbook_url).toBeUndefined();
    }
  });

  test('thresholds follow the model: smoke.maxP95Ms, redis.maxMemory and the percentages', () => {
    expect(threshold(rule(objects, 'QdrantSearchLatencyHigh').expr)).toBe(0.08);
    const redisMemory = rule(objects, 'RedisMemoryNearLimit').expr;
    expect(threshold(redisMemory)).toBe(0.75);
    expect(redisMemory).toContain(`/ ${512 * 2 ** 20} >`);
    expect(threshold(rule(objects, 'StackContainerMemoryNearLimit').expr)).toBe(0.8);
    expect(threshold(rule(objects, 'StackVolumeNearlyFull').expr)).toBe(0.7);
    expect(threshold(rule(objects, 'QdrantPeersMissing').expr)).toBe(3);
    // Defaults, from the schema.
    const defaults = synthStack(ON);
    expect(threshold(rule(defaults, 'QdrantSearchLatencyHigh').expr)).toBe(0.05);
    expect(threshold(rule(defaults, 'RedisMemoryNearLimit').expr)).toBe(0.9);
    expect(rule(defaults, 'RedisMemoryNearLimit').expr).toContain(`/ ${256 * 2 ** 20} >`);
    expect(threshold(rule(defaults, 'StackVolumeNearlyFull').expr)).toBe(0.85);
  });

  test("the scrape jobs the rules query are the Services the ServiceMonitors select", () => {
    const services = objects.filter((o) => o.kind === 'Service');
    const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
    const scraped = monitors.flatMap((m) => services.filter((s) => selectorMatches(m.spec.selector, s.metadata.labels ?? {})).map((s) => s.metadata.name));
    const jobs = new Set(rules.flatMap((r) => [...r.expr.matchAll(/job="([^"]+)"/g)].map((m) => m[1])));
    expect([...jobs].sort()).toEqual(['test-qdrant', 'test-redis']);
    for (const job of jobs) expect(scraped).toContain(job);
    expect(apiServerProblems(objects)).toEqual([]);
  });

  test('the disk and memory alerts cover exactly the stack’s volumes and server pods', () => {
    const claims = regexMatchers(rule(objects, 'StackVolumeNearlyFull').expr, 'persistentvolumeclaim');
    const matches = (patterns: RegExp[], name: string) => patterns.length > 0 && patterns.every((p) => p.test(name));
    const rendered = objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.metadata.name);
    const templates = find(objects, 'StatefulSet', 'test-qdrant').spec.volumeClaimTemplates.map((t: any) => t.metadata.name);
    for (const name of [...rendered, ...templates.flatMap((t: string) => [0, 1, 2].map((i) => `${t}-test-qdrant-${i}`))]) expect(matches(claims, name)).toBe(true);
    expect(matches(claims, 'someone-elses-claim')).toBe(false);

    const pods = regexMatchers(rule(objects, 'StackContainerMemoryNearLimit').expr, 'pod');
    for (const pod of ['test-qdrant-0', 'test-qdrant-2', 'test-ollama-5d4f9c7b8-x2k9p', 'test-redis-6b7c8d9f-abcde']) expect(matches(pods, pod)).toBe(true);
    // Pods of the stack's Jobs and CronJob are not servers.
    for (const pod of ['test-qdrant-snapshots-29001234-abcde', 'test-ollama-pull-models-1a2b3c4d-xyz12', 'test-qdrant-collections-1a2b3c4d-xyz12']) expect(matches(pods, pod)).toBe(false);
  });

  test('a single node has no cluster alerts; without Redis or Ollama, no rules or exporter for them', () => {
    const single = rulesOf(synthStack(ON)).map((r) => r.alert);
    expect(single).toEqual(expect.arrayContaining(['QdrantDown', 'QdrantNotReady', 'RedisDown', 'OllamaNotReady']));
    expect(single.filter((a) => /Peers|Consensus/.test(a))).toEqual([]);
    expect(rule(synthStack(ON), 'QdrantNotReady').expr).toContain('kube_deployment_status_replicas_available{namespace="test", deployment="test-qdrant"}');

    const bare = synthStack({ ...ON, redis: { enabled: false }, ollama: { enabled: false } });
    expect(rulesOf(bare).map((r) => r.alert).filter((a) => /Redis|Ollama/.test(a))).toEqual([]);
    expect(bare.filter((o) => o.kind === 'ServiceMonitor').map((o) => o.metadata.name)).toEqual(['test-qdrant']);
  });

  test('alerts off (the default): no PrometheusRule, no exporter, no metrics port', () => {
    const objects = synthStack({ name: 'test', metrics: { serviceMonitor: true } });
    expect(objects.filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
    expect(find(objects, 'Deployment', 'test-redis').spec.template.spec.containers.map((c: any) => c.name)).toEqual(['redis']);
    expect(find(objects, 'Service', 'test-redis').spec.ports.map((p: any) => p.name)).toEqual(['redis']);
  });
});

describe('the Redis exporter', () => {
  const objects = synthStack(FULL);
  const pod = find(objects, 'Deployment', 'test-redis').spec.template.spec;
  const exporter = pod.containers.find((c: any) => c.name === 'exporter');

  test('runs restricted: non-root, read-only root, no escalation, every capability dropped, pinned image, sized', () => {
    expect(exporter.image).toMatch(/^oliver006\/redis_exporter:v\d+\.\d+\.\d+$/);
    expect(exporter.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 59000,
      runAsGroup: 59000,
    });
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(exporter.resources).toEqual({ requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } });
    // A not-ready exporter must not take Redis out of its Service.
    expect(exporter.readinessProbe).toBeUndefined();
    expect(exporter.livenessProbe.httpGet).toMatchObject({ path: '/health', port: 9121 });
  });

  test('reads the password only from the Redis password Secret (secretKeyRef), never from an argument', () => {
    const env = Object.fromEntries(exporter.env.map((e: any) => [e.name, e]));
    expect(env.REDIS_PASSWORD).toEqual({ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'test-redis-password', key: 'password' } } });
    expect(env.REDIS_ADDR.value).toBe('redis://127.0.0.1:6379');
    expect(exporter.args ?? []).toEqual([]);
    expect(exporter.command).toBeUndefined();
    // The same Secret as Redis itself, also when the user brings it.
    const own = synthStack({ ...ON, redis: { password: { secretName: 'my-redis', key: 'pw' } } });
    const c = find(own, 'Deployment', 'test-redis').spec.template.spec.containers.find((x: any) => x.name === 'exporter');
    expect(c.env.find((e: any) => e.name === 'REDIS_PASSWORD').valueFrom).toEqual({ secretKeyRef: { name: 'my-redis', key: 'pw' } });
    expect(JSON.stringify(own.filter((o) => o.kind === 'ConfigMap'))).not.toContain('REDIS_PASSWORD');
  });

  test('plan counts it, with the resources the pod gets', () => {
    const row = plan(resolveConfig(FULL)).rows.find((r) => r.component === 'redis-exporter')!;
    expect({ cpu: row.cpuRequest, memory: row.memoryLimit }).toEqual({ cpu: exporter.resources.requests.cpu, memory: exporter.resources.limits.memory });
    expect(plan(resolveConfig({})).rows.map((r) => r.component)).not.toContain('redis-exporter');
  });

  test('its port is on the Redis Service and a ServiceMonitor scrapes it', () => {
    expect(find(objects, 'Service', 'test-redis').spec.ports).toContainEqual({ name: 'metrics', port: 9121, targetPort: 9121, appProtocol: 'http' });
    const monitor = find(objects, 'ServiceMonitor', 'test-redis');
    expect(monitor.metadata.labels).toMatchObject({ release: 'kps' });
    expect(monitor.spec).toMatchObject({ namespaceSelector: { matchNames: ['test'] }, endpoints: [{ port: 'metrics', path: '/metrics' }] });
  });

  test('the NetworkPolicies admit the exporter port from the Prometheus namespace only', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const redisPod = find(objects, 'Deployment', 'test-redis').spec.template.metadata.labels;
    /** Ingress semantics: may a pod in `namespace` with `labels` open TCP `port` on a pod with `server` labels in the stack's namespace? */
    const admits = (namespace: string, labels: Record<string, string>, port: number) => {
      const nsLabels = { 'kubernetes.io/metadata.name': namespace };
      const peerMatches = (peer: any) =>
        peer.ipBlock
          ? false
          : peer.namespaceSelector
            ? selectorMatches(peer.namespaceSelector, nsLabels) && (!peer.podSelector || selectorMatches(peer.podSelector, labels))
            : namespace === 'test' && selectorMatches(peer.podSelector, labels);
      const selecting = policies.filter((p) => selectorMatches(p.spec.podSelector, redisPod) && p.spec.policyTypes.includes('Ingress'));
      return selecting.some((p) => (p.spec.ingress ?? []).some((r: any) => (!r.from || r.from.some(peerMatches)) && (!r.ports || r.ports.some((x: any) => x.port === port))));
    };
    const prometheus = { 'app.kubernetes.io/name': 'prometheus' };
    expect(admits('monitoring', prometheus, 9121)).toBe(true);
    expect(admits('monitoring', prometheus, 6379)).toBe(false);
    expect(admits('elsewhere', prometheus, 9121)).toBe(false);
    expect(admits('test', { 'qdrant-stack/client': 'true' }, 9121)).toBe(false);
    expect(admits('test', { 'qdrant-stack/client': 'true' }, 6379)).toBe(true);
    // The namespace follows the model.
    const moved = synthStack({ ...ON, metrics: { serviceMonitor: true, prometheusNamespace: 'observability' } });
    const ingress = find(moved, 'NetworkPolicy', 'test-redis').spec.ingress;
    expect(ingress).toContainEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }], ports: [{ protocol: 'TCP', port: 9121 }] });
  });
});

describe('the alerts section of the model', () => {
  test.each<[string, StackInput, string]>([
    ['alerts without the Qdrant ServiceMonitor', { alerts: { enabled: true } }, 'alerts.enabled: needs metrics.serviceMonitor: true'],
    ['a misspelt key', { alerts: { enable: true } as never }, 'did you mean "enabled"?'],
    ['a misspelt threshold', { alerts: { thresholds: { diskPercnt: 80 } } as never }, 'did you mean "diskPercent"?'],
    ['a percentage over 100', { alerts: { thresholds: { memoryPercent: 150 } } }, 'alerts.thresholds.memoryPercent: must be a percentage between 1 and 100'],
    ['a percentage that is no number', { alerts: { thresholds: { diskPercent: '80%' as never } } }, 'alerts.thresholds.diskPercent: must be a percentage between 1 and 100'],
    ['severity among the alert labels', { alerts: { alertLabels: { severity: 'page' } } }, 'alerts.alertLabels: must not set severity'],
    ['an alert label Prometheus cannot name', { alerts: { alertLabels: { 'example.com/team': 'x' } } }, 'must be a Prometheus label name'],
    ['a rule label value too long', { alerts: { labels: { release: 'r'.repeat(64) } } }, 'alerts.labels.release: must be a label value'],
    ['a runbook URL that is not http(s)', { alerts: { runbookBaseUrl: 'ftp://example.com/runbooks.md' } }, 'alerts.runbookBaseUrl: must be an http(s) URL'],
    ['a runbook URL that is no URL', { alerts: { runbookBaseUrl: 'docs/runbooks.md' } }, 'alerts.runbookBaseUrl: must be an http(s) URL'],
  ])('%s is rejected', (_what, input, message) => {
    expect(() => resolveConfig(input)).toThrow(message);
  });

  test('defaults: off, thresholds 90/85/90, no labels', () => {
    expect(resolveConfig({}).alerts).toEqual({ enabled: false, labels: {}, alertLabels: {}, thresholds: { memoryPercent: 90, diskPercent: 85, redisMemoryPercent: 90 } });
  });
});
