/**
 * Reachability, version, health, readiness and the API key — in that order, each a precondition of
 * the next. `/`, `/healthz` and `/readyz` bypass the API key on Qdrant, so only the last call proves it.
 * Something that answers but not as Qdrant (an nginx page, invalid JSON) fails the check (exit 1): it is
 * reachable, and wrong; only silence until the deadline is "unreachable" (exit 3).
 */
import { QDRANT } from '../../components/qdrant';
import { pollUntil } from '../backoff';
import { describeError, errorKind } from '../client';
import { serverText } from '../http';
import { CheckContext, cutByDeadline, runCheck, skip } from './context';

/** Result of the connectivity stage: how far the run may go, and the server version. */
export interface Connectivity {
  readonly version: string | null;
  /** Reachable, ready and the key accepted: schema and latency checks may run. */
  readonly usable: boolean;
}

/**
 * Calls `call` with backoff until it answers or the run's deadline passes. Errors that may clear up
 * (unreachable, timeout, 5xx/429) are retried and remembered in `last.error`; any other is thrown.
 */
async function pollAnswer<T>(ctx: CheckContext, call: () => Promise<T>, last: { error: string }): Promise<T | undefined> {
  return pollUntil(
    async () => {
      try {
        return await call();
      } catch (e) {
        const kind = errorKind(e);
        if (!(last.error && cutByDeadline(ctx, kind))) last.error = describeError(e);
        if (kind === 'unreachable' || kind === 'timeout' || kind === 'transient') return undefined;
        throw e;
      }
    },
    ctx.deadline,
    ctx.options.backoff,
    ctx.signal,
  );
}

/** Runs the connectivity checks; later checks are skipped by the caller when `usable` is false. */
export async function checkConnectivity(ctx: CheckContext): Promise<Connectivity> {
  let version: string | null = null;
  const last = { error: '' };
  const reach = await runCheck(ctx, 'qdrant.reachable', async () => {
    const root = await pollAnswer(ctx, () => ctx.qdrant.root(ctx.deadline), last);
    if (!root) return { status: 'fail', unreachable: true, threshold: `${ctx.options.deadlineS} s`, message: `no answer on GET / within the deadline: ${last.error}` };
    version = serverText(root.version, 64);
    return { status: 'pass', value: version, message: `${serverText(root.title, 60)} ${version}` };
  });
  if (reach.status !== 'pass') return { version: null, usable: false };

  const expected = ctx.options.expectedVersion?.replace(/^v/, '');
  if (expected) {
    await runCheck(ctx, 'qdrant.version', async () =>
      version === expected
        ? { status: 'pass', value: version, threshold: expected, message: 'server runs the expected version' }
        : { status: 'fail', value: version, threshold: expected, message: `server runs ${version}, expected ${expected}` },
    );
  } else skip(ctx, 'qdrant.version', 'no expected version (pass --config or --expect-version)');

  await runCheck(ctx, 'qdrant.healthz', async () => {
    const res = await ctx.qdrant.healthz();
    return { status: 'pass', value: res.status, threshold: 200, message: res.text };
  });

  let attempts = 0;
  const ready = await runCheck(ctx, 'qdrant.readyz', async () => {
    const ok = await pollAnswer(
      ctx,
      async () => {
        attempts++;
        await ctx.qdrant.readyz(ctx.deadline);
        return true;
      },
      last,
    );
    return ok
      ? { status: 'pass', value: attempts, message: `${QDRANT.probes.readiness} ready after ${attempts} attempt(s)` }
      : { status: 'fail', unreachable: true, value: attempts, threshold: `${ctx.options.deadlineS} s`, message: `${QDRANT.probes.readiness} not ready within the deadline: ${last.error}` };
  });
  if (ready.status !== 'pass') return { version, usable: false };

  const auth = await runCheck(ctx, 'qdrant.auth', async () => {
    try {
      const n = (await ctx.qdrant.collections()).length;
      return { status: 'pass', value: 'accepted', message: `${ctx.options.apiKey ? 'API key accepted' : 'no API key needed'}; ${n} collection(s)` };
    } catch (e) {
      if (errorKind(e) !== 'unauthorized') throw e;
      const hint = ctx.options.apiKey ? 'the API key was refused' : 'the server requires an API key (--api-key or QDRANT_API_KEY)';
      return { status: 'fail', value: 'refused', message: `${hint}: ${describeError(e)}` };
    }
  });
  return { version, usable: auth.status === 'pass' };
}
