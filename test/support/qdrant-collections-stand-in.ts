/**
 * A stateful in-process stand-in for Qdrant 1.19's collection API: what the reconciler's real client talks
 * to in the tests. Collections keep their config as Qdrant answers it (`config.params`, `hnsw_config`,
 * `optimizer_config`, `quantization_config`, `payload_schema`, Qdrant's defaults filled in for what a create
 * leaves out), PATCH merges as Qdrant does, payload indexes and aliases (atomic batches), cluster info of a
 * simulated cluster, `GET /`, health routes, API key and read-only key (403 on writes), Qdrant's 404/409
 * texts and the `{result, status, time}` envelope. Every request is logged with method, path and body.
 *
 * `collectionsApi()` is the HTTP-free part, for another stand-in to mount.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, any>;
type Match = (method: string, path: string) => boolean;

export interface StoredCollection {
  params: Json;
  hnsw_config: Json;
  optimizer_config: Json;
  wal_config: Json;
  quantization_config: Json | null;
  payload_schema: Record<string, Json>;
  /** Peers holding each shard (shard id = index). */
  replicas: number[][];
  yellowLeft: number;
}

/** Switchable faults; counters count down as requests use them. */
export interface CollectionsFaults {
  /** The next `count` matching requests (all but `/`, health) answer `status` without doing anything. */
  transient?: { status: 500 | 502 | 503 | 429; count: number; match?: Match };
  /** The next `count` matching requests are refused with `status` and Qdrant's error text `error`. */
  refuse?: { count: number; match: Match; status: 400 | 422; error: string };
  /** The next `count` matching requests lose their connection; with `afterWork`, after the work was done. */
  reset?: { count: number; match?: Match; afterWork?: boolean };
  /** The first `count` matching requests wait for each other, then all go on (forces a race). */
  barrier?: { count: number; match: Match };
  /** A created collection answers yellow to this many reads first. */
  yellowPolls?: number;
  /** `/readyz` answers 503 this many times first. */
  readyzFailures?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
  body?: any;
}

const WRITE_METHODS = new Set(['PUT', 'PATCH', 'POST', 'DELETE']);
const READ_POSTS = /\/points\/(query|search|scroll|count|recommend|discover)(\/batch|\/groups)?$/;
const INDEX_TYPES = new Set(['keyword', 'integer', 'float', 'bool', 'geo', 'datetime', 'text', 'uuid']);
const DISTANCES = new Set(['Cosine', 'Dot', 'Euclid', 'Manhattan']);
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const merge = (into: Json, diff: Json | undefined) => Object.assign(into, Object.fromEntries(Object.entries(diff ?? {}).filter(([, v]) => v !== null && v !== undefined)));
const notFound = (name: string): [number, string] => [404, `Not found: Collection \`${name}\` doesn't exist!`];

