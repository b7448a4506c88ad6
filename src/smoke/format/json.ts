/** The JSON report: the report object as is (secrets were redacted when it was built). */
import type { SmokeReport } from '../report';

/** Pretty-printed JSON with a trailing newline. */
export function formatJson(report: SmokeReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
