/**
 * Qdrant as a smoke run talks to it: the REST client (@qdrant/js-client-rest) behind the calls the checks
 * make, each with a bounded body, a timeout, the run's abort signal and a check that the answer has
 * Qdrant's shape; and the reading of its errors. Network access to Qdrant happens only here.
 */
import { QdrantClient, QdrantClientResourceExhaustedError } from '@qdrant/js-client-rest';
import { AbortedError } from './backoff';
import { guardedRequest, networkCause, RequestTimeoutError, ResponseTooLargeError, serverText, splitCredentials } from './http';

type Api = ReturnType<QdrantClient['api']>;

/** What the client hands back for every call (the openapi-typescript-fetch response). */
interface Answer<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly data: T;
}

/** An answer that is not Qdrant's: not JSON, not its shape, or larger than any Qdrant answer here. */
export class NotQdrantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotQdrantError';
  }
}

/** Qdrant's `GET /` (not enveloped). */
export interface QdrantRoot {
  readonly title: string;
  readonly version: string;
}

/** Limits of one call: `until` cuts a wait at its deadline; `uninterruptible` ignores the run's signal (cleanup). */
interface CallLimits {
  readonly until?: number;
  readonly uninterruptible?: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Who answered, for a "not Qdrant" message: status, content type, Server header and the start of the body. */
function describeAnswer(res: Answer<unknown>): string {
  const type = res.headers.get('content-type')?.split(';')[0];
  const server = res.headers.get('server');
  const body = typeof res.data === 'string' ? res.data : JSON.stringify(res.data);
  return `HTTP ${res.status}${type ? ` ${type}` : ''}${server ? ` from "${serverText(server, 40)}"` : ''}: "${serverText(body ?? '', 80)}"`;
}

/** The calls of a smoke run against one Qdrant. */
export class QdrantTarget {
  private readonly api: Api;

  /**
   * `url` as given (user info becomes a Basic `authorization` header, for an ingress); `apiKey` is sent
   * as the `api-key` header; `timeoutMs` bounds each request; `signal` (the run's) cuts any request at once.
   */
  constructor(url: string, apiKey: string | undefined, private readonly timeoutMs: number, private readonly signal?: AbortSignal) {
    const { url: bare, authorization } = splitCredentials(url);
    const headers: Record<string, string> = {};
    // A header rather than `apiKey`, which makes the client warn on every plain-http run (normal for an
    // in-cluster Service) and would force https for URLs without a scheme.
    if (apiKey) headers['api-key'] = apiKey;
    if (authorization) headers.authorization = authorization;
    const explicitPort = new URL(bare).port !== '';
    this.api = new QdrantClient({
      url: bare,
      // Without an explicit port the client would append 6333; take the URL as given (the scheme's port),
      // so https://qdrant.example.com behind an ingress works. Pass :6333 explicitly for a Service.
      port: explicitPort ? undefined : null,
      // No client timeout: its middleware would replace our signal (timeout, deadline and abort in one).
      timeout: Infinity,
      // The version check is ours (against the expected version), so the client's is off.
      checkCompatibility: false,
      headers,
    }).api();
  }

  /** Runs one client call with the bounded dispatcher and the request's signal; maps what went wrong. */
  private async call<T>(what: string, request: (init: RequestInit) => Promise<Answer<T>>, limits: CallLimits = {}): Promise<Answer<T>> {
    try {
      return await guardedRequest({ timeoutMs: this.timeoutMs, until: limits.until, signal: limits.uninterruptible ? undefined : this.signal }, (init) => request(init as RequestInit));
    } catch (e) {
      if (e instanceof ResponseTooLargeError) throw new NotQdrantError(`${what} did not answer as Qdrant: ${e.message}`);
      // The client parses a JSON content type with JSON.parse.
      if (e instanceof SyntaxError) throw new NotQdrantError(`${what} did not answer as Qdrant: invalid JSON (${serverText(e.message, 80)})`);
      throw e;
    }
  }

