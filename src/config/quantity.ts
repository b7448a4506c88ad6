/**
 * Kubernetes resource quantities, parsed just enough to validate and compare them.
 * (cdk8s' Size and Cpu classes build quantities but cannot read a user's string back.)
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const BYTES_PATTERN = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const CPU_PATTERN = /^(\d+(?:\.\d+)?)(m?)$/;

/** Bytes of a memory or storage quantity such as `20Gi` or `512M`, or undefined when it is not one. */
export function parseBytes(quantity: string): number | undefined {
  const match = BYTES_PATTERN.exec(quantity);
  if (!match) return undefined;
  const unit = match[2] ?? '';
  return Number(match[1]) * (BINARY[unit] ?? DECIMAL[unit]);
}

/** Cores of a CPU quantity such as `500m` or `2`, or undefined when it is not one. */
export function parseCpu(quantity: string): number | undefined {
  const match = CPU_PATTERN.exec(quantity);
  if (!match) return undefined;
  return Number(match[1]) / (match[2] === 'm' ? 1000 : 1);
}

/**
 * Kubernetes quantities are 64-bit integers (of millis, for CPU): every value is below 2^63 (= 8Ei). A
 * bound, compared with `<`: 2^63 - 1 is not representable as a JavaScript number.
 */
export const QUANTITY_LIMIT = 2 ** 63;

/** A byte count as the largest whole binary unit that holds it exactly, rounded up to whole MiB. */
export function formatBytes(bytes: number): string {
  const mib = Math.ceil(bytes / 2 ** 20);
  if (mib % 1024 === 0) return `${mib / 1024}Gi`;
  return `${mib}Mi`;
}

/** A CPU count in millicores, or whole cores when exact. */
export function formatCpu(cores: number): string {
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? `${milli / 1000}` : `${milli}m`;
}
