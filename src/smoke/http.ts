/**
 * The HTTP guards of a smoke run, shared by the Qdrant client and the Ollama calls: a cap on response
 * bodies, a timeout per request joined with the run's abort signal, credentials in a URL moved into a
 * header, and server text made fit for a report.
 *
 * Why a dispatcher: @qdrant/js-client-rest 1.18 takes no `fetch` and no dispatcher in its options (its
 * own undici Agent has no size limit), and it reads every body whole with `response.text()` — a 2 GB
 * answer ends Node with a fatal error no `catch` sees. But each `client.api()` method takes a
 * `RequestInit` that is merged over the client's, and Node's fetch honours its `dispatcher` and `signal`.
 * So every request goes through `guardedRequest`: an undici Agent with `maxResponseSize` (undici's own
 * limit, enforced while the body streams) and one signal for the timeout, the deadline and Ctrl-C.
 * (The in-cluster runner's bundle maps `undici` to the Agent class of the undici inside Node's fetch:
 * scripts/bundle-smoke.mjs.)
 */
import { Agent, Dispatcher } from 'undici';
import { AbortedError } from './backoff';

/** The largest response body a smoke check reads: Qdrant's own request limit (32 MiB by default). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** The error code of undici's `maxResponseSize`. */
const TOO_LARGE = 'UND_ERR_RES_EXCEEDED_MAX_SIZE';

let agent: Agent | undefined;

/**
 * A dispatcher for one request: a shared undici Agent with `maxResponseSize`, calling `onTooLarge` when
 * that limit ends the request. fetch passes the limit's error on only as the `cause` of "terminated", and
 * drops it when the error comes from another realm (as under jest), so the dispatcher notes it itself.
 */
function boundedDispatcher(onTooLarge: () => void): Dispatcher {
  agent ??= new Agent({ maxResponseSize: MAX_RESPONSE_BYTES });
  const shared = agent;
  const note = (err: unknown) => (err as { code?: unknown } | undefined)?.code === TOO_LARGE && onTooLarge();
  const dispatch = (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers) =>
    shared.dispatch(
      options,
      new Proxy(handler, {
        get(target, key) {
          const value: unknown = Reflect.get(target, key);
          if (typeof value !== 'function') return value;
          // undici 6 calls onError(err); undici 7's handlers have onResponseError(controller, err).
          if (key === 'onError') return (err: unknown) => (note(err), value.call(target, err));
          if (key === 'onResponseError') return (controller: unknown, err: unknown) => (note(err), value.call(target, controller, err));
          return value.bind(target);
        },
      }),
    );
  return { dispatch } as unknown as Dispatcher;
}

/** An answer larger than MAX_RESPONSE_BYTES: `bytes` when it said so up front. */
export class ResponseTooLargeError extends Error {
  constructor(readonly bytes?: number) {
    super(`${bytes === undefined ? 'the answer passed' : `the answer is ${bytes} bytes, more than`} the ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB a smoke check reads`);
    this.name = 'ResponseTooLargeError';
  }
}

/** A request that got no (complete) answer within its timeout. */
export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${(timeoutMs / 1000).toFixed(1)} s`);
    this.name = 'RequestTimeoutError';
  }
}

/** How long one request may take, and what else ends it. */
export interface RequestLimits {
  /** The request timeout (ms). */
  readonly timeoutMs: number;
  /**
   * A wait's deadline (epoch ms): while it is ahead, the request is cut there even if its timeout has
   * time left. A request started after it (a wait's first call, late in a long run) has its timeout.
   */
  readonly until?: number;
  /** The run's signal: Ctrl-C or SIGTERM cuts the request at once. */
  readonly signal?: AbortSignal;
}

/** What a guarded request passes to fetch (or to a client call, which merges it into its own). */
export interface GuardedInit {
  readonly signal: AbortSignal;
  readonly dispatcher: Dispatcher;
}

/**
 * Runs `request` with a bounded dispatcher and a signal that fires after min(timeout, time left until
 * `until`) or when the run's signal fires; either cuts the request wherever it is (connecting, waiting,
 * reading the body). Throws RequestTimeoutError, AbortedError or ResponseTooLargeError for those,
 * whatever the request threw.
 */
export async function guardedRequest<T>(limits: RequestLimits, request: (init: GuardedInit) => Promise<T>): Promise<T> {
  if (limits.signal?.aborted) throw new AbortedError(limits.signal.reason);
  const left = limits.until === undefined ? Infinity : limits.until - Date.now();
  const timeoutMs = left > 0 ? Math.max(1, Math.min(limits.timeoutMs, left)) : limits.timeoutMs;
  const controller = new AbortController();
  let timedOut = false;
  let tooLarge = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new RequestTimeoutError(timeoutMs));
  }, timeoutMs);
  const onAbort = () => controller.abort(new AbortedError(limits.signal!.reason));
  limits.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await request({ signal: controller.signal, dispatcher: boundedDispatcher(() => (tooLarge = true)) });
  } catch (e) {
    if (limits.signal?.aborted) throw new AbortedError(limits.signal.reason);
    if (timedOut) throw new RequestTimeoutError(timeoutMs);
    if (tooLarge) throw new ResponseTooLargeError();
    throw e;
  } finally {
    clearTimeout(timer);
    limits.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * A URL without its user info, and that user info as a Basic `authorization` header: Node's fetch
 * refuses URLs with credentials (and the Qdrant client drops them), while an ingress may want them.
 */
export function splitCredentials(url: string): { url: string; authorization?: string } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url };
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  // Keep the caller's spelling otherwise (URL#toString adds a trailing slash to a bare origin).
  const bare = url.endsWith('/') || u.pathname !== '/' || u.search || u.hash ? u.toString() : u.toString().replace(/\/$/, '');
  return { url: bare, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/**
 * Text a server sent, fit for one line of a report: control characters (terminal escapes) and runs of
 * white space become one space, and it is cut at `max` characters.
 */
export function serverText(text: unknown, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const line = String(text).replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/**
 * The network cause of a failed fetch: the first error code in its cause chain (ECONNREFUSED, ENOTFOUND,
 * UND_ERR_SOCKET...), else the message of its cause.
 */
export function networkCause(e: unknown): string | undefined {
  for (let c: unknown = e, depth = 0; c && depth < 4; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  const cause = (e as { cause?: { message?: unknown } } | undefined)?.cause?.message;
  return typeof cause === 'string' ? cause : undefined;
}
