/**
 * What every check gets (client, options, deadline, abort signal) and the helper that times a check
 * and turns a thrown error into a failed result.
 */
import { AbortedError } from '../backoff';
import { describeError, QdrantTarget } from '../client';
import type { SmokeOptions } from '../options';
import type { CheckResult } from '../report';

/** Shared state of one run. Checks append their results to `checks` as they finish. */
export interface CheckContext {
  /** Every Qdrant call, bounded and cut by the run's signal. */
  readonly qdrant: QdrantTarget;
  readonly options: SmokeOptions;
  /** Epoch ms by which the target must be reachable and ready. */
  readonly deadline: number;
  /** Unique suffix of this run's temporary names. */
  readonly runId: string;
  readonly signal?: AbortSignal;
  readonly checks: CheckResult[];
  readonly onSeedProgress?: (done: number, total: number) => void;
}

/** What a check body returns; `runCheck` adds the name and the duration. */
export type Outcome = Omit<CheckResult, 'name' | 'durationMs' | 'value' | 'threshold'> & {
  readonly value?: number | string | null;
  readonly threshold?: number | string | null;
};

/** Runs one check, records and returns its result. Errors fail the check; an abort is passed on. */
export async function runCheck(ctx: CheckContext, name: string, body: () => Promise<Outcome>): Promise<CheckResult> {
  const started = performance.now();
  let outcome: Outcome;
  try {
    outcome = await body();
  } catch (e) {
    if (e instanceof AbortedError) throw e;
    outcome = { status: 'fail', message: describeError(e) };
  }
  const result: CheckResult = {
    name,
    status: outcome.status,
    value: outcome.value ?? null,
    threshold: outcome.threshold ?? null,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    message: outcome.message,
    ...(outcome.unreachable ? { unreachable: true } : {}),
  };
  ctx.checks.push(result);
  return result;
}

/** Records a skipped check (a precondition failed or it is not configured). */
export function skip(ctx: CheckContext, name: string, message: string): void {
  ctx.checks.push({ name, status: 'skip', value: null, threshold: null, durationMs: 0, message });
}

/** A wait's length as a message gives it: "0.4 s", "42 s". */
export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/**
 * Whether `kind` is a request the run itself cut because its deadline arrived: it says nothing about the
 * server, so what the server last answered (a 503, a 404) stays the reason a poll reports.
 */
export function cutByDeadline(ctx: Pick<CheckContext, 'deadline'>, kind: string): boolean {
  return kind === 'timeout' && Date.now() >= ctx.deadline - 5;
}
