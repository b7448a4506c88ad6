/**
 * Alerts for the stack: a Prometheus Operator PrometheusRule over what Prometheus already collects (Qdrant's
 * /metrics through its ServiceMonitor, kube-state-metrics, the kubelet's cAdvisor and volume stats) and what
 * the Redis exporter sidecar adds. Ollama exports no metrics: only its Deployment's readiness is watched.
 * Qdrant 1.19 has no metric of a collection's status (green/yellow/red); shards with replicas that are not
 * active (`collection_dead_replicas`) are the nearest signal and are alerted on instead.
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { z } from 'zod';
import { REDIS_EXPORTER, redisExporterEnvironment, redisExporterImage } from '../components/redis-exporter';
import type { ImageSource } from '../components/images';
export { REDIS_EXPORTER_RESOURCES } from '../components/redis-exporter';
import { alertsSchema } from '../config/alerts';
import { parseProps } from '../config/props';
import { parseBytes } from '../config/quantity';
import { objectName } from '../naming';
import { kubernetesEnv } from './env';
import { SYNC_WAVE, syncWave } from './gitops';
import { httpProbe } from './parts';
import type { SecretKeyReference } from './qdrant';
import { restrictedContainerSecurity } from './restricted';

/**
 * Adds the redis_exporter sidecar to the Redis pod: non-root, read-only root, every capability dropped, the
 * password from the Redis password's Secret as REDIS_PASSWORD (never an argument). No readiness probe: a
 * not-ready exporter would take Redis itself out of its Service. Its resources go with the pod's others
 * (`finishRestrictedPod`, container `exporter`).
 */
export function addRedisExporter(scope: Construct, deployment: kplus.Deployment, password: SecretKeyReference, images?: ImageSource): void {
  deployment.addContainer({
    name: 'exporter',
    image: redisExporterImage(undefined, images),
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    ports: [{ name: REDIS_EXPORTER.portName, number: REDIS_EXPORTER.port }],
    envVariables: kubernetesEnv(new Construct(scope, 'exporter'), redisExporterEnvironment(), { REDIS_PASSWORD: password }),
    liveness: httpProbe(REDIS_EXPORTER.paths.health, REDIS_EXPORTER.port, { periodSeconds: 30, failureThreshold: 3, timeoutSeconds: 5 }),
    securityContext: restrictedContainerSecurity(REDIS_EXPORTER.uid, REDIS_EXPORTER.gid),
  });
}

/** A workload whose pods, containers and readiness the alerts watch. */
type Workload = kplus.Deployment | kplus.StatefulSet;

/** Props of {@link StackAlerts}. */
export interface StackAlertsProps {
  /** Name of the PrometheusRule and prefix of its groups (the stack name). */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** The model's `alerts` section (docs/configuration.md#alerts); defaults are the model's. */
  readonly alerts?: z.input<typeof alertsSchema>;
  /** p95 search latency budget in milliseconds (the model's `smoke.maxP95Ms`). */
  readonly searchP95Ms: number;
  /** Qdrant: its client Service names the scrape job (the ServiceMonitor's default `job` label). */
  readonly qdrant: { readonly serviceName: string; readonly workload: Workload; readonly replicas: number };
  readonly ollama?: { readonly deployment: kplus.Deployment };
  /** Redis with the exporter sidecar: its Service names the scrape job and is selected by the ServiceMonitor. */
  readonly redis?: { readonly serviceName: string; readonly serviceSelector: Record<string, string>; readonly deployment: kplus.Deployment; readonly maxMemory: string };
  /** Names of the stack's PersistentVolumeClaims (a StatefulSet's claims are matched from the workload). */
  readonly volumeClaims: readonly string[];
  /** Extra labels of the Redis ServiceMonitor, as of Qdrant's (`metrics.serviceMonitorLabels`). */
  readonly serviceMonitorLabels?: Record<string, string>;
}

/** One alerting rule as Prometheus reads it. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

type Severity = 'critical' | 'warning';
interface Alert {
  readonly name: string;
  readonly severity: Severity;
  readonly expr: string;
  readonly for: string;
  readonly summary: string;
  readonly description: string;
}

/** A selector `{a="x", b="y"}` of exact matches (values are DNS names: nothing to escape). */
const sel = (matchers: Record<string, string>, extra: string[] = []) => `{${[...Object.entries(matchers).map(([k, v]) => `${k}="${v}"`), ...extra].join(', ')}}`;

