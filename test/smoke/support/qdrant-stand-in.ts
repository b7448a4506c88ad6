/**
 * An in-process stand-in for Qdrant's REST API, following its contract: `GET /` unwrapped, health
 * routes without auth, the `{result, status, time}` envelope, 401/403 bodies as Qdrant sends them,
 * collections, upsert and a real brute-force `/points/query` (so recall is genuinely computed).
 * Collections, their config (as `GET /collections/{name}` answers it, Qdrant's defaults filled in),
 * payload indexes, aliases and cluster info are the stateful collections stand-in's `collectionsApi()`,
 * mounted here: the reconciler can create and update collections on this server too. Faults are
 * switchable at any time through `faults`.
 */
import { createServer, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectionsApi, StoredCollection } from '../../support/qdrant-collections-stand-in';
import { nginxPage } from './impostor';

type Distance = 'Cosine' | 'Dot' | 'Euclid' | 'Manhattan';
type VectorParams = { size: number; distance: Distance };

/** A collection to start with (or as created through the API). `''` names the unnamed vector. */
export interface StandInCollection {
  vectors: VectorParams | Record<string, VectorParams>;
  status?: 'green' | 'yellow' | 'grey' | 'red';
  payloadSchema?: Record<string, { data_type: string }>;
  points?: { id: number | string; vector: number[] | Record<string, number[]>; payload?: Record<string, unknown> }[];
}

/** Switchable faults. Counters count down as requests consume them. */
export interface QdrantFaults {
  /** `/readyz` answers 503 this many times first. */
  readyzFailures?: number;
  /** The next `count` requests matching `match` (all but health routes by default) fail with `status`. */
  transient?: { status: 500 | 502 | 503 | 429; count: number; match?: (method: string, path: string) => boolean };
  /** `/points/query` takes this long; counted in `time`, as slow server work would be. */
  queryDelayMs?: number;
  /** GET collection reports yellow this many times after a collection is created (optimiser busy). */
  yellowPolls?: number;
  /** Matching requests get nginx's welcome page (200 text/html): a proxy routing them elsewhere. */
  nginx?: (method: string, path: string) => boolean;
  /** Matching requests are never answered: a hung server. */
  silent?: (method: string, path: string) => boolean;
  /** 401 texts quote the key they were sent (as a careless proxy might). */
  echoKey?: boolean;
}

export interface QdrantStandInOptions {
  apiKey?: string;
  readOnlyApiKey?: string;
  version?: string;
  /** Peers of the simulated cluster (1): a create with replication factor r gives each shard min(r, peers) copies. */
  peers?: number;
  collections?: Record<string, StandInCollection>;
  faults?: QdrantFaults;
  /** Called for every request before it is answered (e.g. to abort a run mid-seed). */
  onRequest?: (method: string, path: string) => void;
}

/** The points of one collection (its config is the mounted collections API's). */
type Points = Map<string, { id: number | string; vectors: Record<string, Float32Array>; payload?: Record<string, unknown> }>;

type Json = Record<string, any>;
type CollectionsApi = ReturnType<typeof collectionsApi>;

