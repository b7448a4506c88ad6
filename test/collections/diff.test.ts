/**
 * The pure half of the reconciler: model → REST bodies, Qdrant's answers → the compared shape, and the
 * per-leaf comparison with its classification and PATCH body. Servers are the stand-in's state, so the
 * answers read back are the ones the HTTP tests get.
 */
import type { CollectionConfig } from '../../src/config/collection';
import { compareCollection } from '../../src/collections/diff';
import { exitCodeOf, formatText } from '../../src/collections/report';
import { createBody, declaredShape, foundCollection, indexBody } from '../../src/collections/wire';
import { collectionsApi, StoredCollection } from '../support/qdrant-collections-stand-in';
import { declared, HYBRID, HYBRID_PUT_BODY } from './fixtures';

const [docs] = declared([HYBRID], 3);
const knowledge = declared([{ name: 'knowledge', vectorSize: 1024, distance: 'Cosine' }])[0];

/** What Qdrant answers for `c` created from its own model (then changed by `change`), read back. */
function found(c: CollectionConfig, change: (s: StoredCollection, api: ReturnType<typeof collectionsApi>) => void = () => {}, peers = 1) {
  const api = collectionsApi({ peers });
  const shape = declaredShape(c, { peers });
  api.create(c.name, createBody(shape));
  for (const [field, index] of Object.entries(shape.payloadIndexes)) api.createIndex(api.collections.get(c.name)!, indexBody(field, index));
  for (const alias of shape.aliases) api.aliases.set(alias, c.name);
  change(api.collections.get(c.name)!, api);
  const [, aliases] = api.route('GET', '/aliases', {}) as [number, { aliases: [] }];
  const [, cluster] = api.route('GET', `/collections/${c.name}/cluster`, {});
  return foundCollection(c.name, api.info(api.collections.get(c.name)!), aliases.aliases, cluster);
}
const lines = (c: ReturnType<typeof compareCollection>) => c.changes.map((ch) => `${ch.field}: declared ${JSON.stringify(ch.declared)}, found ${JSON.stringify(ch.found)} [${ch.kind}]`);

describe('wire mapping', () => {
  it('maps a hybrid collection to the exact PUT body: named dense, sparse, HNSW, quantization, optimizers, 2 copies in a cluster', () => {
    expect(createBody(declaredShape(docs, { peers: 3 }))).toEqual(HYBRID_PUT_BODY);
  });

  it('maps the unnamed vector to a single VectorParams, with one copy on a single node', () => {
    expect(createBody(declaredShape(knowledge))).toEqual({ vectors: { size: 1024, distance: 'Cosine' }, replication_factor: 1 });
    const unnamed = declared([{ name: 'u', vectorSize: 8, distance: 'Dot', onDisk: true, memory: 'cold', datatype: 'uint8', multivector: { comparator: 'max_sim' }, shardNumber: 4, shardingMethod: 'custom', writeConsistencyFactor: 1 }])[0];
    expect(createBody(declaredShape(unnamed))).toEqual({
      vectors: { size: 8, distance: 'Dot', on_disk: true, memory: 'cold', datatype: 'uint8', multivector_config: { comparator: 'max_sim' } },
      shard_number: 4,
      sharding_method: 'custom',
      replication_factor: 1,
      write_consistency_factor: 1,
    });
  });

  it('maps payload indexes to a plain type or to their params', () => {
    expect(indexBody('lang', { type: 'keyword' })).toEqual({ field_name: 'lang', field_schema: 'keyword' });
    expect(indexBody('tenant', { type: 'keyword', isTenant: true, onDisk: false })).toEqual({ field_name: 'tenant', field_schema: { type: 'keyword', is_tenant: true, on_disk: false } });
  });

  it('reads what Qdrant answers for a collection created from the model back as in sync', () => {
    for (const c of [docs, knowledge]) {
      const comparison = compareCollection(c, found(c, undefined, 3), { peers: 3 });
      expect(lines(comparison)).toEqual([]);
      expect(comparison).toMatchObject({ action: 'none', indexes: [], aliasActions: [], extra: { indexes: [], aliases: [] } });
      expect(comparison.update).toBeUndefined();
    }
  });

  it('takes an unset flag as Qdrant\'s default, and on_disk and memory for each other', () => {
    const c = declared([{ name: 'm', vectors: { v: { size: 4, distance: 'Dot', onDisk: true, datatype: 'float32' } }, sparseVectors: { s: { modifier: 'none', onDisk: false } }, shardingMethod: 'auto' }])[0];
    const server = found(c, (s) => {
      s.params.vectors.v = { size: 4, distance: 'Dot', memory: 'cold' }; // on_disk given as memory, datatype left out
      s.params.sparse_vectors.s = {}; // modifier and index left out
      delete s.params.sharding_method;
    });
    expect(lines(compareCollection(c, server))).toEqual([]);
  });
});