/** The collection API as state and routes: `[status, result or error text]`. */
export function collectionsApi(options: { peers?: number; faults?: CollectionsFaults } = {}) {
  const peers = options.peers ?? 1;
  const collections = new Map<string, StoredCollection>();
  const aliases = new Map<string, string>();

  function create(name: string, body: Json, yellowLeft = 0): [number, unknown] {
    if (collections.has(name)) return [409, `Wrong input: Collection \`${name}\` already exists!`];
    const vectors = body.vectors ?? {};
    const single = typeof vectors.size === 'number' || 'distance' in vectors;
    for (const [vname, v] of Object.entries(single ? { '': vectors } : vectors) as [string, Json][]) {
      if (!Number.isInteger(v.size) || v.size < 1) return [400, `Json deserialize error: vectors${vname ? `.${vname}` : ''}.size: invalid value, expected a positive integer`];
      if (!DISTANCES.has(v.distance)) return [400, `Json deserialize error: unknown variant \`${v.distance}\`, expected one of \`Cosine\`, \`Euclid\`, \`Dot\`, \`Manhattan\``];
    }
    const shardNumber = body.shard_number ?? peers;
    const copies = Math.min(body.replication_factor ?? 1, peers);
    collections.set(name, {
      params: Object.fromEntries(Object.entries({
        vectors: clone(vectors),
        shard_number: shardNumber,
        sharding_method: body.sharding_method,
        replication_factor: body.replication_factor ?? 1,
        write_consistency_factor: body.write_consistency_factor ?? 1,
        on_disk_payload: body.on_disk_payload ?? true,
        sparse_vectors: body.sparse_vectors ? clone(body.sparse_vectors) : undefined,
      }).filter(([, v]) => v !== undefined)),
      hnsw_config: merge({ m: 16, ef_construct: 100, full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false }, body.hnsw_config),
      optimizer_config: merge(
        { deleted_threshold: 0.2, vacuum_min_vector_number: 1000, default_segment_number: 0, max_segment_size: null, memmap_threshold: null, indexing_threshold: 10000, flush_interval_sec: 5, max_optimization_threads: null },
        body.optimizers_config,
      ),
      wal_config: merge({ wal_capacity_mb: 32, wal_segments_ahead: 0, wal_retain_closed: 1 }, body.wal_config),
      quantization_config: body.quantization_config ? clone(body.quantization_config) : null,
      payload_schema: {},
      replicas: Array.from({ length: shardNumber }, (_, s) => Array.from({ length: copies }, (_, k) => ((s + k) % peers) + 1)),
      yellowLeft,
    });
    return [200, true];
  }

  function update(c: StoredCollection, body: Json): [number, unknown] {
    const vectors = c.params.vectors;
    const single = typeof vectors.size === 'number';
    for (const name of Object.keys(body.vectors ?? {})) if (single ? name !== '' : !(name in vectors)) return [400, `Wrong input: Not existing vector name error: ${name}`];
    for (const name of Object.keys(body.sparse_vectors ?? {})) if (!c.params.sparse_vectors?.[name]) return [400, `Wrong input: Not existing vector name error: ${name}`];
    for (const [name, diff] of Object.entries(body.vectors ?? {}) as [string, Json][]) {
      const v = single ? vectors : vectors[name];
      merge(v, { on_disk: diff.on_disk, memory: diff.memory });
      if (diff.hnsw_config) v.hnsw_config = merge(v.hnsw_config ?? {}, diff.hnsw_config);
      if (diff.quantization_config === 'Disabled') delete v.quantization_config;
      else if (diff.quantization_config) v.quantization_config = clone(diff.quantization_config);
    }
    for (const [name, diff] of Object.entries(body.sparse_vectors ?? {}) as [string, Json][]) {
      const s = c.params.sparse_vectors[name];
      if (diff.modifier) s.modifier = diff.modifier;
      if (diff.index) s.index = merge(s.index ?? {}, diff.index);
    }
    merge(c.params, { replication_factor: body.params?.replication_factor, write_consistency_factor: body.params?.write_consistency_factor, on_disk_payload: body.params?.on_disk_payload });
    merge(c.hnsw_config, body.hnsw_config);
    merge(c.optimizer_config, body.optimizers_config);
    if (body.quantization_config === 'Disabled') c.quantization_config = null;
    else if (body.quantization_config) c.quantization_config = clone(body.quantization_config);
    return [200, true];
  }

  function createIndex(c: StoredCollection, body: Json): [number, unknown] {
    const schema = body.field_schema;
    const type = typeof schema === 'string' ? schema : schema?.type;
    if (typeof body.field_name !== 'string' || !INDEX_TYPES.has(type)) return [400, `Json deserialize error: data did not match any variant of untagged enum PayloadFieldSchema`];
    c.payload_schema[body.field_name] = { data_type: type, ...(isObject(schema) ? { params: clone(schema) } : {}), points: 0 };
    return [200, { operation_id: 1, status: 'completed' }];
  }

  /** Alias actions as one batch: checked on a copy, committed only whole. */
  function changeAliases(body: Json): [number, unknown] {
    if (!Array.isArray(body.actions)) return [400, 'Json deserialize error: missing field `actions`'];
    const next = new Map(aliases);
    for (const action of body.actions as Json[]) {
      if (action.create_alias) {
        const { collection_name: target, alias_name: alias } = action.create_alias;
        if (!collections.has(target)) return notFound(target);
        if (next.has(alias) || collections.has(alias)) return [409, `Wrong input: Alias \`${alias}\` already exists!`];
        next.set(alias, target);
      } else if (action.delete_alias) {
        if (!next.delete(action.delete_alias.alias_name)) return [404, `Not found: Alias \`${action.delete_alias.alias_name}\` doesn't exist!`];
      } else return [400, 'Json deserialize error: data did not match any variant of untagged enum AliasOperations'];
    }
    aliases.clear();
    for (const [a, t] of next) aliases.set(a, t);
    return [200, true];
  }

  function info(c: StoredCollection): Json {
    const status = c.yellowLeft > 0 ? (c.yellowLeft--, 'yellow') : 'green';
    const { replicas: _r, yellowLeft: _y, payload_schema, params, ...config } = c;
    return { status, optimizer_status: 'ok', indexed_vectors_count: 0, points_count: 0, segments_count: 2, config: clone({ params, ...config, strict_mode_config: { enabled: false } }), payload_schema: clone(payload_schema) };
  }

  function cluster(c: StoredCollection): Json {
    const local = c.replicas.flatMap((held, shard) => (held.includes(1) ? [{ shard_id: shard, points_count: 0, state: 'Active' }] : []));
    const remote = c.replicas.flatMap((held, shard) => held.filter((p) => p !== 1).map((peer_id) => ({ shard_id: shard, peer_id, state: 'Active' })));
    return { peer_id: 1, shard_count: c.replicas.length, local_shards: local, remote_shards: remote, shard_transfers: [] };
  }

  const aliasList = (only?: string) => ({ aliases: [...aliases].filter(([, t]) => !only || t === only).map(([alias_name, collection_name]) => ({ alias_name, collection_name })) });

  function route(method: string, path: string, body: Json): [number, unknown] {
    if (method === 'GET' && path === '/collections') return [200, { collections: [...collections.keys()].map((name) => ({ name })) }];
    if (method === 'GET' && path === '/aliases') return [200, aliasList()];
    if (method === 'POST' && path === '/collections/aliases') return changeAliases(body);
    const m = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) return [404, `Not found: ${path}`];
    const name = decodeURIComponent(m[1]);
    const rest = m[2] ?? '';
    const c = collections.get(name);
    if (method === 'PUT' && rest === '') return create(name, body, options.faults?.yellowPolls ?? 0);
    if (method === 'GET' && rest === '/exists') return [200, { exists: !!c }];
    if (!c) return notFound(name);
    if (method === 'GET' && rest === '') return [200, info(c)];
    if (method === 'PATCH' && rest === '') return update(c, body);
    if (method === 'DELETE' && rest === '') return [200, collections.delete(name)];
    if (method === 'PUT' && rest === '/index') return createIndex(c, body);
    if (method === 'GET' && rest === '/aliases') return [200, aliasList(name)];
    if (method === 'GET' && rest === '/cluster') return [200, cluster(c)];
    return [404, `Not found: ${method} ${path}`];
  }

  return { collections, aliases, route, create, createIndex, info };
}

