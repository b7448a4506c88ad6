/**
 * The collections reconciler: plan (reads only) and apply, for the CLI, the in-cluster Job, Compose and
 * Pulumi. Without zod: it imports only types from the model.
 *
 * - Missing: created with every declared parameter, waited green/yellow, then its payload indexes and aliases.
 * - Present and equal: nothing is written (a second apply sends no PUT, PATCH, POST or DELETE).
 * - Mutable differences: one PATCH with only them; missing indexes; one atomic alias batch.
 * - Immutable differences (drift): nothing is written to that collection. Nothing is ever deleted.
 * - Before its first write, apply sends an alias batch with no actions: a write that changes nothing, refused
 *   (403) to a read-only key, so such a key ends the run before anything is written.
 * - Two reconcilers at once: an "already exists" answer is read back and compared, not an error.
 * - 5xx, 429, timeouts and resets are retried with backoff until the deadline; past it the run is
 *   `unreachable` (the CLI's exit 3).
 */
import type { QdrantClient } from '@qdrant/js-client-rest';
import type { CollectionConfig } from '../config/collection';
import { AbortedError, BackoffOptions, pollUntil } from '../smoke/backoff';
import { compareCollection, Comparison } from './diff';
import { alreadyExists, Caller, CollectionsError, createClient, describeError, displayUrl, isTransient, statusOf } from './qdrant';
import { CollectionResult, CollectionsReport, summarize } from './report';
import { AliasDescription, CollectionShape, createBody, declaredShape, foundCollection, FoundCollection, ShapeOptions } from './wire';

/** A client of your own, or where to reach Qdrant. */
export type Target = QdrantClient | { url: string; apiKey?: string };

export interface ReconcileOptions extends ShapeOptions {
  /** The whole run's budget, waits and retries included (60 s by default). */
  deadlineMs?: number;
  signal?: AbortSignal;
  backoff?: BackoffOptions;
  /** Progress and retries, one line each (the CLI writes them to stderr). */
  log?: (line: string) => void;
}

const READY = new Set(['green', 'yellow', 'grey']);
type Args<K extends keyof QdrantClient> = QdrantClient[K] extends (...a: infer A) => unknown ? A : never;

/** Reads Qdrant and compares every declared collection; writes nothing. */
export function planCollections(target: Target, declared: readonly CollectionConfig[], options: ReconcileOptions = {}): Promise<CollectionsReport> {
  return reconcile('plan', target, declared, options);
}

/** Brings Qdrant in line with the declared collections, as far as that needs no deletion. */
export function applyCollections(target: Target, declared: readonly CollectionConfig[], options: ReconcileOptions = {}): Promise<CollectionsReport> {
  return reconcile('apply', target, declared, options);
}

export async function reconcile(mode: 'plan' | 'apply', target: Target, declared: readonly CollectionConfig[], options: ReconcileOptions = {}): Promise<CollectionsReport> {
  const budget = options.deadlineMs ?? 60_000;
  const deadline = Date.now() + budget;
  const log = options.log ?? (() => {});
  const own = !('getCollection' in target);
  const client = own ? createClient(target.url, target.apiKey, Math.max(1000, Math.min(30_000, budget))) : target;
  const run = new Run(client, new Caller(deadline, options.backoff, options.signal, log), options, log, deadline);
  const version = await run.ready();
  await run.authorized();
  const collections: CollectionResult[] = [];
  for (const c of declared) collections.push(await run.one(mode, declaredShape(c, options)));
  return { mode, ...(own ? { url: displayUrl(target.url) } : {}), version, collections };
}

class Run {
  private writable = false;

  constructor(
    private readonly client: QdrantClient,
    private readonly caller: Caller,
    private readonly options: ReconcileOptions,
    private readonly log: (line: string) => void,
    private readonly deadline: number,
  ) {}

  private get backoff(): BackoffOptions {
    return this.options.backoff ?? { baseMs: 100, capMs: 2000 };
  }

  /** Waits for `GET /` and `/readyz` (within the deadline); resolves to the version. */
  async ready(): Promise<string> {
    let last: unknown;
    const version = await pollUntil(
      async () => {
        try {
          const root = await this.client.versionInfo();
          await this.client.api().readyz({});
          return root.version;
        } catch (e) {
          if (!isTransient(e)) throw refusal(e) ?? new CollectionsError('failed', `${describeError(e)} from GET / or /readyz: is this Qdrant?`);
          last = e;
          return undefined;
        }
      },
      this.deadline,
      this.backoff,
      this.options.signal,
    );
    if (version === undefined) throw new CollectionsError('unreachable', `Qdrant did not answer ready within the deadline (${describeError(last)})`);
    return version;
  }

  /** An authenticated read: a refused key ends the run here. */
  async authorized(): Promise<void> {
    try {
      await this.caller.run('GET /collections', () => this.client.getCollections());
    } catch (e) {
      throw refusal(e) ?? e;
    }
  }

  /** Plans, and for apply brings in line, one declared collection. */
  async one(mode: 'plan' | 'apply', shape: CollectionShape): Promise<CollectionResult> {
    let result: CollectionResult = { name: shape.name, action: 'none', changes: [], extra: { indexes: [], aliases: [] } };
    try {
      const found = await this.read(shape);
      if (!found) {
        result = { ...result, action: 'create', summary: summarize(shape) };
        if (mode === 'apply') await this.create(shape);
      } else {
        const comparison = compareCollection(shape, found);
        result = { ...result, action: comparison.action, changes: comparison.changes, extra: comparison.extra };
        if (mode === 'apply' && comparison.action === 'update') await this.converge(shape, comparison);
      }
      return mode === 'apply' && (result.action === 'create' || result.action === 'update') ? { ...result, applied: true } : result;
    } catch (e) {
      if (e instanceof AbortedError || (e instanceof CollectionsError && e.failure !== 'failed')) throw e;
      const refused = refusal(e);
      if (refused) throw refused;
      this.log(`collection ${shape.name}: ${describeError(e)}`);
      return { ...result, error: describeError(e) };
    }
  }

