/**
 * JUnit XML for CI systems: one testsuite, one testcase per check; failures and skips carry the
 * check's message. Built with xmlbuilder2, which escapes text and attributes.
 */
import { create } from 'xmlbuilder2';
import type { SmokeReport } from '../report';

/** The report as a JUnit `<testsuites>` document. */
export function formatJunit(report: SmokeReport): string {
  const checks = report.checks;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = checks.reduce((sum, c) => sum + c.durationMs, 0);
  const failures = checks.filter((c) => c.status === 'fail').length;
  const skipped = checks.filter((c) => c.status === 'skip').length;
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', { name: 'qdrant-stack smoke', tests: checks.length, failures, errors: 0, skipped, time: seconds(total) });
  const suite = root.ele('testsuite', { name: 'qdrant-stack smoke', tests: checks.length, failures, errors: 0, skipped, time: seconds(total), timestamp: report.startedAt, hostname: report.target.url });
  const props = suite.ele('properties');
  props.ele('property', { name: 'qdrant.version', value: report.version ?? 'unreachable' });
  if (report.latency) {
    for (const [side, s] of [['client', report.latency.client], ['server', report.latency.server]] as const) {
      for (const [k, v] of Object.entries(s)) props.ele('property', { name: `latency.${side}.${k}`, value: String(v) });
    }
  }
  for (const c of checks) {
    const tc = suite.ele('testcase', { classname: `smoke.${c.name.split('.')[0]}`, name: c.name, time: seconds(c.durationMs) });
    const detail = `value: ${c.value ?? '-'}, threshold: ${c.threshold ?? '-'}`;
    if (c.status === 'fail') tc.ele('failure', { message: c.message, type: c.unreachable ? 'unreachable' : 'check' }).txt(`${c.message}\n${detail}`);
    else if (c.status === 'skip') tc.ele('skipped', { message: c.message });
    else tc.ele('system-out').txt(`${c.message}\n${detail}`);
  }
  return `${root.end({ prettyPrint: true })}\n`;
}
