/**
 * Waiting and retrying: exponential backoff with full jitter (AWS architecture blog, "Exponential
 * Backoff And Jitter"), abortable sleeps and a small concurrency pool. The only timers of the library.
 */

/** Thrown when the run is interrupted (SIGINT/SIGTERM or the caller's AbortSignal). */
export class AbortedError extends Error {
  constructor(reason?: unknown) {
    super(typeof reason === 'string' ? reason : reason instanceof Error ? reason.message : 'interrupted');
    this.name = 'AbortedError';
  }
}

/** Throws AbortedError when `signal` has fired. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AbortedError(signal.reason);
}

/** Resolves after `ms`, or rejects with AbortedError as soon as `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError(signal!.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Backoff settings: delays grow as base·2^attempt, capped; full jitter picks uniformly below that. */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly capMs: number;
  /** Injected for tests; Math.random by default. */
  readonly random?: () => number;
}

/** The delay before retry number `attempt` (0-based): uniform in [0, min(cap, base·2^attempt)). */
export function backoffDelay(attempt: number, { baseMs, capMs, random = Math.random }: BackoffOptions): number {
  return random() * Math.min(capMs, baseMs * 2 ** attempt);
}

/** What `retry` needs besides the backoff: how often, which errors, and when to give up. */
export interface RetryOptions extends BackoffOptions {
  readonly retries: number;
  readonly isRetryable: (error: unknown) => boolean;
  readonly signal?: AbortSignal;
  /** Called before each retry (for logging and counting). */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

/** Runs `fn`, retrying retryable errors up to `retries` times with backoff and full jitter. */
export async function retry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await fn();
    } catch (e) {
      if (e instanceof AbortedError || attempt >= options.retries || !options.isRetryable(e)) throw e;
      options.onRetry?.(e, attempt + 1);
      await sleep(backoffDelay(attempt, options), options.signal);
    }
  }
}

/**
 * Calls `fn` until it returns a value other than `undefined`, waiting with backoff between calls,
 * until `deadline` (epoch ms). Resolves to the value, or to `undefined` when the deadline passed.
 */
export async function pollUntil<T>(fn: () => Promise<T | undefined>, deadline: number, backoff: BackoffOptions, signal?: AbortSignal): Promise<T | undefined> {
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(signal);
    const value = await fn();
    if (value !== undefined) return value;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(left, backoffDelay(attempt, backoff)), signal);
  }
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight; results keep the input order. */
export async function mapPool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    // After one failure the other workers stop taking items, so a failed seed ends quickly.
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
