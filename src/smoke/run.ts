/**
 * One smoke run: connectivity, schema, latency, companions — in that order — and the report.
 * Never throws for a failed check; an abort ends the run early, after the temporary data is deleted.
 */
import { AbortedError } from './backoff';
import { checkCompanions } from './checks/companions';
import { checkConnectivity } from './checks/connectivity';
import { CheckContext, skip } from './checks/context';
import { checkLatency, LatencyResult } from './checks/latency';
import { checkSchema } from './checks/schema';
import { QdrantTarget } from './client';
import { splitCredentials } from './http';
import type { SmokeOptions } from './options';
import { CheckResult, exitCodeOf, redactUrl, scrubDeep, SmokeReport, urlPasswords } from './report';
import { runId } from './vectors';

/** Optional hooks of a run: cancellation and progress. */
export interface RunHooks {
  /** Abort to interrupt (SIGINT/SIGTERM): the run stops, deletes its temporary data, and reports. */
  readonly signal?: AbortSignal;
  readonly onSeedProgress?: (done: number, total: number) => void;
}

/** The report plus the raw latency samples (for the histogram). */
export interface SmokeRun {
  readonly report: SmokeReport;
  readonly samples: LatencyResult['samples'];
}

/** Runs every check against `options` and builds the report. */
export async function runSmoke(options: SmokeOptions, hooks: RunHooks = {}): Promise<SmokeRun> {
  const startedAt = new Date();
  const checks: CheckResult[] = [];
  const ctx: CheckContext = {
    qdrant: new QdrantTarget(options.url, options.apiKey, options.requestTimeoutMs, hooks.signal),
    options,
    deadline: startedAt.getTime() + options.deadlineS * 1000,
    runId: runId(),
    signal: hooks.signal,
    checks,
    onSeedProgress: hooks.onSeedProgress,
  };
  let version: string | null = null;
  let latency: LatencyResult = { latency: null, samples: { client: [], server: [] } };
  try {
    const conn = await checkConnectivity(ctx);
    version = conn.version;
    if (conn.usable) {
      const found = await checkSchema(ctx);
      latency = await checkLatency(ctx, found);
    } else {
      for (const c of options.collections) skip(ctx, `collection.${c.name}`, 'Qdrant is not usable (see above)');
      skip(ctx, 'latency.server.p95', 'Qdrant is not usable (see above)');
    }
    await checkCompanions(ctx, conn.usable);
  } catch (e) {
    if (!(e instanceof AbortedError)) throw e;
    checks.push({ name: 'interrupted', status: 'fail', value: null, threshold: null, durationMs: 0, message: `run interrupted (${e.message}); temporary data deleted` });
  }
  const secrets = smokeSecrets(options);
  const scrubbed = scrubDeep(checks, secrets);
  const exitCode = exitCodeOf(scrubbed);
  // Every string of the report is scrubbed: checks quote server and library text, and a server may
  // report anything as its version.
  const report: SmokeReport = scrubDeep(
    {
      target: {
        url: redactUrl(options.url),
        apiKey: options.apiKey ? '***' : null,
        ollamaUrl: options.ollama ? redactUrl(options.ollama.url) : null,
        redisUrl: options.redis ? redactUrl(options.redis.url) : null,
      },
      version,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      status: exitCode === 0 ? 'pass' : 'fail',
      exitCode,
      checks: scrubbed,
      latency: latency.latency,
    },
    secrets,
  );
  return { report, samples: latency.samples };
}

/**
 * The secrets of a run's options: the API key, the Redis password, and the password of every URL — as
 * written, decoded, and inside the Basic credentials made of it (a server may quote its headers).
 */
export function smokeSecrets(options: Pick<SmokeOptions, 'url' | 'apiKey' | 'ollama' | 'redis'>): string[] {
  const urls = [options.url, options.ollama?.url, options.redis?.url].filter((u): u is string => !!u);
  const basic = urls.map((u) => (urlPasswords(u).length ? basicCredentials(u) : undefined));
  return [options.apiKey, options.redis?.password, ...urls.flatMap(urlPasswords), ...basic].filter((s): s is string => !!s);
}

function basicCredentials(url: string): string | undefined {
  try {
    return splitCredentials(url).authorization?.replace(/^Basic /, '');
  } catch {
    return undefined;
  }
}
