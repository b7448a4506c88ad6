/**
 * Kubernetes resource quantities (`resource.Quantity`): a decimal number with an optional binary (Ki…Ei),
 * decimal (m, k, M…E) suffix or decimal exponent (`1e9`). `10Gi` and `10240Mi` are the same quantity.
 */
const SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** The value of a quantity in base units (bytes for storage), or undefined if it is not one. Numbers in a
 *  parsed manifest (`storage: 1000`) are quantities too. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = QUANTITY.exec(value);
  if (!m) return undefined;
  const number = Number(m[1]);
  if (m[3] !== undefined) return number * 10 ** Number(m[3]);
  return number * SUFFIXES[m[2] ?? ''];
}

/** -1, 0 or 1; undefined if either is not a quantity. Equal within float rounding (`0.1Gi` = `102.4Mi`). */
export function compareQuantities(a: unknown, b: unknown): -1 | 0 | 1 | undefined {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === undefined || y === undefined) return undefined;
  if (Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y))) return 0;
  return x < y ? -1 : 1;
}
