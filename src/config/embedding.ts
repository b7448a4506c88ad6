/**
 * Which collection receives the embeddings, and whether its vector size matches the model. Pure functions
 * over the parsed model, shared by validation, the chart (connection contract) and the smoke test.
 */
import { EMBEDDING_MODELS, embeddingDimensions } from '../components/embeddings';
import type { CollectionConfig } from './collection';
import { denseVectors, embeddingVectorOf } from './vectors';

interface EmbeddingView {
  qdrant: { collections: readonly CollectionConfig[] };
  ollama: { enabled: boolean; embeddingModel: string; embeddingDimensions?: number; models: readonly string[] };
}

/** Index of the collection that receives embeddings: the one marked `embeddings: true`, or the only one. */
export function embeddingCollectionIndex(stack: EmbeddingView): number | undefined {
  const collections = stack.qdrant.collections;
  const marked = collections.flatMap((c, i) => (c.embeddings ? [i] : []));
  if (marked.length === 1) return marked[0];
  if (marked.length === 0 && collections.length === 1 && collections[0].embeddings !== false) return 0;
  return undefined;
}

/** Output dimensions of the configured embedding model: given, or from the registry. */
export function modelDimensions(stack: EmbeddingView): number | undefined {
  return stack.ollama.embeddingDimensions ?? embeddingDimensions(stack.ollama.embeddingModel);
}

/** The models Ollama must hold: the embedding model first, then the others, without duplicates. */
export function ollamaModels(stack: Pick<EmbeddingView, 'ollama'>): string[] {
  return [...new Set([stack.ollama.embeddingModel, ...stack.ollama.models])];
}

/** Problems with the embedding set-up, each with its key path. Empty when Ollama is disabled. */
export function embeddingProblems(stack: EmbeddingView): { path: (string | number)[]; message: string }[] {
  if (!stack.ollama.enabled) return [];
  const problems: { path: (string | number)[]; message: string }[] = [];
  const { embeddingModel, embeddingDimensions: given } = stack.ollama;
  const known = embeddingDimensions(embeddingModel);
  if (known === undefined && given === undefined) {
    problems.push({
      path: ['ollama', 'embeddingDimensions'],
      message: `is required for ${embeddingModel}: its output dimensions are not in the registry (known: ${Object.entries(EMBEDDING_MODELS).map(([m, k]) => `${m} ${k.dimensions}`).join(', ')})`,
    });
  }
  if (known !== undefined && given !== undefined && known !== given) {
    problems.push({ path: ['ollama', 'embeddingDimensions'], message: `${given} does not match ${embeddingModel}, which yields ${known} dimensions` });
  }
  const collections = stack.qdrant.collections;
  const marked = collections.flatMap((c, i) => (c.embeddings ? [i] : []));
  if (collections.length === 0) {
    problems.push({ path: ['qdrant', 'collections'], message: 'needs a collection to receive the embeddings of ollama.embeddingModel (or set ollama.enabled: false)' });
  } else if (marked.length > 1) {
    problems.push({ path: ['qdrant', 'collections'], message: `only one collection can receive the embeddings; ${marked.map((i) => `[${i}]`).join(', ')} are marked embeddings: true` });
  } else if (embeddingCollectionIndex(stack) === undefined) {
    problems.push({
      path: ['qdrant', 'collections'],
      message: `mark the collection that receives the embeddings with "embeddings: true" (${collections.length} collections, none marked)`,
    });
  }
  const index = embeddingCollectionIndex(stack);
  if (index === undefined) return problems;
  const collection = collections[index];
  const target = embeddingVectorOf(collection);
  const dense = denseVectors(collection);
  if (!target && dense.length > 1 && collection.embeddingVector === undefined) {
    problems.push({
      path: ['qdrant', 'collections', index, 'embeddingVector'],
      message: `is required: the collection has several dense vectors (${dense.map((v) => v.name).join(', ')}); name the one that receives the embeddings of ${embeddingModel}`,
    });
  }
  const dimensions = given ?? known;
  // A vector size that is itself invalid is already reported by the field's own check.
  const size = target?.size;
  if (size !== undefined && Number.isInteger(size) && size > 0 && dimensions !== undefined && size !== dimensions) {
    problems.push({
      path: ['qdrant', 'collections', index, ...(target!.name ? ['vectors', target!.name, 'size'] : ['vectorSize'])],
      message: `${size} does not match ollama.embeddingModel ${embeddingModel} (${dimensions} dimensions)`,
    });
  }
  return problems;
}
