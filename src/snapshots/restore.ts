/**
 * `qdrant-stack restore`: a fresh stack recovers every collection from the newest snapshots in the bucket.
 * A single node recovers each collection from its newest collection snapshot; a cluster recovers each shard
 * from its newest shard snapshot, on one peer that holds a replica of it (priority "snapshot": the other
 * replicas are marked dead and re-synced from it by Qdrant). Qdrant downloads each snapshot itself, from a
 * presigned URL; the URL, the API key and the S3 keys never appear in the report.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { type BucketLocation, listSnapshots, presign, type StoredSnapshot } from './s3';

export interface RestoreTarget {
  /** Any peer's REST URL (a single node: its URL). */
  readonly url: string;
  /** The other peers' REST URLs (a cluster): a shard is recovered on a peer holding it, so each must be reachable. */
  readonly peerUrls: readonly string[];
  readonly apiKey?: string;
}

export interface RestoreOptions {
  readonly dryRun: boolean;
  /** Restore only these collections (all in the bucket when empty). */
  readonly collections: readonly string[];
  /** Lifetime of each presigned URL. */
  readonly urlExpirySeconds: number;
  /** Per Qdrant request (a recovery downloads and loads the snapshot before it answers). */
  readonly requestTimeoutMs: number;
  readonly log: (line: string) => void;
}

export interface RestoreStep {
  readonly collection: string;
  readonly shard?: number;
  /** The object recovered from (a name, not a URL). */
  readonly snapshot?: string;
  readonly size?: number;
  /** The peer URL the recovery goes to. */
  readonly peer?: string;
  status: 'planned' | 'recovered' | 'failed';
  message?: string;
}

export interface RestoreReport {
  readonly verdict: 'ok' | 'failed';
  readonly dryRun: boolean;
  readonly mode: 'single' | 'distributed';
  readonly source: string;
  readonly steps: RestoreStep[];
}

/** Qdrant could not be reached (exit 3), as opposed to answering with an error. */
export class UnreachableError extends Error {}

const newest = <T extends StoredSnapshot>(list: T[]): T | undefined => [...list].sort((a, b) => b.time.localeCompare(a.time) || b.key.localeCompare(a.key))[0];
const nameOf = (key: string) => key.slice(key.lastIndexOf('/') + 1);
/** Map.groupBy, which Node 20 lacks. */
function groupBy<K, T>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

export async function restore(client: S3Client, location: BucketLocation, target: RestoreTarget, options: RestoreOptions): Promise<RestoreReport> {
  const qdrant = qdrantApi(target.apiKey, options.requestTimeoutMs);
  const source = `s3://${location.bucket}/${location.keyPrefix}/`;
  const cluster = await qdrant('GET', target.url, '/cluster');
  const mode = cluster?.status === 'enabled' ? 'distributed' : 'single';
  const stored = (await listSnapshots(client, location)).filter((s) => !options.collections.length || options.collections.includes(s.collection));
  options.log(`${source}: ${stored.length} snapshot(s); target is ${mode === 'single' ? 'a single node' : 'a cluster'}`);
  const byCollection = groupBy(stored, (s) => s.collection);
  const steps: RestoreStep[] = [];
  for (const name of options.collections.filter((c) => !byCollection.has(c))) steps.push({ collection: name, status: 'failed', message: `no snapshot of it under ${source}` });
  if (!stored.length && !options.collections.length) steps.push({ collection: '*', status: 'failed', message: `no snapshots under ${source}` });

  for (const [collection, snapshots] of [...byCollection].sort(([a], [b]) => a.localeCompare(b))) {
    if (mode === 'single') steps.push(singleNodeStep(collection, snapshots, target.url));
    else steps.push(...(await clusterSteps(qdrant, collection, snapshots, [target.url, ...target.peerUrls])));
  }

  if (!options.dryRun) {
    for (const step of steps.filter((s) => s.status === 'planned')) {
      const what = `${step.collection}${step.shard === undefined ? '' : ` shard ${step.shard}`}`;
      options.log(`${what}: recovering from ${step.snapshot} on ${step.peer}`);
      const location_ = await presign(client, location, stored.find((s) => nameOf(s.key) === step.snapshot && s.collection === step.collection)!.key, options.urlExpirySeconds);
      const path = `/collections/${encodeURIComponent(step.collection)}${step.shard === undefined ? '' : `/shards/${step.shard}`}/snapshots/recover?wait=true`;
      try {
        await qdrant('PUT', step.peer!, path, { location: location_, priority: 'snapshot' });
        step.status = 'recovered';
      } catch (e) {
        if (e instanceof UnreachableError) throw e;
        step.status = 'failed';
        step.message = (e as Error).message;
      }
    }
  }
  return { verdict: steps.some((s) => s.status === 'failed') ? 'failed' : 'ok', dryRun: options.dryRun, mode, source, steps };
}