/** Pod names of a workload: `<deployment>-<replicaset hash>-<suffix>` or `<statefulset>-<ordinal>`. */
const podPattern = (w: Workload) => (w instanceof kplus.StatefulSet ? `${w.name}-[0-9]+` : `${w.name}-[a-z0-9]+-[a-z0-9]+`);

/** The PrometheusRule of the stack and the Redis exporter's ServiceMonitor. */
export class StackAlerts extends Construct {
  /** The rules, by group, as rendered. */
  readonly groups: { name: string; rules: AlertRule[] }[];

  constructor(scope: Construct, id: string, props: StackAlertsProps) {
    super(scope, id);
    const alerts = parseProps(alertsSchema, props.alerts, `${this.node.path} (StackAlerts props: alerts)`);
    const ns = props.namespace;
    const rule = (a: Alert): AlertRule => {
      const anchor = a.name.toLowerCase();
      const runbook: Record<string, string> = alerts.runbookBaseUrl ? { runbook_url: `${alerts.runbookBaseUrl}#${anchor}` } : { runbook: `docs/runbooks.md#${anchor}` };
      return { alert: a.name, expr: a.expr, for: a.for, labels: { ...alerts.alertLabels, severity: a.severity }, annotations: { summary: a.summary, description: a.description, ...runbook } };
    };
    const groups: { name: string; alerts: Alert[] }[] = [
      { name: 'qdrant', alerts: qdrantAlerts(ns, props.qdrant, props.searchP95Ms) },
      ...(props.redis ? [{ name: 'redis', alerts: redisAlerts(ns, props.redis, alerts.thresholds.redisMemoryPercent) }] : []),
      ...(props.ollama ? [{ name: 'ollama', alerts: [notReady('OllamaNotReady', 'Ollama', ns, props.ollama.deployment, 10)] }] : []),
      { name: 'resources', alerts: resourceAlerts(ns, props, alerts.thresholds) },
    ];
    this.groups = groups.map((g) => ({ name: `${props.name}-${g.name}`, rules: g.alerts.map(rule) }));

    new ApiObject(this, 'rule', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: objectName('PrometheusRule', props.name, 'alerts'), labels: { ...props.labels, ...alerts.labels }, annotations: syncWave(SYNC_WAVE.workloads) },
      spec: { groups: this.groups },
    });
    if (props.redis) {
      new ApiObject(this, 'redis-service-monitor', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: objectName('ServiceMonitor', props.redis.serviceName), labels: { ...props.labels, ...props.serviceMonitorLabels }, annotations: syncWave(SYNC_WAVE.workloads) },
        spec: {
          selector: { matchLabels: props.redis.serviceSelector },
          namespaceSelector: { matchNames: [ns] },
          endpoints: [{ port: REDIS_EXPORTER.portName, path: REDIS_EXPORTER.paths.metrics, scheme: 'http', interval: '30s' }],
        },
      });
    }
  }
}

/** Readiness from kube-state-metrics: fewer ready pods than the workload asks for. */
function notReady(name: string, what: string, ns: string, w: Workload, minutes: number): Alert {
  const [kind, ready, wanted] =
    w instanceof kplus.StatefulSet
      ? ['statefulset', 'kube_statefulset_status_replicas_ready', 'kube_statefulset_replicas']
      : ['deployment', 'kube_deployment_status_replicas_available', 'kube_deployment_spec_replicas'];
  const s = sel({ namespace: ns, [kind]: w.name });
  return {
    name,
    severity: 'warning',
    expr: `${ready}${s} < ${wanted}${s}`,
    for: `${minutes}m`,
    summary: `${what} has pods that are not ready`,
    description: `Only {{ $value }} pods of ${kind} ${ns}/${w.name} are ready, fewer than it asks for, for ${minutes} minutes.`,
  };
}

