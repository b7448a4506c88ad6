/**
 * The two Ollama calls the smoke test needs, over fetch. Ollama's official JS client would add a
 * dependency for two requests and knows nothing of our deadlines; these use the run's AbortSignal.
 */

/** Names of the models Ollama has pulled (`GET /api/tags`). */
export async function listModels(baseUrl: string, timeoutMs: number, signal?: AbortSignal): Promise<string[]> {
  const body = (await call(baseUrl, '/api/tags', undefined, timeoutMs, signal)) as { models?: { name?: string; model?: string }[] };
  return (body.models ?? []).map((m) => m.name ?? m.model ?? '').filter(Boolean);
}

/** Embeddings of `input` (`POST /api/embed`), one vector per text. */
export async function embed(baseUrl: string, model: string, input: string[], timeoutMs: number, signal?: AbortSignal): Promise<number[][]> {
  const body = (await call(baseUrl, '/api/embed', { model, input }, timeoutMs, signal)) as { embeddings?: number[][] };
  if (!Array.isArray(body.embeddings) || body.embeddings.length !== input.length) throw new Error(`/api/embed answered without ${input.length} embedding(s)`);
  return body.embeddings;
}

/** A failed Ollama call: `status` is the HTTP status, undefined when Ollama did not answer (network, timeout). */
export class OllamaError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'OllamaError';
  }
}

/** Whether waiting may clear the error: no answer (refused, DNS, timeout) or server trouble (5xx, 429). */
export function isRetryableOllamaError(e: unknown): boolean {
  return e instanceof OllamaError && (e.status === undefined || e.status === 429 || e.status >= 500);
}

/** "nomic-embed-text" and "nomic-embed-text:latest" name the same model. */
export function sameModel(a: string, b: string): boolean {
  const norm = (m: string) => (m.includes(':') ? m : `${m}:latest`);
  return norm(a) === norm(b);
}

async function call(baseUrl: string, path: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
  const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
  let res: Response;
  try {
    res = await fetch(new URL(path, baseUrl), {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any(signals),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    throw new OllamaError(`Ollama ${path}: ${cause ?? (e as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new OllamaError(`Ollama ${path}: HTTP ${res.status} ${text.slice(0, 200)}`, res.status);
  return JSON.parse(text);
}
