/**
 * The Qdrant client of a smoke run and the reading of its errors. Network access happens only through
 * the client made here.
 */
import { QdrantClient, QdrantClientResourceExhaustedError, QdrantClientTimeoutError } from '@qdrant/js-client-rest';

/** Creates the REST client. The version check is ours (against the expected version), so the client's is off. */
export function createQdrantClient(url: string, apiKey: string | undefined, timeoutMs: number): QdrantClient {
  const explicitPort = new URL(url).port !== '';
  return new QdrantClient({
    url,
    // Without an explicit port the client would append 6333; take the URL as given (the scheme's port),
    // so https://qdrant.example.com behind an ingress works. Pass :6333 explicitly for a Service.
    port: explicitPort ? undefined : null,
    timeout: timeoutMs,
    checkCompatibility: false,
    // Sent as a header rather than `apiKey`, which makes the client warn on every plain-http run
    // (normal for an in-cluster Service) and would force https for URLs without a scheme.
    headers: apiKey ? { 'api-key': apiKey } : undefined,
  });
}

/** How an error from the client should be read. */
export type ErrorKind = 'unreachable' | 'timeout' | 'unauthorized' | 'forbidden' | 'not-found' | 'transient' | 'rejected';

interface HttpLike {
  status?: number;
  data?: unknown;
}

/** Classifies a client error: network, auth, missing resource, retryable server trouble, or a rejected request. */
export function errorKind(e: unknown): ErrorKind {
  if (e instanceof QdrantClientTimeoutError) return 'timeout';
  if (e instanceof QdrantClientResourceExhaustedError) return 'transient';
  const status = (e as HttpLike)?.status;
  if (typeof status === 'number') {
    if (status === 401) return 'unauthorized';
    if (status === 403) return 'forbidden';
    if (status === 404) return 'not-found';
    if (status === 429 || status >= 500) return 'transient';
    return 'rejected';
  }
  // A 5xx without a JSON body reaches us as the client's UnexpectedResponse error.
  if (/Unexpected Response: (5\d\d|429)/.test(String((e as Error)?.message))) return 'transient';
  return 'unreachable';
}

/** Whether an upsert or query is worth retrying. */
export function isTransient(e: unknown): boolean {
  const kind = errorKind(e);
  return kind === 'transient' || kind === 'timeout';
}

/**
 * A one-line description of a client error: status and the server's own message, or the network
 * cause (ECONNREFUSED...). Never includes request headers, so never the API key.
 */
export function describeError(e: unknown): string {
  const http = e as HttpLike;
  if (typeof http?.status === 'number') {
    const data = http.data as { status?: { error?: string } } | string | undefined;
    const detail = typeof data === 'string' ? data : data?.status?.error ?? '';
    return `HTTP ${http.status}${detail ? `: ${String(detail).slice(0, 200)}` : ''}`;
  }
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const cause = err?.cause?.code ?? err?.cause?.message;
  return `${err?.message ?? String(e)}${cause ? ` (${cause})` : ''}`.split('\n')[0];
}