function qdrantAlerts(ns: string, q: StackAlertsProps['qdrant'], p95Ms: number): Alert[] {
  const job = sel({ namespace: ns, job: q.serviceName });
  const inJob = (extra: string[]) => sel({ namespace: ns, job: q.serviceName }, extra);
  // Search endpoints of both APIs (same bucket bounds); rate() drops the metric names before the union.
  const rest = `rest_responses_duration_seconds_bucket${inJob(['endpoint=~"/collections/[^/]+/points/(query|search)(/batch|/groups)?"'])}`;
  const grpc = `grpc_responses_duration_seconds_bucket${inJob(['endpoint=~"/qdrant.Points/(Query|Search)(Batch|Groups)?"'])}`;
  const alerts: Alert[] = [
    {
      name: 'QdrantDown',
      severity: 'critical',
      expr: `up${job} == 0 or absent(up${job})`,
      for: '5m',
      summary: 'Qdrant does not answer its metrics scrape',
      description: `Prometheus could not scrape {{ $labels.pod }} of ${ns}/${q.serviceName} (or finds no target at all) for 5 minutes.`,
    },
    notReady('QdrantNotReady', 'Qdrant', ns, q.workload, 15),
    {
      name: 'QdrantSearchLatencyHigh',
      severity: 'warning',
      expr: `histogram_quantile(0.95, sum by (le) (rate(${rest}[5m]) or rate(${grpc}[5m]))) > ${p95Ms / 1000}`,
      for: '10m',
      summary: `Qdrant's p95 search time is over the ${p95Ms} ms budget`,
      description: `The server-side p95 of searches and queries in ${ns} is {{ $value | humanizeDuration }}, over the smoke test's budget (smoke.maxP95Ms: ${p95Ms} ms), for 10 minutes.`,
    },
    {
      name: 'QdrantShardReplicasNotActive',
      severity: 'warning',
      expr: `collection_dead_replicas${job} > 0`,
      for: '15m',
      summary: 'Qdrant has shards with replicas that are not active',
      description: `{{ $labels.pod }} reports {{ $value }} shard replicas in a non-active state (dead, partial, recovering) for 15 minutes.`,
    },
  ];
  if (q.replicas < 2) return alerts;
  return [
    ...alerts,
    {
      name: 'QdrantPeersMissing',
      severity: 'critical',
      expr: `cluster_peers_total${job} < ${q.replicas}`,
      for: '10m',
      summary: 'A Qdrant peer is missing from the Raft cluster',
      description: `{{ $labels.pod }} knows {{ $value }} peers, fewer than qdrant.replicas (${q.replicas}), for 10 minutes.`,
    },
    {
      name: 'QdrantConsensusStopped',
      severity: 'critical',
      expr: `cluster_working_state${inJob(['state="stopped"'])} == 1`,
      for: '5m',
      summary: "A Qdrant peer's consensus thread has stopped",
      description: `{{ $labels.pod }} no longer takes part in Raft consensus: cluster changes (collections, shards, peers) stall.`,
    },
    {
      name: 'QdrantConsensusPending',
      severity: 'warning',
      expr: `cluster_pending_operations_total${job} > 0`,
      for: '15m',
      summary: 'Qdrant has consensus operations pending for 15 minutes',
      description: `{{ $labels.pod }} has had {{ $value }} pending consensus operations for 15 minutes: the cluster does not commit.`,
    },
  ];
}

function redisAlerts(ns: string, r: NonNullable<StackAlertsProps['redis']>, percent: number): Alert[] {
  const job = sel({ namespace: ns, job: r.serviceName });
  const maxBytes = parseBytes(r.maxMemory)!;
  return [
    {
      name: 'RedisDown',
      severity: 'critical',
      expr: `redis_up${job} == 0 or absent(redis_up${job})`,
      for: '5m',
      summary: 'Redis does not answer its exporter',
      description: `The exporter beside ${ns}/${r.serviceName} cannot reach Redis, or Prometheus cannot scrape the exporter, for 5 minutes.`,
    },
    {
      name: 'RedisMemoryNearLimit',
      severity: 'warning',
      expr: `redis_memory_used_bytes${job} / ${maxBytes} > ${percent / 100}`,
      for: '10m',
      summary: `Redis uses more than ${percent}% of its maxmemory (${r.maxMemory})`,
      description: `Redis in ${ns} uses {{ $value | humanizePercentage }} of redis.maxMemory (${r.maxMemory}); at the limit, writes of keys without a TTL (queued jobs) fail.`,
    },
  ];
}

