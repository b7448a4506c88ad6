/** The collection model: Qdrant 1.19's parameters, and what Qdrant would reject or what cannot work. */
import { resolveConfig } from '../src/config/load';
import { denseVectors, embeddingVectorOf } from '../src/config/vectors';
import { plan } from '../src/config/plan';
import { qdrantResources } from '../src/config/resources';
import { problemsOf } from './support/problems';

const collection = (c: object) => ({ ollama: { enabled: false }, qdrant: { collections: [{ name: 'docs', ...c }] } });

const HYBRID = {
  name: 'docs',
  vectors: {
    dense: { size: 1024, distance: 'Cosine', datatype: 'float16', memory: 'cached', hnsw: { m: 32, efConstruct: 200 }, quantization: { scalar: { type: 'int8', quantile: 0.99, alwaysRam: true } } },
    colbert: { size: 128, distance: 'Dot', multivector: { comparator: 'max_sim' }, onDisk: true },
  },
  embeddingVector: 'dense',
  sparseVectors: { bm25: { modifier: 'idf', onDisk: true } },
  hnsw: { m: 16, payloadM: 16, fullScanThreshold: 10000 },
  optimizers: { indexingThreshold: 20000, defaultSegmentNumber: 2 },
  onDiskPayload: true,
  shardNumber: 6,
  replicationFactor: 2,
  writeConsistencyFactor: 1,
  payloadIndexes: { tenant: { type: 'keyword', isTenant: true }, created: { type: 'datetime', isPrincipal: true }, lang: 'keyword' },
  aliases: ['docs-current'],
};

test('a hybrid collection with every parameter is valid, and its embedding vector is the named dense one', () => {
  const config = resolveConfig({ qdrant: { replicas: 3, collections: [HYBRID] } });
  const docs = config.qdrant.collections[0];
  expect(denseVectors(docs).map((v) => [v.name, v.size])).toEqual([['dense', 1024], ['colbert', 128]]);
  expect(embeddingVectorOf(docs)).toMatchObject({ name: 'dense', size: 1024, distance: 'Cosine' });
});

test('the single unnamed vector of today is still the short form', () => {
  const docs = resolveConfig({}).qdrant.collections[0];
  expect(denseVectors(docs)).toEqual([{ name: '', size: 1024, distance: 'Cosine', datatype: undefined, onDisk: undefined }]);
});

test.each([
  ['both forms', { vectorSize: 8, distance: 'Dot', vectors: { a: { size: 8, distance: 'Dot' } } }, 'qdrant.collections[0].vectors: give either vectorSize and distance'],
  ['no vectors', {}, 'qdrant.collections[0].vectorSize: is required (or name the vectors under vectors)'],
  ['a sparse vector with a size', { vectorSize: 8, distance: 'Dot', sparseVectors: { s: { size: 8 } } }, 'qdrant.collections[0].sparseVectors.s.size: unknown key'],
  ['a sparse vector named like a dense one', { vectors: { a: { size: 8, distance: 'Dot' } }, sparseVectors: { a: {} } }, 'qdrant.collections[0].sparseVectors.a: is also a dense vector name'],
  ['a bad vector name', { vectors: { 'a b': { size: 8, distance: 'Dot' } } }, 'qdrant.collections[0].vectors'],
  ['embeddingVector naming no vector', { vectors: { a: { size: 8, distance: 'Dot' } }, embeddingVector: 'b' }, 'qdrant.collections[0].embeddingVector: must name a dense vector of this collection (a)'],
  ['write consistency above replication', { vectorSize: 8, distance: 'Dot', replicationFactor: 1, writeConsistencyFactor: 2 }, 'qdrant.collections[0].writeConsistencyFactor: 2 exceeds replicationFactor (1)'],
  ['replication above the peers', { vectorSize: 8, distance: 'Dot', replicationFactor: 2 }, 'qdrant.collections[0].replicationFactor: 2 exceeds qdrant.replicas (1)'],
  ['isTenant on an integer index', { vectorSize: 8, distance: 'Dot', payloadIndexes: { n: { type: 'integer', isTenant: true } } }, 'qdrant.collections[0].payloadIndexes.n.isTenant: does not apply to a integer index'],
  ['an alias listed twice', { vectorSize: 8, distance: 'Dot', aliases: ['a', 'a'] }, 'qdrant.collections[0].aliases[1]: "a" is listed twice'],
  ['an alias named like the collection', { vectorSize: 8, distance: 'Dot', aliases: ['docs'] }, "qdrant.collections[0].aliases[0]: is the collection's own name"],
  ['a quantile out of range', { vectorSize: 8, distance: 'Dot', quantization: { scalar: { type: 'int8', quantile: 0.2 } } }, 'qdrant.collections[0].quantization.scalar.quantile: must be between 0.5 and 1'],
  ['datatype on named vectors', { vectors: { a: { size: 8, distance: 'Dot' } }, datatype: 'uint8' }, 'qdrant.collections[0].datatype: applies to the unnamed vector'],
  ['an unknown memory mode', { vectorSize: 8, distance: 'Dot', memory: 'ram' }, 'qdrant.collections[0].memory: must be one of cached, cold, pinned'],
] as [string, object, string][])('%s is refused with its path', (_t, c, message) => {
  expect(problemsOf(collection(c)).join('\n')).toContain(message);
});

