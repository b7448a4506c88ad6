/**
 * The dense vectors of a declared collection, without zod: the in-cluster runners import this and must not
 * carry the validation library.
 */
import type { CollectionConfig, Distance } from './collection';

/** A dense vector of a collection: the unnamed one has the name ''. */
export interface DenseVector {
  readonly name: string;
  readonly size: number;
  readonly distance: Distance;
  readonly datatype?: CollectionConfig['datatype'];
  readonly onDisk?: boolean;
  readonly quantization?: CollectionConfig['quantization'];
}

/** Every dense vector of a collection, the unnamed one as ''. */
export function denseVectors(c: CollectionConfig): DenseVector[] {
  if (c.vectors) return Object.entries(c.vectors).map(([name, v]) => ({ name, ...v }));
  return c.vectorSize !== undefined && c.distance !== undefined ? [{ name: '', size: c.vectorSize, distance: c.distance, datatype: c.datatype, onDisk: c.onDisk }] : [];
}

/** The dense vector that receives embeddings: `embeddingVector`, the unnamed one, or the only named one. */
export function embeddingVectorOf(c: CollectionConfig): DenseVector | undefined {
  const dense = denseVectors(c);
  if (c.embeddingVector !== undefined) return dense.find((v) => v.name === c.embeddingVector);
  return dense.length === 1 ? dense[0] : undefined;
}