/** A running stand-in. */
export interface QdrantStandIn {
  readonly url: string;
  readonly faults: QdrantFaults;
  /** Collection names present now. */
  collectionNames(): string[];
  /** The collections, their config, indexes and aliases (the mounted collections API). */
  readonly state: CollectionsApi;
  /** Creates a collection as `PUT /collections/{name}` with `body` would, then its indexes and aliases; unlogged. */
  seed(name: string, body: Json, indexes?: Json[], aliases?: string[]): void;
  /** Every request answered: method, path (no query string), status. */
  readonly log: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

const HEALTH = new Set(['/healthz', '/livez', '/readyz']);
const READ_POSTS = /\/points(\/(query|search|scroll|count|recommend|discover)(\/batch|\/groups)?)?$/;

export async function startQdrantStandIn(options: QdrantStandInOptions = {}): Promise<QdrantStandIn> {
  const faults: QdrantFaults = { ...options.faults };
  const api = collectionsApi({ peers: options.peers });
  const points = new Map<string, Points>();
  /** A status other than the one the collections API answers (green, or yellow right after a create). */
  const statuses = new Map<string, NonNullable<StandInCollection['status']>>();
  const log: QdrantStandIn['log'] = [];

  function seed(name: string, body: Json, indexes: Json[] = [], aliases: string[] = []): void {
    const [status, error] = api.create(name, body);
    if (status !== 200) throw new Error(String(error));
    points.set(name, new Map());
    for (const index of indexes) api.createIndex(api.collections.get(name)!, index);
    for (const alias of aliases) api.aliases.set(alias, name);
  }
  for (const [name, c] of Object.entries(options.collections ?? {})) {
    seed(name, { vectors: c.vectors }, Object.entries(c.payloadSchema ?? {}).map(([field_name, s]) => ({ field_name, field_schema: s.data_type })));
    if (c.status) statuses.set(name, c.status);
    if (c.points) upsert(api.collections.get(name)!, points.get(name)!, c.points);
  }

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const method = req.method ?? 'GET';
    const reply = (status: number, body: unknown, started = process.hrtime.bigint(), extraHeaders: Record<string, string> = {}) => {
      log.push({ method, path, status });
      if (typeof body === 'string') {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...extraHeaders }).end(body);
        return;
      }
      const time = Number(process.hrtime.bigint() - started) / 1e9;
      res.writeHead(status, { 'content-type': 'application/json', ...extraHeaders }).end(JSON.stringify(body === undefined ? { status: 'ok', time } : { ...(body as object), time }));
    };
    try {
      options.onRequest?.(method, path);
      if (faults.silent?.(method, path)) return;
      if (faults.nginx?.(method, path)) {
        log.push({ method, path, status: 200 });
        return void res.writeHead(200, { server: 'nginx/1.27.0', 'content-type': 'text/html' }).end(nginxPage());
      }
      const t = faults.transient;
      if (t && t.count > 0 && !HEALTH.has(path) && (t.match ?? (() => true))(method, path)) {
        t.count--;
        return reply(t.status, { status: { error: `Service internal error: injected ${t.status}` } }, undefined, t.status === 429 ? { 'retry-after': '0' } : {});
      }
      if (method === 'GET' && path === '/') {
        // The one route without the envelope.
        log.push({ method, path, status: 200 });
        const root = { title: 'qdrant - vector search engine', version: options.version ?? '1.19.0', commit: '0'.repeat(40) };
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(root));
      }
      if (path === '/healthz' || path === '/livez') return reply(200, 'healthz check passed');
      if (path === '/readyz') {
        if ((faults.readyzFailures ?? 0) > 0) {
          faults.readyzFailures!--;
          return reply(503, 'some shards are not ready');
        }
        return reply(200, 'all shards are ready');
      }
      const denied = authorize(req, method, path, options, faults);
      if (denied) return reply(denied.status, denied.body);
      const raw = await readBody(req);
      const started = process.hrtime.bigint();
      const body = raw ? JSON.parse(raw) : {};
      const [status, result] = await route(method, path, body);
      reply(status, status < 300 ? { result, status: 'ok' } : { status: { error: result } }, started);
    } catch (e) {
      reply(500, { status: { error: `Service internal error: ${(e as Error).message}` } });
    }
  });

  /** Points and the answer of `GET /collections/{name}` here; every other collection route is the collections API's. */
  async function route(method: string, path: string, body: any): Promise<[number, unknown]> {
    const m = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
    if (!m || m[1] === 'aliases') return api.route(method, path, body);
    const name = decodeURIComponent(m[1]);
    const rest = m[2] ?? '';
    const c = api.collections.get(name);
    if (rest === '' && method === 'PUT') {
      const [status, result] = api.create(name, body, faults.yellowPolls ?? 0);
      if (status === 200) points.set(name, new Map());
      return [status, result];
    }
    if (rest === '' && method === 'DELETE') {
      points.delete(name);
      statuses.delete(name);
      return api.route(method, path, body);
    }
    if (!c) return api.route(method, path, body);
    if (rest === '' && method === 'GET') {
      const answer = api.info(c);
      const fixed = statuses.get(name);
      if (fixed && answer.status === 'green') answer.status = fixed;
      return [200, { ...answer, points_count: points.get(name)?.size ?? 0 }];
    }
    if (rest === '/points' && method === 'PUT') return upsert(c, points.get(name)!, body.points ?? []);
    if (rest === '/points/query' && method === 'POST') {
      if (faults.queryDelayMs) await new Promise((r) => setTimeout(r, faults.queryDelayMs));
      return search(c, points.get(name)!, body);
    }
    return api.route(method, path, body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    log,
    collectionNames: () => [...api.collections.keys()],
    state: api,
    seed,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Qdrant's auth: 401 without or with a wrong key, 403 for a write with the read-only key. */
function authorize(req: IncomingMessage, method: string, path: string, o: QdrantStandInOptions, faults: QdrantFaults): { status: number; body: string } | undefined {
  if (!o.apiKey && !o.readOnlyApiKey) return undefined;
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const key = (req.headers['api-key'] as string | undefined) ?? bearer;
  if (!key) return { status: 401, body: 'Must provide an API key or an Authorization bearer token' };
  if (key === o.apiKey) return undefined;
  if (key !== o.readOnlyApiKey) return { status: 401, body: `Invalid API key or JWT${faults.echoKey ? `: ${key}` : ''}` };
  const write = method === 'PUT' || method === 'DELETE' || method === 'PATCH' || (method === 'POST' && !READ_POSTS.test(path));
  return write ? { status: 403, body: 'Forbidden: write access is not allowed with a read-only API key' } : undefined;
}

/** A collection's dense vectors by name ('' for the unnamed one), as the collections API keeps them. */
function denseParams(c: StoredCollection): Record<string, VectorParams> {
  const v = c.params.vectors;
  return typeof v.size === 'number' ? { '': v } : v;
}

function upsert(c: StoredCollection, stored: Points, given: any[]): [number, unknown] {
  const params = denseParams(c);
  const prepared = [];
  for (const p of given) {
    const vectors: Record<string, Float32Array> = {};
    for (const [name, v] of Object.entries<number[]>(Array.isArray(p.vector) ? { '': p.vector } : p.vector ?? {})) {
      const vp = params[name];
      if (!vp) return [400, `Wrong input: Not existing vector name error: ${name}`];
      if (v.length !== vp.size) return [400, `Wrong input: Vector dimension error: expected dim: ${vp.size}, got ${v.length}`];
      vectors[name] = prepare(v, vp.distance);
    }
    prepared.push({ id: p.id, vectors, payload: p.payload });
  }
  for (const p of prepared) stored.set(String(p.id), p);
  return [200, { operation_id: stored.size, status: 'completed' }];
}

/** Cosine vectors are normalised on insert, as Qdrant does; scores are then plain dot products. */
function prepare(v: number[], distance: Distance): Float32Array {
  const out = Float32Array.from(v);
  if (distance !== 'Cosine') return out;
  let sum = 0;
  for (const x of out) sum += x * x;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

function search(c: StoredCollection, stored: Points, body: any): [number, unknown] {
  const using = body.using ?? '';
  const params = denseParams(c)[using];
  if (!params) return [400, `Wrong input: Not existing vector name error: ${using}`];
  const raw: number[] = Array.isArray(body.query) ? body.query : body.query?.nearest;
  if (raw.length !== params.size) return [400, `Wrong input: Vector dimension error: expected dim: ${params.size}, got ${raw.length}`];
  const q = prepare(raw, params.distance);
  const better = params.distance === 'Cosine' || params.distance === 'Dot' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  // Exact top-k by insertion into a k-long list: no per-point allocation, so no GC pause lands
  // outside the measured `time` of this or the next request.
  const limit = body.limit ?? 10;
  const top: { p: Points extends Map<string, infer P> ? P : never; score: number }[] = [];
  for (const p of stored.values()) {
    const v = p.vectors[using];
    if (!v) continue;
    const s = score(q, v, params.distance);
    if (top.length === limit && !better(s, top[limit - 1].score)) continue;
    let i = Math.min(top.length, limit - 1);
    while (i > 0 && better(s, top[i - 1].score)) i--;
    top.splice(i, 0, { p, score: s });
    if (top.length > limit) top.pop();
  }
  return [200, { points: top.map(({ p, score }) => ({ id: p.id, version: 0, score, ...(body.with_payload ? { payload: p.payload ?? {} } : {}) })) }];
}

function score(a: Float32Array, b: Float32Array, distance: Distance): number {
  let s = 0;
  if (distance === 'Euclid') {
    for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
    return Math.sqrt(s);
  }
  if (distance === 'Manhattan') {
    for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
    return s;
  }
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
