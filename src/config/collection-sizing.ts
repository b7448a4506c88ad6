/**
 * RAM and disk of a collection's layout at a number of points: bytes per dimension from the datatype,
 * quantized copies, and what `onDisk`/`memory: cold` moves off RAM. Qdrant's capacity formula (× 1.5 for
 * indexes and optimiser headroom) applies to what stays in RAM, so the memory request follows the layout.
 */
import { QDRANT } from '../components/qdrant';
import type { CollectionConfig } from './collection';
import { denseVectors } from './vectors';

const BYTES_PER_DIMENSION = { float32: QDRANT.sizing.bytesPerDimension, float16: 2, uint8: 1 } as const;
const PRODUCT_RATIO = { x4: 4, x8: 8, x16: 16, x32: 32, x64: 64 } as const;

export interface CollectionEstimate {
  readonly name: string;
  /** What stays in memory, with Qdrant's overhead factor. */
  readonly ramBytes: number;
  /** Everything stored: originals and quantized copies. */
  readonly diskBytes: number;
  /** One line per vector: its layout, for people. */
  readonly layout: string[];
}

/** Bytes of one quantized vector of `size` float32 dimensions (none without quantization). */
function quantizedBytes(size: number, quantization: CollectionConfig['quantization']): number {
  if (!quantization) return 0;
  if ('scalar' in quantization) return size;
  if ('binary' in quantization) return Math.ceil(size / 8);
  return Math.ceil((size * BYTES_PER_DIMENSION.float32) / PRODUCT_RATIO[quantization.product.compression]);
}

export function collectionEstimate(c: CollectionConfig, points: number): CollectionEstimate {
  let ram = 0;
  let disk = 0;
  const layout: string[] = [];
  for (const v of denseVectors(c)) {
    const params = v.name ? c.vectors![v.name] : { memory: c.memory, quantization: undefined, onDisk: c.onDisk };
    const quantization = params.quantization ?? c.quantization;
    const original = points * v.size * BYTES_PER_DIMENSION[v.datatype ?? 'float32'];
    const quantized = points * quantizedBytes(v.size, quantization);
    const offRam = v.onDisk === true || params.memory === 'cold';
    ram += (offRam ? 0 : original) + quantized;
    disk += original + quantized;
    const kind = quantization ? Object.keys(quantization)[0] : undefined;
    layout.push(`${v.name || '(unnamed)'} ${v.size} × ${v.datatype ?? 'float32'}${offRam ? ' on disk' : ' in RAM'}${kind ? `, ${kind} quantized in RAM` : ''}`);
  }
  return { name: c.name, ramBytes: ram * QDRANT.sizing.overheadFactor, diskBytes: disk, layout };
}