function singleNodeStep(collection: string, snapshots: StoredSnapshot[], url: string): RestoreStep {
  const latest = newest(snapshots.filter((s) => s.shard === undefined));
  if (!latest) return { collection, status: 'failed', message: 'only shard snapshots (from a cluster): restore into a cluster, or into a single node whose collection already exists with as many shards' };
  return { collection, snapshot: nameOf(latest.key), size: latest.size, peer: url, status: 'planned' };
}

/** Each shard's newest snapshot, on the first given peer that holds a replica of it. */
async function clusterSteps(qdrant: QdrantApi, collection: string, snapshots: StoredSnapshot[], urls: readonly string[]): Promise<RestoreStep[]> {
  const shards = groupBy(snapshots.filter((s) => s.shard !== undefined), (s) => s.shard!);
  if (!shards.size) return [{ collection, status: 'failed', message: 'only collection snapshots (from a single node): restore into a single node, then scale out' }];
  const info = await qdrant('GET', urls[0], `/collections/${encodeURIComponent(collection)}`, undefined, true);
  if (!info) return [{ collection, status: 'failed', message: 'does not exist in the target: declare it in qdrant.collections (the collections Job creates it) with the shard count of the backup, then run restore again' }];
  const shardNumber: number = info.config?.params?.shard_number ?? 1;
  const holders = new Map<number, string>();
  for (const url of urls) {
    const placement = await qdrant('GET', url, `/collections/${encodeURIComponent(collection)}/cluster`);
    for (const { shard_id } of placement.local_shards ?? []) if (!holders.has(shard_id)) holders.set(shard_id, url);
  }
  const steps: RestoreStep[] = [];
  const ids = [...new Set([...Array.from({ length: shardNumber }, (_, i) => i), ...shards.keys()])].sort((a, b) => a - b);
  for (const shard of ids) {
    const latest = newest(shards.get(shard) ?? []);
    if (shard >= shardNumber) steps.push({ collection, shard, status: 'failed', message: `the backup has shard ${shard}, the target collection ${shardNumber} shard(s): recreate it with the backup's shard count` });
    else if (!latest) steps.push({ collection, shard, status: 'failed', message: 'no snapshot of this shard in the bucket' });
    else if (!holders.has(shard)) steps.push({ collection, shard, status: 'failed', message: 'no given peer holds a replica of it: pass every peer\'s URL (--peer-urls)' });
    else steps.push({ collection, shard, snapshot: nameOf(latest.key), size: latest.size, peer: holders.get(shard), status: 'planned' });
  }
  return steps;
}

type QdrantApi = (method: string, base: string, path: string, body?: unknown, allow404?: boolean) => Promise<any>;

/** Qdrant's REST API: its `result`, an Error with its status and message, or UnreachableError. */
function qdrantApi(apiKey: string | undefined, timeoutMs: number): QdrantApi {
  return async (method, base, path, body, allow404) => {
    let res: Response;
    try {
      res = await fetch(new URL(path, base), {
        method,
        headers: { ...(apiKey ? { 'api-key': apiKey } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new UnreachableError(`${new URL(base).host}: unreachable (${(e as Error).cause ?? (e as Error).message})`);
    }
    const text = await res.text();
    if (allow404 && res.status === 404) return undefined;
    if (!res.ok) throw new Error(`${method} ${path.split('?')[0]} answered ${res.status}: ${withoutSignatures(text.slice(0, 300))}`);
    return JSON.parse(text).result;
  };
}

/** A presigned URL quoted back in an error keeps its host and path, not its signature. */
const withoutSignatures = (text: string) => text.replace(/\?[^\s"']*X-Amz-[^\s"']*/g, '?…');
