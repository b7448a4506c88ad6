/**
 * The two Ollama calls the smoke test needs, over fetch. Ollama's official JS client would add a
 * dependency for two requests and knows nothing of our deadlines. Each call has the guards of http.ts:
 * a bounded body (a declared length above the cap is refused before reading, a longer stream is cut),
 * a timeout, the run's abort signal, and user info of the URL sent as a header, never printed.
 */
import { AbortedError } from './backoff';
import { guardedRequest, MAX_RESPONSE_BYTES, networkCause, RequestLimits, RequestTimeoutError, ResponseTooLargeError, serverText, splitCredentials } from './http';

/** Names of the models Ollama has pulled (`GET /api/tags`). */
export async function listModels(baseUrl: string, limits: RequestLimits): Promise<string[]> {
  const path = '/api/tags';
  const body = await call(baseUrl, path, undefined, limits);
  if (!isObject(body) || !Array.isArray(body.models)) throw notOllama(path, 'no "models" list');
  return body.models.map((m: unknown) => (isObject(m) ? String(m.name ?? m.model ?? '') : '')).filter(Boolean).map((name) => serverText(name, 100));
}

/** Embeddings of `input` (`POST /api/embed`), one vector per text. */
export async function embed(baseUrl: string, model: string, input: string[], limits: RequestLimits): Promise<number[][]> {
  const path = '/api/embed';
  const body = await call(baseUrl, path, { model, input }, limits);
  const embeddings = isObject(body) ? body.embeddings : undefined;
  if (!Array.isArray(embeddings) || embeddings.length !== input.length || !embeddings.every((v) => Array.isArray(v) && v.every((x) => typeof x === 'number'))) {
    throw notOllama(path, `no ${input.length} embedding(s)`);
  }
  return embeddings as number[][];
}

/**
 * A failed Ollama call. `httpStatus` is the HTTP status; `answered` is false when Ollama did not answer
 * (refused, DNS, timeout), true when something answered, with an error or not as Ollama.
 */
export class OllamaError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
    readonly answered: boolean = httpStatus !== undefined,
  ) {
    super(message);
    this.name = 'OllamaError';
  }
}

/** Whether waiting may clear the error: no answer (refused, DNS, timeout) or server trouble (5xx, 429). */
export function isRetryableOllamaError(e: unknown): boolean {
  return e instanceof OllamaError && (!e.answered || e.httpStatus === 429 || (e.httpStatus ?? 0) >= 500);
}

/** "nomic-embed-text" and "nomic-embed-text:latest" name the same model. */
export function sameModel(a: string, b: string): boolean {
  const norm = (m: string) => (m.includes(':') ? m : `${m}:latest`);
  return norm(a) === norm(b);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const notOllama = (path: string, what: string) => new OllamaError(`Ollama ${path} did not answer as Ollama: ${what}`, 200);

async function call(baseUrl: string, path: string, body: unknown, limits: RequestLimits): Promise<unknown> {
  const { url, authorization } = splitCredentials(baseUrl);
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (authorization) headers.authorization = authorization;
  let answer: { status: number; ok: boolean; text: string };
  try {
    answer = await guardedRequest(limits, async (init) => {
      const res = await fetch(new URL(path, url), {
        ...init,
        method: body === undefined ? 'GET' : 'POST',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      } as RequestInit);
      // A declared length above the cap is refused before reading; a longer stream is cut by the dispatcher.
      const length = Number(res.headers.get('content-length'));
      if (length > MAX_RESPONSE_BYTES) {
        await res.body?.cancel();
        throw new ResponseTooLargeError(length);
      }
      return { status: res.status, ok: res.ok, text: await res.text() };
    });
  } catch (e) {
    if (e instanceof AbortedError) throw e;
    if (e instanceof RequestTimeoutError) throw new OllamaError(`Ollama ${path}: ${e.message}`);
    if (e instanceof ResponseTooLargeError) throw notOllama(path, e.message);
    throw new OllamaError(`Ollama ${path}: ${networkCause(e) ?? serverText((e as Error).message)}`);
  }
  if (!answer.ok) throw new OllamaError(`Ollama ${path}: HTTP ${answer.status} ${serverText(answer.text, 200)}`, answer.status);
  try {
    return JSON.parse(answer.text);
  } catch (e) {
    throw notOllama(path, `invalid JSON (${serverText((e as Error).message, 80)})`);
  }
}
