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

/**
 * A URL with the password of its user info replaced, in the caller's spelling: `http://admin:***@host`.
 * Works on text that is no valid URL too (a flag's value that failed validation): there the user info
 * runs up to the last "@".
 */
export function redactUrl(url: string): string {
  let valid = true;
  try {
    new URL(url);
  } catch {
    valid = false;
  }
  const scheme = /^[a-z][a-z\d+.-]*:\/\//i.exec(url)?.[0] ?? '';
  const rest = url.slice(scheme.length);
  // In a URL the authority ends at the first / ? # (or \), and its user info at the authority's last "@".
  const end = valid ? rest.search(/[/?#\\]/) : -1;
  const authority = end < 0 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  const colon = authority.indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return url;
  return `${scheme}${authority.slice(0, colon)}:${REDACTED}@${rest.slice(at + 1)}`;
}

/** The password in a URL's user info, as written and decoded (both may reach an output). */
export function urlPasswords(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const raw = new URL(url).password;
    if (!raw) return [];
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // Keep the raw form only.
    }
    return [...new Set([raw, decoded])];
  } catch {
    return [];
  }
}

/** Every string of `value`, deeply, with the secrets redacted and control characters (terminal escapes) replaced. */
export function scrubDeep<T>(value: T, secrets: readonly (string | undefined)[]): T {
  if (typeof value === 'string') {
    // eslint-disable-next-line no-control-regex
    return redact(value, secrets).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ' ') as T;
  }
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, secrets)) as T;
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, secrets)])) as T;
  return value;
}
