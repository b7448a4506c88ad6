/**
 * An in-process stand-in for Ollama's API: `/` ("Ollama is running"), `/api/tags`, and `/api/embed`
 * with deterministic, L2-normalised embeddings of a configurable dimension (same text, same vector).
 * `pulling` simulates a model pull still running: the model is listed (and embeds) only once it is done.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OllamaStandIn {
  readonly url: string;
  /** How many times `/api/tags` was asked. */
  tagsCalls(): number;
  close(): Promise<void>;
}

export interface OllamaStandInOptions {
  /** Models pulled from the start. */
  models: string[];
  dimension: number;
  /**
   * A model being pulled: listed from the `afterCalls`+1-th `/api/tags` call on, or `afterMs` after the
   * server started, whichever comes first (never when neither is given).
   */
  pulling?: { model: string; afterCalls?: number; afterMs?: number };
  /** Port to listen on (a free one when left out). */
  port?: number;
  /** Basic auth required on every request (as an ingress in front of Ollama might): 401 otherwise. */
  basicAuth?: { user: string; password: string };
}

/** A deterministic unit vector for `text`: a SHA-256-seeded xorshift stream, normalised. */
export function fakeEmbedding(text: string, dimension: number): number[] {
  let state = createHash('sha256').update(text).digest().readUInt32LE(0) || 1;
  const v = Array.from({ length: dimension }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32 - 0.5;
  });
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

export async function startOllamaStandIn(options: OllamaStandInOptions): Promise<OllamaStandIn> {
  const startedAt = Date.now();
  let tagsCalls = 0;
  const { pulling } = options;
  const pulled = () =>
    !!pulling && ((pulling.afterCalls !== undefined && tagsCalls > pulling.afterCalls) || (pulling.afterMs !== undefined && Date.now() - startedAt >= pulling.afterMs));
  const models = () => [...options.models, ...(pulled() ? [pulling!.model] : [])];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', (): void => {
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const auth = options.basicAuth;
      if (auth && req.headers.authorization !== `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`) {
        return void res.writeHead(401, { 'content-type': 'text/plain' }).end('401 Authorization Required');
      }
      if (req.url === '/' && req.method === 'GET') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('Ollama is running');
      if (req.url === '/api/tags' && req.method === 'GET') {
        tagsCalls++;
        return void json(200, { models: models().map((name) => ({ name, model: name, size: 669615493, digest: 'sha256:0', details: { family: 'bert' } })) });
      }
      if (req.url === '/api/embed' && req.method === 'POST') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; input: string | string[] };
        const known = models().some((m) => m === body.model || m === `${body.model}:latest`);
        if (!known) return void json(404, { error: `model "${body.model}" not found, try pulling it first` });
        const inputs = Array.isArray(body.input) ? body.input : [body.input];
        return void json(200, { model: body.model, embeddings: inputs.map((t) => fakeEmbedding(t, options.dimension)), total_duration: 1000, load_duration: 10, prompt_eval_count: inputs.length });
      }
      json(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tagsCalls: () => tagsCalls,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