export interface CollectionsStandInOptions {
  apiKey?: string;
  readOnlyApiKey?: string;
  version?: string;
  /** Peers of the simulated cluster (1): a create with replication factor r gives each shard min(r, peers) copies. */
  peers?: number;
  faults?: CollectionsFaults;
  /** 401 texts quote the key they were sent, as a careless proxy might. */
  echoKey?: boolean;
}

export type CollectionsStandIn = Awaited<ReturnType<typeof startCollectionsStandIn>>;

export async function startCollectionsStandIn(options: CollectionsStandInOptions = {}) {
  const faults: CollectionsFaults = { ...options.faults };
  const api = collectionsApi({ peers: options.peers, faults });
  const log: LoggedRequest[] = [];
  const waiting: (() => void)[] = [];

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const raw = await readBody(req);
    const body = raw ? JSON.parse(raw) : undefined;
    const entry: LoggedRequest = { method, path, query: url.search, status: 0, ...(body !== undefined ? { body } : {}) };
    log.push(entry);
    const started = process.hrtime.bigint();
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      const time = Number(process.hrtime.bigint() - started) / 1e9;
      if (typeof payload === 'string') return void res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(payload);
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ ...(payload as object), time }));
    };
    if (path === '/') return send(200, { title: 'qdrant - vector search engine', version: options.version ?? '1.19.0', commit: '0'.repeat(40) });
    if (path === '/healthz' || path === '/livez') return send(200, 'healthz check passed');
    if (path === '/readyz') {
      if ((faults.readyzFailures ?? 0) > 0) return faults.readyzFailures!--, send(503, 'some shards are not ready');
      return send(200, 'all shards are ready');
    }
    const b = faults.barrier;
    if (b && b.count > 0 && b.match(method, path)) {
      b.count--;
      await new Promise<void>((resolve) => (waiting.push(resolve), b.count === 0 && waiting.splice(0).forEach((go) => go())));
    }
    const t = faults.transient;
    if (t && t.count > 0 && (t.match ?? (() => true))(method, path)) {
      t.count--;
      return send(t.status, { status: { error: `Service internal error: injected ${t.status}` } }, t.status === 429 ? { 'retry-after': '0' } : {});
    }
    const r = faults.refuse;
    if (r && r.count > 0 && r.match(method, path)) return r.count--, send(r.status, { status: { error: r.error } });
    const denied = authorize(req, method, path, options);
    if (denied) return send(denied[0], denied[1]);
    const reset = faults.reset;
    const resets = reset && reset.count > 0 && (reset.match ?? (() => true))(method, path) ? (reset.count--, true) : false;
    if (resets && !reset!.afterWork) return hangUp(res, entry);
    const [status, result] = api.route(method, path, body ?? {});
    if (resets) return hangUp(res, entry);
    send(status, status < 300 ? { result, status: 'ok' } : { status: { error: result } });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    log,
    state: api,
    /** Requests with a write method (PUT, PATCH, POST, DELETE), answered or not. */
    writes: () => log.filter((r) => WRITE_METHODS.has(r.method)),
    /** Creates a collection as `PUT /collections/{name}` would, unlogged. */
    seed(name: string, body: Json, indexes: Json[] = [], aliasNames: string[] = []) {
      const [status, error] = api.create(name, body);
      if (status !== 200) throw new Error(String(error));
      for (const index of indexes) api.createIndex(api.collections.get(name)!, index);
      for (const alias of aliasNames) api.aliases.set(alias, name);
    },
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** Qdrant's auth: 401 without or with a wrong key, 403 for a write with the read-only key. */
function authorize(req: IncomingMessage, method: string, path: string, o: CollectionsStandInOptions): [number, string] | undefined {
  if (!o.apiKey && !o.readOnlyApiKey) return undefined;
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const key = (req.headers['api-key'] as string | undefined) ?? bearer;
  if (!key) return [401, 'Must provide an API key or an Authorization bearer token'];
  if (key === o.apiKey) return undefined;
  if (key !== o.readOnlyApiKey) return [401, `Invalid API key or JWT${o.echoKey ? `: ${key}` : ''}`];
  const write = method !== 'GET' && method !== 'HEAD' && !(method === 'POST' && READ_POSTS.test(path));
  return write ? [403, 'Forbidden: Write access denied: this key is read-only'] : undefined;
}

/** The connection drops without an answer (a reset, as a crashing proxy or peer would). */
function hangUp(res: ServerResponse, entry: LoggedRequest): void {
  entry.status = 0;
  res.socket?.destroy();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