function resourceAlerts(ns: string, props: StackAlertsProps, thresholds: { memoryPercent: number; diskPercent: number }): Alert[] {
  const workloads: Workload[] = [props.qdrant.workload, ...(props.ollama ? [props.ollama.deployment] : []), ...(props.redis ? [props.redis.deployment] : [])];
  const pods = `pod=~"${workloads.map(podPattern).join('|')}"`;
  const byContainer = 'max by (namespace, pod, container)';
  const sts = props.qdrant.workload instanceof kplus.StatefulSet ? [`[a-z0-9-]+-${props.qdrant.workload.name}-[0-9]+`] : [];
  const claims = `persistentvolumeclaim=~"${[...props.volumeClaims, ...sts].join('|')}"`;
  const byClaim = 'max by (namespace, persistentvolumeclaim)';
  return [
    {
      name: 'StackContainerMemoryNearLimit',
      severity: 'warning',
      expr:
        `${byContainer} (container_memory_working_set_bytes${sel({ namespace: ns }, [pods, 'container!=""'])}) / on (namespace, pod, container) ` +
        `${byContainer} (kube_pod_container_resource_limits${sel({ namespace: ns, resource: 'memory' }, [pods])}) > ${thresholds.memoryPercent / 100}`,
      for: '10m',
      summary: `A container of the stack uses more than ${thresholds.memoryPercent}% of its memory limit`,
      description: `Container {{ $labels.container }} of {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit: at the limit it is OOM-killed.`,
    },
    {
      name: 'StackVolumeNearlyFull',
      severity: 'warning',
      expr: `${byClaim} (kubelet_volume_stats_used_bytes${sel({ namespace: ns }, [claims])}) / ${byClaim} (kubelet_volume_stats_capacity_bytes${sel({ namespace: ns }, [claims])}) > ${thresholds.diskPercent / 100}`,
      for: '10m',
      summary: `A volume of the stack is more than ${thresholds.diskPercent}% full`,
      description: `PersistentVolumeClaim {{ $labels.persistentvolumeclaim }} in ${ns} is {{ $value | humanizePercentage }} full.`,
    },
  ];
}

/** What {@link addStackAlerts} reads of a QdrantStack (structural, so this file needs no import of it). */
interface StackView extends Construct {
  readonly config: { readonly name: string; readonly alerts: z.output<typeof alertsSchema>; readonly smoke: { readonly maxP95Ms: number }; readonly metrics: { readonly serviceMonitorLabels: Record<string, string> } };
  readonly namespace: string;
  readonly qdrant: StackAlertsProps['qdrant'];
  readonly ollama?: { readonly deployment: kplus.Deployment };
  readonly redis?: { readonly primaryHost: string; readonly podSelector: Record<string, string>; readonly deployment: kplus.Deployment; readonly model: { readonly maxMemory: string } };
}

/** The stack's alerts, from its rendered components (call after they are rendered). */
export function addStackAlerts(stack: StackView, labels: Record<string, string>): StackAlerts {
  const { config, redis } = stack;
  // Every claim rendered so far under the stack: the components' volumes (a StatefulSet's are matched apart).
  const volumeClaims = stack.node.findAll().flatMap((c) => (c instanceof ApiObject && c.kind === 'PersistentVolumeClaim' ? [c.name] : []));
  return new StackAlerts(stack, 'alerts', {
    name: config.name,
    namespace: stack.namespace,
    labels,
    alerts: config.alerts,
    searchP95Ms: config.smoke.maxP95Ms,
    qdrant: stack.qdrant,
    ollama: stack.ollama,
    redis: redis && { serviceName: redis.primaryHost, serviceSelector: redis.podSelector, deployment: redis.deployment, maxMemory: redis.model.maxMemory },
    volumeClaims,
    serviceMonitorLabels: config.metrics.serviceMonitorLabels,
  });
}
