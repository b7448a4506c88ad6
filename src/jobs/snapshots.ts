/**
 * The scheduled snapshot job, as the script the CronJob runs with plain `node` (≥ 18, no packages):
 * on every peer, snapshot every collection through Qdrant's API and keep the newest KEEP per collection.
 * In distributed mode a collection snapshot holds the shards of the peer that takes it, hence every peer.
 * Kept as text because it ships in a ConfigMap; the API key is read from the environment, never printed.
 */
export const SNAPSHOTS_SCRIPT = String.raw`'use strict';
const peers = (process.env.QDRANT_PEERS || '').split(',').filter(Boolean);
const keep = Number(process.env.KEEP || '7');
const headers = { 'api-key': process.env.QDRANT_API_KEY || '', 'content-type': 'application/json' };

async function call(method, url) {
  const res = await fetch(url, { method, headers, signal: AbortSignal.timeout(30 * 60 * 1000) });
  const text = await res.text();
  if (!res.ok) throw new Error(method + ' ' + new URL(url).pathname + ' answered ' + res.status + ': ' + text.slice(0, 200));
  return JSON.parse(text).result;
}

async function snapshotPeer(peer) {
  const { collections } = await call('GET', peer + '/collections');
  for (const { name } of collections) {
    const base = peer + '/collections/' + encodeURIComponent(name) + '/snapshots';
    const made = await call('POST', base + '?wait=true');
    console.log(new URL(peer).host + ': ' + name + ': created ' + made.name + ' (' + made.size + ' bytes)');
    const all = (await call('GET', base)).sort((a, b) => String(b.creation_time).localeCompare(String(a.creation_time)));
    for (const old of all.slice(keep)) {
      await call('DELETE', base + '/' + encodeURIComponent(old.name) + '?wait=true');
      console.log(new URL(peer).host + ': ' + name + ': deleted ' + old.name + ' (keeping ' + keep + ')');
    }
  }
}

(async () => {
  let failed = 0;
  for (const peer of peers) {
    try { await snapshotPeer(peer); } catch (e) { failed++; console.error(new URL(peer).host + ': ' + e.message); }
  }
  if (failed) { console.error(failed + ' of ' + peers.length + ' peer(s) failed'); process.exit(1); }
})();
`;