test('the embedding size is checked on the named dense vector; with several, embeddingVector is required', () => {
  const embedding = (c: object) => ({ qdrant: { collections: [{ name: 'docs', ...c }] } });
  expect(problemsOf(embedding({ vectors: { dense: { size: 768, distance: 'Cosine' } } }))).toEqual([
    'qdrant.collections[0].vectors.dense.size: 768 does not match ollama.embeddingModel mxbai-embed-large (1024 dimensions)',
  ]);
  expect(problemsOf(embedding({ vectors: { a: { size: 1024, distance: 'Cosine' }, b: { size: 128, distance: 'Dot' } } }))).toEqual([
    'qdrant.collections[0].embeddingVector: is required: the collection has several dense vectors (a, b); name the one that receives the embeddings of mxbai-embed-large',
  ]);
  expect(problemsOf(embedding({ vectors: { a: { size: 1024, distance: 'Cosine' }, b: { size: 128, distance: 'Dot' } }, embeddingVector: 'a' }))).toEqual([]);
});

describe('plan: RAM and disk per collection follow the layout', () => {
  const layout = (c: object) => plan(resolveConfig({ ollama: { enabled: false }, qdrant: { sizing: { vectors: 1_000_000 }, collections: [{ name: 'docs', ...c }] } }));
  const MiB = 2 ** 20;

  test('float32 in RAM: Qdrant\'s formula, 1M × 1024 × 4 B × 1.5', () => {
    const p = layout({ vectorSize: 1024, distance: 'Cosine' });
    expect(p.collections[0]).toMatchObject({ ram: '5860Mi', disk: '3907Mi' });
    expect(qdrantResources(resolveConfig({ ollama: { enabled: false }, qdrant: { sizing: { vectors: 1_000_000 }, collections: [{ name: 'docs', vectorSize: 1024, distance: 'Cosine' }] } }).qdrant).requests.memory).toBe('5860Mi');
  });

  test('float16 halves it, on-disk originals leave only the int8 copy in RAM, binary is a bit per dimension', () => {
    expect(layout({ vectorSize: 1024, distance: 'Cosine', datatype: 'float16' }).collections[0].ram).toBe(`${Math.ceil((1e6 * 1024 * 2 * 1.5) / MiB)}Mi`);
    const onDisk = layout({ vectors: { d: { size: 1024, distance: 'Cosine', onDisk: true, quantization: { scalar: { type: 'int8' } } } } }).collections[0];
    expect(onDisk.ram).toBe(`${Math.ceil((1e6 * 1024 * 1.5) / MiB)}Mi`);
    expect(onDisk.layout).toEqual(['d 1024 × float32 on disk, scalar quantized in RAM']);
    expect(layout({ vectorSize: 1024, distance: 'Cosine', memory: 'cold', quantization: { binary: {} } }).collections[0].ram).toBe(`${Math.ceil((1e6 * 128 * 1.5) / MiB)}Mi`);
  });

  test('the memory request is the sum of the layouts', () => {
    const config = resolveConfig({ ollama: { enabled: false }, qdrant: { sizing: { vectors: 1_000_000 }, collections: [{ name: 'a', vectorSize: 1024, distance: 'Cosine' }, { name: 'b', vectorSize: 1024, distance: 'Cosine', datatype: 'uint8' }] } });
    expect(qdrantResources(config.qdrant).requests.memory).toBe(`${Math.ceil((1e6 * 1024 * 4 * 1.5 + 1e6 * 1024 * 1.5) / MiB)}Mi`);
  });
});