  /** The `result` of Qdrant's envelope `{result, status, time}`; anything else is not Qdrant. */
  private async result<T>(what: string, request: (init: RequestInit) => Promise<Answer<unknown>>, limits?: CallLimits): Promise<{ result: T; time: number }> {
    const res = await this.call(what, request, limits);
    const data = res.data as unknown;
    if (!isObject(data) || !('result' in data)) throw new NotQdrantError(`${what} did not answer as Qdrant (no {result, status, time}): ${describeAnswer(res)}`);
    return { result: data.result as T, time: typeof data.time === 'number' ? data.time : 0 };
  }

  /** `GET /`: Qdrant's `{title, version}`, or NotQdrantError naming what answered instead. */
  async root(until?: number): Promise<QdrantRoot> {
    const res = await this.call('GET /', (init) => this.api.root({}, init), { until });
    const data = res.data as unknown;
    if (!isObject(data) || typeof data.version !== 'string' || data.version === '' || typeof data.title !== 'string') {
      throw new NotQdrantError(`GET / did not answer as Qdrant (expected {title, version}): ${describeAnswer(res)}`);
    }
    return { title: data.title, version: data.version };
  }

  /** `GET /healthz`: its status and text. */
  async healthz(until?: number): Promise<{ status: number; text: string }> {
    const res = await this.call('GET /healthz', (init) => this.api.healthz({}, init), { until });
    return { status: res.status, text: serverText(res.data) };
  }

  /** `GET /readyz`: resolves when ready (200), throws the 503 otherwise. */
  async readyz(until?: number): Promise<void> {
    await this.call('GET /readyz', (init) => this.api.readyz({}, init), { until });
  }

  /** `GET /collections`: the names (needs the API key). */
  async collections(): Promise<string[]> {
    const what = 'GET /collections';
    const { result } = await this.result(what, (init) => this.api.getCollections({}, init));
    if (!isObject(result) || !Array.isArray(result.collections)) throw new NotQdrantError(`${what} did not answer as Qdrant (no result.collections)`);
    return result.collections.map((c: unknown) => String(isObject(c) ? c.name : c));
  }

  /** `GET /collections/{name}`: the collection info. */
  async collection(name: string, until?: number): Promise<CollectionInfo> {
    const what = `GET /collections/${name}`;
    const { result } = await this.result<CollectionInfo>(what, (init) => this.api.getCollection({ collection_name: name }, init), { until });
    if (!isObject(result)) throw new NotQdrantError(`${what} did not answer as Qdrant (no collection info)`);
    return result;
  }

  /** `GET /collections/{name}/aliases`: the aliases pointing at the collection. */
  async collectionAliases(name: string, until?: number): Promise<{ alias_name: string; collection_name: string }[]> {
    const what = `GET /collections/${name}/aliases`;
    const { result } = await this.result<unknown>(what, (init) => this.api.getCollectionAliases({ collection_name: name }, init), { until });
    if (!isObject(result) || !Array.isArray(result.aliases)) throw new NotQdrantError(`${what} did not answer as Qdrant (no result.aliases)`);
    return result.aliases.filter(isObject).map((a) => ({ alias_name: String(a.alias_name), collection_name: String(a.collection_name) }));
  }

  /** `GET /collections/{name}/cluster`: where the collection's shards and their copies are. */
  async collectionCluster(name: string, until?: number): Promise<Record<string, unknown>> {
    const what = `GET /collections/${name}/cluster`;
    const { result } = await this.result<unknown>(what, (init) => this.api.collectionClusterInfo({ collection_name: name }, init), { until });
    if (!isObject(result)) throw new NotQdrantError(`${what} did not answer as Qdrant (no cluster info)`);
    return result;
  }

  /** `PUT /collections/{name}` with one unnamed vector. */
  async createCollection(name: string, vectors: { size: number; distance: 'Cosine' | 'Dot' | 'Euclid' | 'Manhattan' }): Promise<void> {
    await this.result(`PUT /collections/${name}`, (init) => this.api.createCollection({ collection_name: name, vectors }, init));
  }

