/** Declared collections of the tests, validated by the model as a stack.yaml's would be. */
import { resolveConfig } from '../../src/config/load';
import type { CollectionConfig } from '../../src/config/collection';

export const ADMIN_KEY = 'admin-key-5f0c9a1e7b3d';
export const READ_ONLY_KEY = 'read-only-key-c4e8a2f6';

/** A hybrid dense + sparse collection with HNSW, quantization, optimizers, indexes and an alias. */
export const HYBRID = {
  name: 'docs',
  vectors: {
    dense: { size: 1024, distance: 'Cosine', datatype: 'float16', hnsw: { m: 32, efConstruct: 200 }, quantization: { scalar: { type: 'int8', quantile: 0.99, alwaysRam: true } } },
  },
  sparseVectors: { text: { modifier: 'idf', onDisk: true } },
  hnsw: { m: 16, payloadM: 16 },
  quantization: { scalar: { type: 'int8', quantile: 0.99, alwaysRam: true } },
  optimizers: { indexingThreshold: 20000, defaultSegmentNumber: 2 },
  onDiskPayload: true,
  payloadIndexes: { tenant: { type: 'keyword', isTenant: true }, lang: 'keyword' },
  aliases: ['docs-current'],
};

/** The model's collections of a (partial) stack model, validated. */
export function declared(collections: object[], replicas = 1): CollectionConfig[] {
  return resolveConfig({ ollama: { enabled: false }, qdrant: { replicas, collections } }).qdrant.collections;
}

/** The exact `PUT /collections/docs` body HYBRID asks for in a 3-peer cluster (written out, as Qdrant reads it). */
export const HYBRID_PUT_BODY = {
  vectors: { dense: { size: 1024, distance: 'Cosine', datatype: 'float16', hnsw_config: { m: 32, ef_construct: 200 }, quantization_config: { scalar: { type: 'int8', quantile: 0.99, always_ram: true } } } },
  sparse_vectors: { text: { modifier: 'idf', index: { on_disk: true } } },
  hnsw_config: { m: 16, payload_m: 16 },
  quantization_config: { scalar: { type: 'int8', quantile: 0.99, always_ram: true } },
  optimizers_config: { indexing_threshold: 20000, default_segment_number: 2 },
  on_disk_payload: true,
  replication_factor: 2,
};