  /** What Qdrant has for the collection (undefined: none), its aliases and, for more than one copy, its shards. */
  private async read(shape: CollectionShape): Promise<FoundCollection | undefined> {
    const name = shape.name;
    let info: unknown;
    try {
      info = await this.caller.run(`GET /collections/${name}`, () => this.client.getCollection(name));
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
    const { aliases } = await this.caller.run('GET /aliases', () => this.client.getAliases());
    const cluster = (shape.replicationFactor ?? 1) > 1 ? await this.caller.run(`GET /collections/${name}/cluster`, () => this.client.collectionClusterInfo(name)) : undefined;
    return foundCollection(name, info, aliases as AliasDescription[], cluster);
  }

  /** Creates the collection (or finds it created meanwhile), waits for it, then its indexes and aliases. */
  private async create(shape: CollectionShape): Promise<void> {
    const name = shape.name;
    await this.mayWrite();
    try {
      await this.caller.run(`PUT /collections/${name}`, () => this.client.createCollection(name, createBody(shape) as Args<'createCollection'>[1]));
      this.log(`created collection ${name}`);
    } catch (e) {
      if (!alreadyExists(e)) throw e;
      this.log(`collection ${name} was created meanwhile (another reconciler?): comparing it with the model`);
    }
    await this.waitReady(name);
    const found = await this.read(shape);
    if (!found) throw new CollectionsError('failed', `collection ${name} was created, then no longer found`);
    const comparison = compareCollection(shape, found);
    if (comparison.action === 'drift' && comparison.changes.some((c) => c.kind === 'immutable')) {
      throw new Error(`collection ${name} exists now but differs from the model: ${comparison.changes.map((c) => c.field).join(', ')}`);
    }
    await this.converge(shape, comparison);
  }

  /** Writes what the comparison asks for; re-reads after each round (a conflict from a parallel run is retried once more). */
  private async converge(shape: CollectionShape, first: Comparison): Promise<void> {
    let comparison = first;
    for (let round = 0; pending(comparison); round++) {
      await this.mayWrite();
      let conflict = false;
      try {
        await this.write(shape.name, comparison);
      } catch (e) {
        if (!alreadyExists(e) || round >= 3) throw e;
        conflict = true;
      }
      const found = await this.read(shape);
      if (!found) throw new Error(`collection ${shape.name} disappeared while being updated`);
      comparison = compareCollection(shape, found);
      if (!conflict && pending(comparison)) {
        throw new Error(`Qdrant did not take these changes: ${comparison.changes.filter((c) => c.kind !== 'replicas').map((c) => c.field).join(', ')}`);
      }
    }
  }

  private async write(name: string, c: Comparison): Promise<void> {
    if (c.update) {
      await this.caller.run(`PATCH /collections/${name}`, () => this.client.updateCollection(name, c.update as Args<'updateCollection'>[1]));
      this.log(`updated collection ${name}`);
    }
    for (const index of c.indexes) {
      await this.caller.run(`PUT /collections/${name}/index`, () => this.client.createPayloadIndex(name, { ...index, wait: true } as Args<'createPayloadIndex'>[1]));
      this.log(`created payload index ${name}.${index.field_name}`);
    }
    if (c.aliasActions.length) {
      await this.caller.run('POST /collections/aliases', () => this.client.updateCollectionAliases({ actions: c.aliasActions } as Args<'updateCollectionAliases'>[0]));
      this.log(`set aliases of ${name}`);
    }
  }

  /** Once per run, before the first write: an empty alias batch, which a read-only key is refused (403). */
  private async mayWrite(): Promise<void> {
    if (this.writable) return;
    try {
      await this.caller.run('POST /collections/aliases', () => this.client.updateCollectionAliases({ actions: [] }));
    } catch (e) {
      const refused = refusal(e);
      if (refused) throw refused;
      // Any other answer (a 4xx about the empty batch) came after the key was accepted for writing.
      if (statusOf(e) === undefined) throw e;
    }
    this.writable = true;
  }

  /** Polls the collection until green, yellow or grey (optimizations pending: it serves); red fails. */
  private async waitReady(name: string): Promise<void> {
    let status: unknown;
    const ready = await pollUntil(
      async () => {
        const info = await this.caller.run(`GET /collections/${name}`, () => this.client.getCollection(name));
        status = info.status;
        if (status === 'red') throw new Error(`collection ${name} is red (a shard failed)`);
        return READY.has(String(status)) ? true : undefined;
      },
      this.deadline,
      this.backoff,
      this.options.signal,
    );
    if (!ready) throw new CollectionsError('unreachable', `collection ${name} was not ready within the deadline (status ${String(status)})`);
  }
}

const pending = (c: Comparison) => c.update !== undefined || c.indexes.length > 0 || c.aliasActions.length > 0;

/** A refused key as the run's end: 401 (key refused) or 403 (a read-only key writing). */
function refusal(e: unknown): CollectionsError | undefined {
  const status = statusOf(e);
  if (status === 401) return new CollectionsError('refused', `the API key was refused (${describeError(e)}): pass the admin key with --api-key or QDRANT_API_KEY`);
  if (status === 403) {
    return new CollectionsError('refused', `the API key may not write (${describeError(e)}): apply needs the admin key; plan works with a read-only key. Nothing was written.`);
  }
  return undefined;
}