  /** `DELETE /collections/{name}`: not cut by the run's signal, so cleanup still happens after Ctrl-C. */
  async deleteCollection(name: string): Promise<void> {
    await this.result(`DELETE /collections/${name}`, (init) => this.api.deleteCollection({ collection_name: name }, init), { uninterruptible: true });
  }

  /** `PUT /collections/{name}/points?wait=true`. */
  async upsert(name: string, points: { id: number; vector: number[]; payload?: Record<string, unknown> }[]): Promise<void> {
    await this.result(`PUT /collections/${name}/points`, (init) => this.api.upsertPoints({ collection_name: name, wait: true, points }, init));
  }

  /** `POST /collections/{name}/points/query`: the ids and scores found and Qdrant's own `time` (seconds). */
  async query(
    name: string,
    body: { query: number[]; using?: string; limit: number; with_payload?: boolean; params?: { exact: boolean } },
  ): Promise<{ points: { id: string | number; score: number }[]; time: number }> {
    const what = `POST /collections/${name}/points/query`;
    const { result, time } = await this.result<{ points?: unknown }>(what, (init) => this.api.queryPoints({ collection_name: name, ...body }, init));
    if (!isObject(result) || !Array.isArray(result.points)) throw new NotQdrantError(`${what} did not answer as Qdrant (no result.points)`);
    return { points: result.points as { id: string | number; score: number }[], time };
  }
}

/** The fields of Qdrant's collection info the checks read. */
export interface CollectionInfo {
  readonly status?: string;
  readonly points_count?: number | null;
  readonly config?: { readonly params?: { readonly vectors?: unknown } };
  readonly payload_schema?: Record<string, { data_type?: string }>;
}

/** How an error from a call should be read. */
export type ErrorKind = 'unreachable' | 'timeout' | 'unauthorized' | 'forbidden' | 'not-found' | 'transient' | 'rejected' | 'not-qdrant';

interface HttpLike {
  status?: number;
  data?: unknown;
}

/** Classifies a call's error: network, timeout, auth, missing resource, retryable server trouble, a rejected request, or not Qdrant. */
export function errorKind(e: unknown): ErrorKind {
  if (e instanceof NotQdrantError) return 'not-qdrant';
  if (e instanceof RequestTimeoutError) return 'timeout';
  if (e instanceof QdrantClientResourceExhaustedError) return 'transient';
  const status = (e as HttpLike)?.status;
  if (typeof status === 'number') {
    if (status === 401) return 'unauthorized';
    if (status === 403) return 'forbidden';
    if (status === 404) return 'not-found';
    if (status === 429 || status >= 500) return 'transient';
    return 'rejected';
  }
  // Answers with 2xx other than 200/201 reach us as the client's UnexpectedResponse error.
  if (/^Unexpected Response: /.test(String((e as Error)?.message))) return 'not-qdrant';
  return 'unreachable';
}

/** Whether an upsert or query is worth retrying. */
export function isTransient(e: unknown): boolean {
  const kind = errorKind(e);
  return kind === 'transient' || kind === 'timeout';
}

/**
 * A one-line description of an error: status and the server's own message, or the network cause
 * (ECONNREFUSED...). Never includes request headers, so never the API key; server text is cleaned
 * (run.ts also scrubs every report string of the secrets).
 */
export function describeError(e: unknown): string {
  if (e instanceof AbortedError || e instanceof NotQdrantError || e instanceof RequestTimeoutError) return e.message;
  const http = e as HttpLike;
  if (typeof http?.status === 'number') {
    const data = http.data as { status?: { error?: string } } | string | undefined;
    const detail = typeof data === 'string' ? data : data?.status?.error ?? '';
    return `HTTP ${http.status}${detail ? `: ${serverText(detail, 200)}` : ''}`;
  }
  const cause = networkCause(e);
  const message = e instanceof Error ? e.message : String(e);
  return serverText(`${message.split('\n')[0]}${cause && !message.includes(cause) ? ` (${cause})` : ''}`, 300);
}
