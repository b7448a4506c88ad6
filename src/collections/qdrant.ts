/**
 * The reconciler's side of @qdrant/js-client-rest: the client made from a URL and key, the reading of its
 * errors, and every call run with retries — transient answers (5xx, 429), timeouts and connection resets
 * are retried with exponential backoff and full jitter (src/smoke/backoff.ts) until the deadline.
 */
import { QdrantClient, QdrantClientResourceExhaustedError, QdrantClientTimeoutError } from '@qdrant/js-client-rest';
import { AbortedError, BackoffOptions, retry } from '../smoke/backoff';

/** Why a run ended early: the CLI's exit code follows (unreachable 3, refused and failed 1). */
export type Failure = 'unreachable' | 'refused' | 'failed';

export class CollectionsError extends Error {
  constructor(readonly failure: Failure, message: string) {
    super(message);
    this.name = 'CollectionsError';
  }
}

/**
 * A client for `url` as given: user info becomes a Basic `authorization` header (an ingress), the key the
 * `api-key` header (the client's `apiKey` option would force https and warn on plain http, normal for an
 * in-cluster Service), no port appended unless the URL has one, no version check of the client's own.
 */
export function createClient(url: string, apiKey: string | undefined, timeoutMs: number): QdrantClient {
  const parsed = new URL(url);
  const headers: Record<string, string> = {};
  if (apiKey) headers['api-key'] = apiKey;
  if (parsed.username || parsed.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  return new QdrantClient({ url: parsed.toString().replace(/\/$/, ''), port: parsed.port === '' ? null : undefined, timeout: timeoutMs, checkCompatibility: false, headers });
}

/** The URL as it may be shown: no user info. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

interface HttpLike {
  status?: number;
  data?: unknown;
}

export const statusOf = (e: unknown): number | undefined => (typeof (e as HttpLike)?.status === 'number' ? (e as HttpLike).status : undefined);

/** Qdrant's own error text: `status.error` of its envelope, or a plain-text body (401/403). */
function serverText(e: unknown): string {
  const data = (e as HttpLike)?.data;
  const text = typeof data === 'string' ? data : (data as { status?: { error?: unknown } } | undefined)?.status?.error;
  return typeof text === 'string' ? text.replace(/\s+/g, ' ').trim().slice(0, 300) : '';
}

/** Retried: 5xx, 429, a timeout, or no answer at all (refused, reset, DNS). */
export function isTransient(e: unknown): boolean {
  if (e instanceof AbortedError) return false;
  if (e instanceof QdrantClientTimeoutError || e instanceof QdrantClientResourceExhaustedError) return true;
  const status = statusOf(e);
  if (status !== undefined) return status === 429 || status >= 500;
  // A 2xx other than 200/201, or a 5xx without a JSON body, reaches us as the client's UnexpectedResponse error.
  const unexpected = /^Unexpected Response: (\d+)/.exec(String((e as Error)?.message))?.[1];
  if (unexpected) return Number(unexpected) === 429 || Number(unexpected) >= 500;
  // No answer: fetch's "fetch failed" / "terminated" with the socket error as its cause. (Not `instanceof
  // Error`: fetch's errors come from Node's internal realm, which is not the caller's under jest.)
  const err = e as { cause?: unknown; message?: unknown } | undefined;
  return typeof err?.message === 'string' && (err.cause !== undefined || /fetch failed|terminated|socket|ECONN/i.test(err.message));
}

/** "Already exists": 409 (Qdrant 1.19), or the 400 of older servers with that text. */
export function alreadyExists(e: unknown): boolean {
  const status = statusOf(e);
  return status === 409 || (status === 400 && /already exists/i.test(serverText(e)));
}

/** One line about an error: status and Qdrant's text, or the network cause. Never request headers, so never the key. */
export function describeError(e: unknown): string {
  const status = statusOf(e);
  if (status !== undefined) {
    const text = serverText(e);
    return `HTTP ${status}${text ? `: ${text}` : ''}`;
  }
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const cause = err?.cause?.code ?? err?.cause?.message;
  const message = String(err?.message ?? e).split('\n')[0];
  return `${message}${cause && !message.includes(cause) ? ` (${cause})` : ''}`;
}

/** Retries a call's transient failures until the deadline; past it, the run ends as unreachable. */
export class Caller {
  constructor(
    private readonly deadline: number,
    private readonly backoff: BackoffOptions = { baseMs: 100, capMs: 2000 },
    private readonly signal?: AbortSignal,
    private readonly log: (line: string) => void = () => {},
  ) {}

  get timeLeftMs(): number {
    return this.deadline - Date.now();
  }

  async run<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await retry(call, {
        ...this.backoff,
        retries: Number.MAX_SAFE_INTEGER,
        signal: this.signal,
        isRetryable: (e) => isTransient(e) && Date.now() < this.deadline,
        onRetry: (e, attempt) => this.log(`retrying ${what} (attempt ${attempt + 1}) after ${describeError(e)}`),
      });
    } catch (e) {
      if (isTransient(e)) throw new CollectionsError('unreachable', `${what}: ${describeError(e)}; no answer within the deadline`);
      throw e;
    }
  }
}
