/**
 * The scheduled snapshot job for target s3, as the script the CronJob runs with plain `node` (≥ 18, no
 * packages). Qdrant uploads every snapshot to the bucket itself; listing and deleting through its API act on
 * the bucket too, where one prefix holds the snapshots of every peer. So retention filters by name:
 * - LEVEL=collection (a single node): snapshot every collection, keep this peer's newest KEEP
 *   (`<collection>-<peer id>-<time>.snapshot`);
 * - LEVEL=shard (a cluster): snapshot each shard once, on the first peer holding an Active replica of it, and
 *   keep its newest KEEP (`<collection>-shard-<id>-<time>.snapshot`): shard snapshots restore into a fresh
 *   cluster whatever its placement (`qdrant-stack restore`); a peer's collection snapshot would not.
 * The API key is read from the environment and never printed.
 */
export const S3_SNAPSHOTS_SCRIPT = String.raw`'use strict';
const peers = (process.env.QDRANT_PEERS || '').split(',').filter(Boolean);
const keep = Number(process.env.KEEP || '7');
const level = process.env.LEVEL || 'collection';
const headers = { 'api-key': process.env.QDRANT_API_KEY || '', 'content-type': 'application/json' };
const TIME = '\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2}\\.snapshot$';
const escape = (s) => s.replace(/[.*+?^$(){}|[\]\\]/g, (c) => '\\' + c);

async function call(method, url) {
  const res = await fetch(url, { method, headers, signal: AbortSignal.timeout(30 * 60 * 1000) });
  const text = await res.text();
  if (!res.ok) throw new Error(method + ' ' + new URL(url).pathname + ' answered ' + res.status + ': ' + text.slice(0, 200));
  return JSON.parse(text).result;
}

async function prune(host, base, pattern) {
  const mine = (await call('GET', base)).filter((s) => pattern.test(s.name));
  mine.sort((a, b) => String(b.creation_time).localeCompare(String(a.creation_time)) || b.name.localeCompare(a.name));
  for (const old of mine.slice(keep)) {
    await call('DELETE', base + '/' + encodeURIComponent(old.name) + '?wait=true');
    console.log(host + ': deleted ' + old.name + ' (keeping ' + keep + ')');
  }
}

async function collectionSnapshots(peer) {
  const host = new URL(peer).host;
  const { collections } = await call('GET', peer + '/collections');
  for (const { name } of collections) {
    const base = peer + '/collections/' + encodeURIComponent(name) + '/snapshots';
    const made = await call('POST', base + '?wait=true');
    console.log(host + ': ' + name + ': created ' + made.name + ' (' + made.size + ' bytes)');
    const peerId = made.name.slice(name.length + 1).split('-')[0];
    await prune(host, base, new RegExp('^' + escape(name) + '-' + peerId + '-' + TIME));
  }
}

const done = new Set();
async function shardSnapshots(peer) {
  const host = new URL(peer).host;
  const { collections } = await call('GET', peer + '/collections');
  for (const { name } of collections) {
    const collection = peer + '/collections/' + encodeURIComponent(name);
    const { local_shards } = await call('GET', collection + '/cluster');
    for (const { shard_id, state } of local_shards) {
      if (state !== 'Active' || done.has(name + '/' + shard_id)) continue;
      const base = collection + '/shards/' + shard_id + '/snapshots';
      const made = await call('POST', base + '?wait=true');
      done.add(name + '/' + shard_id);
      console.log(host + ': ' + name + ' shard ' + shard_id + ': created ' + made.name + ' (' + made.size + ' bytes)');
      await prune(host, base, new RegExp('^' + escape(name) + '-shard-' + shard_id + '-' + TIME));
    }
  }
}

(async () => {
  let failed = 0;
  for (const peer of peers) {
    try { await (level === 'shard' ? shardSnapshots : collectionSnapshots)(peer); } catch (e) { failed++; console.error(new URL(peer).host + ': ' + e.message); }
  }
  if (failed) { console.error(failed + ' of ' + peers.length + ' peer(s) failed'); process.exit(1); }
})();
`;
