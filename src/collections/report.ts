/**
 * What a plan or apply found and did, as text (`+ create`, `~ update`, `! drift`, `= in sync`, a line
 * `field: declared X, found Y` per change) and as JSON. Only model names, values and Qdrant's error
 * texts: never a key or a URL's user info. Pure, without zod.
 */
import type { Action, Change } from './diff';
import type { CollectionShape } from './wire';

/** One declared collection: what differs, what the model does not name, and (apply) what happened. */
export interface CollectionResult {
  readonly name: string;
  readonly action: Action;
  readonly changes: readonly Change[];
  readonly extra: { readonly indexes: readonly string[]; readonly aliases: readonly string[] };
  /** For a create: what is (or was) created. */
  readonly summary?: string;
  /** apply: the writes were made. */
  readonly applied?: boolean;
  /** Why this collection could not be planned or applied. */
  readonly error?: string;
}

export interface CollectionsReport {
  readonly mode: 'plan' | 'apply';
  /** The target without user info. */
  readonly url?: string;
  readonly version?: string;
  readonly collections: readonly CollectionResult[];
}

/**
 * 0 when planned or applied; 1 when a collection is in drift, has shards short of copies (both need a
 * step the reconciler does not take) or failed.
 */
export function exitCodeOf(report: CollectionsReport): 0 | 1 {
  return report.collections.some((c) => c.action === 'drift' || c.error !== undefined || c.changes.some((ch) => ch.kind === 'replicas')) ? 1 : 0;
}

/** A one-line description of a collection to create. */
export function summarize(shape: CollectionShape): string {
  const dense = Object.entries(shape.vectors).map(([n, v]) => `${n ? `${n} ` : ''}${v.size}/${v.distance}${v.multivector ? ' multivector' : ''}`);
  const sparse = Object.entries(shape.sparseVectors).map(([n, s]) => `${n}${s.modifier === 'idf' ? ' (idf)' : ''}`);
  const indexes = Object.keys(shape.payloadIndexes);
  return [
    dense.length ? `${shape.named ? 'vectors' : 'vector'} ${dense.join(', ')}` : undefined,
    sparse.length ? `sparse ${sparse.join(', ')}` : undefined,
    indexes.length ? `payload indexes ${indexes.join(', ')}` : undefined,
    shape.aliases.length ? `aliases ${shape.aliases.join(', ')}` : undefined,
    shape.replicationFactor !== undefined ? `${shape.replicationFactor} ${shape.replicationFactor === 1 ? 'copy' : 'copies'} of each shard` : undefined,
  ]
    .filter(Boolean)
    .join('; ');
}

/** A value as a change line shows it: `(none)` for nothing, compact JSON for objects. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const MARKS: Record<Action, { plan: string; apply: string; mark: string }> = {
  create: { mark: '+', plan: 'create', apply: 'created' },
  update: { mark: '~', plan: 'update', apply: 'updated' },
  drift: { mark: '!', plan: 'drift', apply: 'drift' },
  none: { mark: '=', plan: 'in sync', apply: 'in sync' },
};

const SUFFIX: Partial<Record<Change['kind'], string>> = { immutable: ' (fixed at creation: not changed)', replicas: ' (a manual step)' };

/** The text report: one block per collection, then the totals. */
export function formatText(report: CollectionsReport): string {
  const lines = [`collections ${report.mode}${report.url ? ` against ${report.url}` : ''}${report.version ? ` (Qdrant ${report.version})` : ''}`, ''];
  const width = Math.max(0, ...report.collections.map((c) => c.name.length));
  for (const c of report.collections) {
    const m = MARKS[c.action];
    const verb = c.error ? 'failed' : m[report.mode === 'apply' && c.applied ? 'apply' : 'plan'];
    const mark = c.error ? 'x' : m.mark;
    lines.push(`${mark} ${verb.padEnd(7)}  ${c.name.padEnd(width)}${c.summary ? `  ${c.summary}` : ''}`.trimEnd());
    for (const ch of c.changes) {
      lines.push(`    ${ch.field}: declared ${showValue(ch.declared)}, found ${showValue(ch.found)}${SUFFIX[ch.kind] ?? ''}`);
      if (ch.note) lines.push(`      ${ch.note}`);
    }
    if (c.extra.indexes.length) lines.push(`    extra payload indexes (not in the model, left alone): ${c.extra.indexes.join(', ')}`);
    if (c.extra.aliases.length) lines.push(`    extra aliases (not in the model, left alone): ${c.extra.aliases.join(', ')}`);
    if (c.error) lines.push(`    error: ${c.error}`);
  }
  const count = (action: Action) => report.collections.filter((c) => c.action === action && !c.error).length;
  const failed = report.collections.filter((c) => c.error).length;
  const done = report.mode === 'apply';
  const totals = [
    `${count('create')} ${done ? 'created' : 'to create'}`,
    `${count('update')} ${done ? 'updated' : 'to update'}`,
    `${count('drift')} in drift${count('drift') ? ' (not changed: see the lines marked "fixed at creation" or "a manual step")' : ''}`,
    `${count('none')} in sync`,
    ...(failed ? [`${failed} failed`] : []),
  ];
  lines.push('', `${report.mode}: ${totals.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** `{ collections: [{ name, action, changes: [{ field, declared, found, kind, note? }], extra: { indexes, aliases } }] }`. */
export function formatJson(report: CollectionsReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
