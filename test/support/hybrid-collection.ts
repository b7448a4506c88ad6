/** A declared hybrid collection (dense + sparse, an index, an alias) that the collections tests share. */
import type { StackInput } from '../../src/config/schema';

export type CollectionInput = NonNullable<NonNullable<StackInput['qdrant']>['collections']>[number];

export const HYBRID: CollectionInput = {
  name: 'docs',
  vectors: { dense: { size: 1024, distance: 'Cosine', hnsw: { m: 32 } } },
  sparseVectors: { bm25: { modifier: 'idf' } },
  payloadIndexes: { tenant: { type: 'keyword', isTenant: true } },
  aliases: ['docs-current'],
  embeddings: true,
};
