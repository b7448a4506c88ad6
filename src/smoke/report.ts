/**
 * The verdict of a smoke run as data: checks, latency, and the exit code they imply. Pure; the
 * formatters in ./format turn it into text, JSON or JUnit XML.
 */
import type { LatencySummary } from './stats';

export type CheckStatus = 'pass' | 'fail' | 'skip';

/** One check of the run, as reported. `value` is what was measured, `threshold` what was expected. */
export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  readonly value: number | string | null;
  readonly threshold: number | string | null;
  readonly durationMs: number;
  readonly message: string;
  /** A failure meaning "unreachable or not ready in time" (exit 3) rather than "wrong answer" (exit 1). */
  readonly unreachable?: boolean;
}

/** Latency of the measured collection, in milliseconds; recall@10 in 0..1. */
export interface LatencyReport {
  readonly collection: string;
  readonly mode: 'temporary' | 'read-only';
  readonly vectors: number;
  readonly queries: number;
  readonly client: LatencySummary;
  readonly server: LatencySummary;
  readonly recall: number | null;
}

/** Where the run pointed; secrets are replaced before this is built. */
export interface ReportTarget {
  readonly url: string;
  readonly apiKey: string | null;
  readonly ollamaUrl: string | null;
  readonly redisUrl: string | null;
}

/** The JSON report (`--format json`). */
export interface SmokeReport {
  readonly target: ReportTarget;
  /** Server version from `GET /`, null when unreachable. */
  readonly version: string | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly status: 'pass' | 'fail';
  readonly exitCode: SmokeExitCode;
  readonly checks: readonly CheckResult[];
  readonly latency: LatencyReport | null;
}

/** Exit codes of `qdrant-stack smoke` and of the in-cluster runner. */
export const SMOKE_EXIT = { pass: 0, failed: 1, usage: 2, unreachable: 3 } as const;
export type SmokeExitCode = (typeof SMOKE_EXIT)[keyof typeof SMOKE_EXIT];

/** 3 when the target was unreachable or not ready in time, 1 when any other check failed, else 0. */
export function exitCodeOf(checks: readonly CheckResult[]): SmokeExitCode {
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.some((c) => c.unreachable)) return SMOKE_EXIT.unreachable;
  return failed.length > 0 ? SMOKE_EXIT.failed : SMOKE_EXIT.pass;
}

export const REDACTED = '***';

/** Replaces every occurrence of each secret in `text` (secrets shorter than 4 characters are ignored). */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join(REDACTED);
  return out;
}

/** A URL with its password (and user name) replaced, for reports; unparsable input is returned redacted. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = REDACTED;
    if (u.username && u.username !== 'default') u.username = REDACTED;
    return u.toString();
  } catch {
    return REDACTED;
  }
}

/**
 * Scrubs every string of a check through `redact`: the checks quote server and library messages, and
 * a secret must not reach a report even if some library one day echoes it.
 */
export function scrubChecks(checks: readonly CheckResult[], secrets: readonly (string | undefined)[]): CheckResult[] {
  const s = (v: number | string | null) => (typeof v === 'string' ? redact(v, secrets) : v);
  return checks.map((c) => ({ ...c, name: redact(c.name, secrets), message: redact(c.message, secrets), value: s(c.value), threshold: s(c.threshold) }));
}
