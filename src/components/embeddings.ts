/**
 * Output dimensions of embedding models in the Ollama library. A collection that receives a model's
 * embeddings must have exactly this vector size; a mismatch is the most common RAG set-up bug.
 */
export interface KnownEmbeddingModel {
  readonly dimensions: number;
  /** Tags with these dimensions; other tags of the model differ (e.g. snowflake-arctic-embed:s is 384). */
  readonly tags?: readonly string[];
}

export const EMBEDDING_MODELS: Readonly<Record<string, KnownEmbeddingModel>> = {
  'mxbai-embed-large': { dimensions: 1024 },
  'nomic-embed-text': { dimensions: 768 },
  'all-minilm': { dimensions: 384 },
  'snowflake-arctic-embed': { dimensions: 1024, tags: ['latest', 'l', '335m'] },
  'bge-m3': { dimensions: 1024 },
  embeddinggemma: { dimensions: 768 },
};

export const DEFAULT_EMBEDDING_MODEL = 'mxbai-embed-large';

/** Dimensions of a model such as `nomic-embed-text` or `snowflake-arctic-embed:l`, when known. */
export function embeddingDimensions(model: string): number | undefined {
  const [name, tag = 'latest'] = model.split(':');
  const known = EMBEDDING_MODELS[name];
  if (!known) return undefined;
  return !known.tags || known.tags.includes(tag) ? known.dimensions : undefined;
}
