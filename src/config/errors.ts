import type { z } from 'zod';

/** One problem in a stack config: where (`qdrant.collections[0].vectorSize`) and what. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** Thrown when a stack config is invalid (or its use refused); carries every problem found, not just the first. */
export class ConfigError extends Error {
  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly source?: string,
    /** What is wrong as a whole, before the list. */
    headline = 'invalid stack config',
  ) {
    super(
      `${source ? `${source}: ` : ''}${headline} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** `['qdrant', 'collections', 0, 'name']` → `qdrant.collections[0].name`; an odd key is quoted: `environments[".."]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    if (!/^[A-Za-z_][\w-]*$/.test(String(key))) return `${out}[${JSON.stringify(String(key))}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

/** Keys an object schema accepts at `path`, walking wrappers, arrays and unions (for "did you mean"). */
function allowedKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: any = schema;
  const unwrap = () => {
    while (current?.def && ['default', 'prefault', 'optional', 'nullable', 'pipe'].includes(current.def.type)) {
      current = current.def.type === 'pipe' ? current.def.in : current.def.innerType;
    }
  };
  unwrap();
  for (const key of path) {
    if (current?.def?.type === 'array') current = current.def.element;
    else if (current?.def?.type === 'object') current = current.def.shape[key as string];
    else return [];
    unwrap();
    if (current?.def?.type === 'union') current = current.def.options.find((o: any) => o.def?.type === 'object');
    unwrap();
  }
  if (current?.def?.type === 'union') current = current.def.options.find((o: any) => o.def?.type === 'object');
  return current?.def?.type === 'object' ? Object.keys(current.def.shape) : [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

function unknownKeyMessage(key: string, allowed: string[]): string {
  const close = allowed.filter((k) => editDistance(key, k) <= Math.max(1, Math.floor(k.length / 3)));
  const hint = close.length ? `did you mean "${close[0]}"? ` : '';
  return `unknown key (${hint}expected one of: ${allowed.join(', ')})`;
}

/** Turns zod issues (parsed with `reportInput`) into problems a person can act on. */
export function toProblems(issues: readonly z.core.$ZodIssue[], schema: z.ZodType, base: readonly PropertyKey[] = []): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(schema, path);
      for (const key of issue.keys) problems.push({ path: formatPath([...path, key]), message: unknownKeyMessage(key, allowed) });
      continue;
    }
    if (issue.code === 'invalid_union') {
      // An object given for a string-or-object field: report what is wrong inside the object branch.
      const deeper = issue.errors.find((branch) => branch.some((i) => i.path.length > 0 || i.code === 'unrecognized_keys'));
      if (deeper) {
        problems.push(...toProblems(deeper, schema, path));
        continue;
      }
    }
    const input = (issue as { input?: unknown }).input;
    if (input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union')) {
      problems.push({ path: formatPath(path), message: `is required (${issue.message})` });
      continue;
    }
    // A cross-field check carries the whole object it checked as input: its message says enough.
    const objectOfCustomCheck = issue.code === 'custom' && typeof input === 'object' && input !== null;
    const got = input === undefined || objectOfCustomCheck ? '' : ` (got ${describeValue(input)})`;
    problems.push({ path: formatPath(path), message: `${issue.message}${got}` });
  }
  return problems;
}
