/**
 * The `alerts` section: a PrometheusRule for the stack (and the Redis exporter its Redis rules need).
 * Its cross-field rule (alerts need the Qdrant ServiceMonitor) is checked by the stack's superRefine.
 */
import { z } from 'zod';
import { LABEL_KEY, LABEL_VALUE } from './kubernetes-syntax';

/** Prometheus label names: no dots or slashes, unlike Kubernetes label keys. */
const PROMETHEUS_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const labelMap = (key: RegExp, keyError: string) =>
  z.record(
    z.string().regex(key, { error: keyError }),
    z.string({ error: 'must be a string' }).regex(LABEL_VALUE, { error: 'must be a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit' }),
    // A bad key is reported by the record itself: say what a key must be.
    { error: (issue) => (issue.code === 'invalid_key' ? keyError : 'must be a map of label to value') },
  );

const percent = (fallback: number, what: string) =>
  z
    .number({ error: 'must be a percentage between 1 and 100' })
    .min(1, { error: 'must be a percentage between 1 and 100' })
    .max(100, { error: 'must be a percentage between 1 and 100' })
    .default(fallback)
    .describe(what);

export const alertsSchema = z.strictObject({
  enabled: z
    .boolean({ error: 'must be true or false' })
    .default(false)
    .describe(
      'Render a Prometheus Operator PrometheusRule of alerts for the stack (needs metrics.serviceMonitor: the Qdrant alerts query what it scrapes; the readiness, memory and disk alerts need kube-state-metrics and the kubelet metrics), and with Redis a redis_exporter sidecar, its Service port and ServiceMonitor (Kubernetes only). Each alert links its section of docs/runbooks.md.',
    ),
  labels: labelMap(LABEL_KEY, 'must be a label key such as "release" or "example.com/team"')
    .default({})
    .describe('Extra labels of the PrometheusRule, for the Prometheus that selects it (kube-prometheus-stack selects `release: <its Helm release>` by default).'),
  alertLabels: labelMap(PROMETHEUS_LABEL, 'must be a Prometheus label name: letters, digits and "_", not starting with a digit')
    .refine((labels) => !('severity' in labels), { error: 'must not set severity: each alert has its own (critical or warning)' })
    .default({})
    .describe('Labels added to every alert, for Alertmanager routing (e.g. team: search). Each alert sets its own severity.'),
  runbookBaseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as "https://github.com/acme/search/blob/main/docs/runbooks.md"' })
    .optional()
    .describe(
      "Where this project's docs/runbooks.md is published: each alert's runbook_url is this URL plus #<alert name in lowercase>. Without it, each alert has a `runbook` annotation naming its section (docs/runbooks.md#<alert>).",
    ),
  thresholds: z
    .strictObject({
      memoryPercent: percent(90, "A container's working set above this share of its memory limit (Qdrant, Ollama, Redis)."),
      diskPercent: percent(85, 'A volume of the stack fuller than this (Qdrant storage and snapshots, Ollama models, Redis data).'),
      redisMemoryPercent: percent(90, "Redis' used memory above this share of redis.maxMemory (at maxmemory, volatile-lru cannot evict queued jobs: writes fail)."),
    })
    .prefault({})
    .describe('When the warnings fire. Search latency alerts over smoke.maxP95Ms, the smoke test\'s budget.'),
});

export type AlertsConfig = z.output<typeof alertsSchema>;

/** Cross-field rules of the `alerts` section, for the stack's superRefine. */
export function alertsProblems(stack: { alerts: AlertsConfig; metrics: { serviceMonitor: boolean } }): { path: (string | number)[]; message: string }[] {
  if (stack.alerts.enabled && !stack.metrics.serviceMonitor) {
    return [{ path: ['alerts', 'enabled'], message: 'needs metrics.serviceMonitor: true: the Qdrant alerts query the metrics its ServiceMonitor scrapes' }];
  }
  return [];
}