describe('compareCollection', () => {
  it('sends only the differing mutable fields in one PATCH body, and names each leaf', () => {
    const server = found(docs, (s) => {
      s.hnsw_config.m = 8; // declared 16
      s.optimizer_config.indexing_threshold = 10000; // declared 20000; default_segment_number 2 stays equal
      s.params.on_disk_payload = false;
      s.params.vectors.dense.hnsw_config = { m: 16, ef_construct: 200 };
      s.params.vectors.dense.on_disk = true;
      s.params.sparse_vectors.text.modifier = 'none';
    }, 3);
    const comparison = compareCollection(docs, server, { peers: 3 });
    expect(comparison.action).toBe('update');
    expect(lines(comparison).sort()).toEqual(
      [
        'docs.hnsw.m: declared 16, found 8 [mutable]',
        'docs.optimizers.indexingThreshold: declared 20000, found 10000 [mutable]',
        'docs.onDiskPayload: declared true, found false [mutable]',
        'docs.vectors.dense.hnsw.m: declared 32, found 16 [mutable]',
        'docs.sparseVectors.text.modifier: declared "idf", found "none" [mutable]',
      ].sort(),
    );
    // on_disk of the dense vector is not declared: not compared, not sent.
    expect(comparison.update).toEqual({
      hnsw_config: { m: 16 },
      optimizers_config: { indexing_threshold: 20000 },
      params: { on_disk_payload: true },
      vectors: { dense: { hnsw_config: { m: 32, ef_construct: 200 } } },
      sparse_vectors: { text: { modifier: 'idf' } },
    });
  });

  it('puts the unnamed vector under "" and sends a changed quantization whole', () => {
    const c = declared([{ name: 'k', vectorSize: 8, distance: 'Dot', onDisk: true, quantization: { scalar: { type: 'int8', quantile: 0.95 } } }])[0];
    const server = found(c, (s) => {
      s.params.vectors.on_disk = false;
      s.quantization_config = { scalar: { type: 'int8', quantile: 0.9 } };
    });
    const comparison = compareCollection(c, server);
    expect(lines(comparison)).toEqual(['k.onDisk: declared true, found false [mutable]', 'k.quantization.scalar.quantile: declared 0.95, found 0.9 [mutable]']);
    expect(comparison.update).toEqual({ vectors: { '': { on_disk: true } }, quantization_config: { scalar: { type: 'int8', quantile: 0.95 } } });
    const binary = compareCollection(c, found(c, (s) => (s.quantization_config = { binary: { always_ram: true } })));
    expect(lines(binary)).toEqual(['k.quantization: declared {"scalar":{"type":"int8","quantile":0.95}}, found {"binary":{"alwaysRam":true}} [mutable]']);
  });

  it('calls an immutable difference drift and plans no write for that collection', () => {
    const server = found(docs, (s) => {
      s.params.vectors.dense.size = 768;
      s.params.vectors.dense.datatype = 'float32';
      s.params.vectors.extra = { size: 4, distance: 'Dot' };
      delete s.params.sparse_vectors.text;
      s.hnsw_config.m = 8;
    }, 3);
    const comparison = compareCollection(docs, server, { peers: 3 });
    expect(comparison.action).toBe('drift');
    expect(lines(comparison)).toEqual(
      expect.arrayContaining([
        'docs.vectors.dense.size: declared 1024, found 768 [immutable]',
        'docs.vectors.dense.datatype: declared "float16", found "float32" [immutable]',
        'docs.vectors.extra: declared null, found "4/Dot" [immutable]',
        'docs.sparseVectors.text: declared "present", found null [immutable]',
        'docs.hnsw.m: declared 16, found 8 [mutable]',
      ]),
    );
    const text = formatText({ mode: 'plan', collections: [{ name: 'docs', action: comparison.action, changes: comparison.changes, extra: comparison.extra }] });
    expect(text).toContain('! drift    docs');
    expect(text).toContain('    docs.vectors.dense.size: declared 1024, found 768 (fixed at creation: not changed)');
  });

  it('calls unnamed against named vectors, a lost multivector, other shards and distances drift', () => {
    const named = compareCollection(knowledge, found(declared([{ name: 'knowledge', vectors: { dense: { size: 1024, distance: 'Cosine' } } }])[0]));
    expect(lines(named)).toEqual(['knowledge.vectorSize: declared "one unnamed vector 1024/Cosine", found "named vectors (dense)" [immutable]']);
    const server = found(knowledge, (s) => {
      s.params.vectors.distance = 'Dot';
      s.params.vectors.multivector_config = { comparator: 'max_sim' };
      s.params.shard_number = 2;
    });
    const sharded = declared([{ name: 'knowledge', vectorSize: 1024, distance: 'Cosine', shardNumber: 3 }])[0];
    expect(lines(compareCollection(sharded, server)).sort()).toEqual(
      [
        'knowledge.distance: declared "Cosine", found "Dot" [immutable]',
        'knowledge.multivector: declared null, found {"comparator":"max_sim"} [immutable]',
        'knowledge.shardNumber: declared 3, found 2 [immutable]',
      ].sort(),
    );
  });

  it('creates missing indexes, moves an alias in one atomic batch, and lists extras without touching them', () => {
    const server = found(docs, (s, api) => {
      delete s.payload_schema.lang;
      s.payload_schema.legacy = { data_type: 'integer', points: 0 };
      api.collections.set('docs_v1', s);
      api.aliases.set('docs-current', 'docs_v1');
      api.aliases.set('docs-old', 'docs');
    }, 3);
    const comparison = compareCollection(docs, server, { peers: 3 });
    expect(comparison.action).toBe('update');
    expect(lines(comparison)).toEqual(['docs.payloadIndexes.lang: declared "keyword", found null [index]', 'docs.aliases.docs-current: declared "docs", found "docs_v1" [alias]']);
    expect(comparison.indexes).toEqual([{ field_name: 'lang', field_schema: 'keyword' }]);
    expect(comparison.aliasActions).toEqual([{ delete_alias: { alias_name: 'docs-current' } }, { create_alias: { collection_name: 'docs', alias_name: 'docs-current' } }]);
    expect(comparison.extra).toEqual({ indexes: ['legacy'], aliases: ['docs-old'] });
    expect(comparison.update).toBeUndefined();
  });

  it('never recreates an index of another type: drift, with the step to take', () => {
    const comparison = compareCollection(docs, found(docs, (s) => (s.payload_schema.tenant = { data_type: 'keyword', points: 0 }), 3), { peers: 3 });
    expect(comparison.action).toBe('drift');
    expect(comparison.changes).toEqual([
      expect.objectContaining({ field: 'docs.payloadIndexes.tenant', declared: { type: 'keyword', isTenant: true }, found: { type: 'keyword', isTenant: false }, kind: 'immutable', note: expect.stringContaining('DELETE /collections/docs/index/tenant') }),
    ]);
    expect(comparison.indexes).toEqual([]);
  });

  it('says a higher replication factor leaves the existing shards short, with a replicate_shard step per shard', () => {
    // Created on one copy (the old model), now 3 peers and the default of 2 copies.
    const oneCopy = declared([{ name: 'knowledge', vectorSize: 1024, distance: 'Cosine', replicationFactor: 1, shardNumber: 2 }], 3)[0];
    const server = found(oneCopy, undefined, 3);
    const now = declared([{ name: 'knowledge', vectorSize: 1024, distance: 'Cosine', shardNumber: 2 }], 3)[0];
    const comparison = compareCollection(now, server, { peers: 3 });
    expect(comparison.update).toEqual({ params: { replication_factor: 2 } });
    expect(comparison.changes).toEqual([
      expect.objectContaining({ field: 'knowledge.replicationFactor', declared: 2, found: 1, kind: 'mutable', note: expect.stringContaining('the existing shards keep 1') }),
      { field: 'knowledge.shards.0.replicas', declared: 2, found: 1, kind: 'replicas', note: 'add a copy: POST /collections/knowledge/cluster {"replicate_shard": {"shard_id": 0, "from_peer_id": 1, "to_peer_id": 2}}' },
      { field: 'knowledge.shards.1.replicas', declared: 2, found: 1, kind: 'replicas', note: 'add a copy: POST /collections/knowledge/cluster {"replicate_shard": {"shard_id": 1, "from_peer_id": 2, "to_peer_id": 1}}' },
    ]);
    // After the PATCH the factor matches, but the shards are still short: not "in sync".
    const patched = found(oneCopy, (s) => (s.params.replication_factor = 2), 3);
    const after = compareCollection(now, patched, { peers: 3 });
    expect(after.action).toBe('drift');
    expect(after.changes.map((c) => c.kind)).toEqual(['replicas', 'replicas']);
    expect(exitCodeOf({ mode: 'plan', collections: [{ name: 'knowledge', action: after.action, changes: after.changes, extra: after.extra }] })).toBe(1);
  });
});
