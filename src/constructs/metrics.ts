import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { z } from 'zod';
import { parseProps } from '../config/props';
import { metricsSchema } from '../config/schema';
import { QDRANT } from '../components/qdrant';
import { SYNC_WAVE, syncWave } from './gitops';
import type { SecretKeyReference } from './qdrant';
import { objectName } from '../naming';

/** Props of {@link QdrantMetrics}. */
export interface QdrantMetricsProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Labels of the (client) Service whose endpoints are scraped. */
  readonly serviceSelector: Record<string, string>;
  /** /metrics needs an API key: the read-only one, as a bearer token. */
  readonly bearerToken: SecretKeyReference;
  readonly scheme: 'http' | 'https';
  /**
   * TLS Secret whose ca.crt verifies Qdrant's certificate.
   * @default no TLS
   */
  readonly tlsSecretName?: string;
  /**
   * With TLS: the name the certificate is verified against. Prometheus scrapes pod IPs, which no certificate
   * names, so this must be one of its SANs (e.g. `<service>.<namespace>.svc`).
   * @default none
   */
  readonly tlsServerName?: string;
  /**
   * The model's `metrics` section (docs/configuration.md#metrics): which of the ServiceMonitor and the
   * Grafana dashboard to render, and the ServiceMonitor's extra labels. Defaults are the model's.
   */
  readonly metrics?: z.input<typeof metricsSchema>;
}

/** Prometheus scraping of Qdrant's /metrics and a Grafana dashboard of search latency, RPS and sizes. */
export class QdrantMetrics extends Construct {
  constructor(scope: Construct, id: string, props: QdrantMetricsProps) {
    super(scope, id);
    const metrics = parseProps(metricsSchema, props.metrics, `${this.node.path} (QdrantMetrics props: metrics)`);
    if (metrics.serviceMonitor) {
      new ApiObject(this, 'service-monitor', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: objectName('ServiceMonitor', props.name), labels: { ...props.labels, ...metrics.serviceMonitorLabels }, annotations: syncWave(SYNC_WAVE.workloads) },
        spec: {
          selector: { matchLabels: props.serviceSelector },
          namespaceSelector: { matchNames: [props.namespace] },
          endpoints: [
            {
              port: 'http',
              path: '/metrics',
              scheme: props.scheme,
              interval: '30s',
              authorization: { type: 'Bearer', credentials: { name: props.bearerToken.secretName, key: props.bearerToken.key } },
              ...(props.tlsSecretName
                ? { tlsConfig: { ca: { secret: { name: props.tlsSecretName, key: QDRANT.tlsFiles.ca } }, ...(props.tlsServerName ? { serverName: props.tlsServerName } : {}) } }
                : {}),
            },
          ],
        },
      });
    }
    if (metrics.grafanaDashboard) {
      new kplus.ConfigMap(this, 'dashboard', {
        metadata: { name: objectName('ConfigMap', props.name, 'dashboard'), labels: { ...props.labels, grafana_dashboard: '1' }, annotations: syncWave(SYNC_WAVE.config) },
        data: { 'qdrant.json': `${JSON.stringify(dashboard(props.namespace), null, 2)}\n` },
      });
    }
  }
}

/** A small dashboard over Qdrant 1.19's /metrics: query latency, request rate, errors, vectors, collections. */
export function dashboard(namespace: string): object {
  const sel = `namespace="${namespace}"`;
  const panel = (id: number, title: string, expr: string, unit: string, x: number, y: number) => ({
    id,
    title,
    type: 'timeseries',
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { h: 8, w: 12, x, y },
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: [{ expr, refId: 'A', legendFormat: '{{pod}} {{endpoint}}' }],
  });
  return {
    title: 'Qdrant (qdrant-stack)',
    uid: `qdrant-stack-${namespace}`,
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus' }] },
    panels: [
      panel(1, 'Search latency p95 (/points/query)', `histogram_quantile(0.95, sum by (le, pod) (rate(rest_responses_duration_seconds_bucket{${sel}, endpoint=~".*points/query.*"}[5m])))`, 's', 0, 0),
      panel(2, 'Requests per second', `sum by (pod, endpoint) (rate(rest_responses_total{${sel}}[5m]))`, 'reqps', 12, 0),
      // Qdrant 1.17 dropped rest_responses_fail_total: failures are rest_responses_total with a 5xx status label.
      panel(3, 'Failed requests per second (5xx)', `sum by (pod, endpoint) (rate(rest_responses_total{${sel}, status=~"5.."}[5m]))`, 'reqps', 0, 8),
      panel(4, 'Vectors', `sum by (pod) (collections_vector_total{${sel}})`, 'short', 12, 8),
      panel(5, 'Collections', `max by (pod) (collections_total{${sel}})`, 'short', 0, 16),
    ],
  };
}
