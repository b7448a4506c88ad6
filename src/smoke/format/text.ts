/**
 * The human report: a table of checks (value against threshold), the latency summary and a
 * histogram of client round trips. Pure: returns text.
 */
import type { SmokeReport } from '../report';
import { histogram } from '../stats';

const MARK = { pass: 'PASS', fail: 'FAIL', skip: 'skip' } as const;
const BAR_WIDTH = 40;

/** Pads columns to their widest cell; the last column is left ragged. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

const show = (v: number | string | null) => (v === null ? '-' : String(v));

/** A bar chart of samples per bucket, scaled to the fullest bucket. */
export function histogramChart(samples: readonly number[]): string {
  const buckets = histogram(samples);
  const most = Math.max(1, ...buckets.map((b) => b.count));
  const label = (b: (typeof buckets)[number]) => (b.to === Infinity ? `> ${b.from} ms` : `${b.from}–${b.to} ms`);
  return table(buckets.map((b) => [label(b), String(b.count), '█'.repeat(Math.round((b.count / most) * BAR_WIDTH)) || (b.count ? '▏' : '')]));
}

/** The whole text report. `clientSamples` feeds the histogram (omitted when empty). */
export function formatText(report: SmokeReport, clientSamples: readonly number[] = []): string {
  const lines = [`qdrant-stack smoke: ${report.target.url} (Qdrant ${report.version ?? 'unreachable'})`, ''];
  lines.push(table([['check', 'status', 'value', 'threshold', 'ms', 'message'], ...report.checks.map((c) => [c.name, MARK[c.status], show(c.value), show(c.threshold), c.durationMs.toFixed(0), c.message])]));
  const l = report.latency;
  if (l) {
    lines.push('', `latency over ${l.queries} queries on ${l.mode === 'temporary' ? `a temporary collection of ${l.vectors} vectors` : `"${l.collection}" (${l.vectors} points, read-only)`}:`);
    lines.push(table([
      ['ms', 'p50', 'p95', 'p99', 'max'],
      ['client round trip', ...[l.client.p50, l.client.p95, l.client.p99, l.client.max].map((n) => n.toFixed(2))],
      ['server time', ...[l.server.p50, l.server.p95, l.server.p99, l.server.max].map((n) => n.toFixed(2))],
    ]));
    if (l.recall !== null) lines.push(`recall@10 against exact search: ${l.recall}`);
    if (clientSamples.length) lines.push('', 'client round trip histogram:', histogramChart(clientSamples));
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  lines.push('', report.status === 'pass' ? 'PASSED' : `FAILED: ${failed} check(s) failed (exit ${report.exitCode})`, '');
  return lines.join('\n');
}
