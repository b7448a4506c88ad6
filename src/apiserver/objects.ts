/**
 * Shared vocabulary of the API-server rules: the loose shape of a rendered object (as parsed from YAML, so
 * nothing about it is trusted), the problem every rule returns, and small helpers the rules share.
 * Everything here is pure and never throws on a malformed manifest.
 */

/** One rendered Kubernetes object as parsed from YAML. Fields are `unknown` on purpose: rules check them. */
export interface Manifest {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: {
    name?: unknown;
    namespace?: unknown;
    labels?: unknown;
    annotations?: unknown;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** What a real API server (or Argo CD / kubectl apply) would do with an object that a schema check passes. */
export interface Problem {
  /** `Kind namespace/name`, or `Kind name` for objects without a namespace. */
  readonly object: string;
  /** Short stable id, e.g. `name-too-long`; see index.ts for the list. */
  readonly rule: string;
  /** What is wrong, the value, the limit, and what the API server (or the tool) would say. */
  readonly message: string;
}

export type Rec = Record<string, unknown>;

export function isRec(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function rec(value: unknown): Rec | undefined {
  return isRec(value) ? value : undefined;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `get(obj, 'spec', 'template')` without throwing on missing or non-object steps. */
export function get(value: unknown, ...path: string[]): unknown {
  let at = value;
  for (const key of path) {
    if (!isRec(at)) return undefined;
    at = at[key];
  }
  return at;
}

/** A label map as strings. Non-string values (an unquoted `true` in YAML) are stringified for matching;
 *  names.ts reports them, since the API server refuses them. */
export function labelMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRec(value)) return out;
  for (const [k, v] of Object.entries(value)) out[k] = v === null || v === undefined ? '' : String(v);
  return out;
}

/** The plain objects of a parsed YAML stream (empty documents parse to null and are dropped). */
export function manifests(objects: readonly unknown[]): Manifest[] {
  return objects.filter((o): o is Manifest => isRec(o) && typeof o.kind === 'string');
}

export function kindOf(obj: Manifest): string {
  return str(obj.kind) ?? '<no kind>';
}

export function nameOf(obj: Manifest): string | undefined {
  return str(get(obj, 'metadata', 'name'));
}

export function namespaceOf(obj: Manifest): string | undefined {
  return str(get(obj, 'metadata', 'namespace'));
}

/** `apps/v1` → `apps`, `v1` → `` (core). Objects are the same object across versions of one group. */
export function groupOf(obj: Manifest): string {
  const apiVersion = str(obj.apiVersion) ?? '';
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** `StatefulSet qdrant-prod/qdrant-stack-qdrant`. */
export function describe(obj: Manifest): string {
  const ns = namespaceOf(obj);
  const name = nameOf(obj) ?? str(get(obj, 'metadata', 'generateName')) ?? '<no name>';
  return `${kindOf(obj)} ${ns ? `${ns}/` : ''}${name}`;
}

/** Identity across renders: API group, kind, namespace, name (the version may change). */
export function identity(obj: Manifest): string {
  return [groupOf(obj), kindOf(obj), namespaceOf(obj) ?? '', nameOf(obj) ?? ''].join('|');
}

/** Within one rendered folder an object without a namespace lands in the folder's (kustomize) namespace. */
export function sameNamespace(a: Manifest, b: Manifest): boolean {
  const na = namespaceOf(a);
  const nb = namespaceOf(b);
  return na === undefined || nb === undefined || na === nb;
}

export function annotationsOf(obj: Manifest): Record<string, string> {
  return labelMap(get(obj, 'metadata', 'annotations'));
}

/** Kinds whose pods come from `spec.template`. */
const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController']);

export interface PodTemplate {
  /** Dotted path of the template in its object (`spec.template`, `` for a bare Pod). */
  readonly path: string;
  readonly labels: Record<string, string>;
  /** The pod spec (may be undefined in a malformed manifest). */
  readonly spec: Rec | undefined;
  /** The raw template: `{ metadata, spec }`. */
  readonly template: Rec;
}

/** The pod template of a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, RC), or
 *  the Pod itself; undefined for anything else. */
export function podTemplate(obj: Manifest): PodTemplate | undefined {
  const kind = kindOf(obj);
  let path: string;
  let template: unknown;
  if (kind === 'Pod') {
    path = '';
    template = obj;
  } else if (kind === 'CronJob') {
    path = 'spec.jobTemplate.spec.template';
    template = get(obj, 'spec', 'jobTemplate', 'spec', 'template');
  } else if (TEMPLATE_KINDS.has(kind)) {
    path = 'spec.template';
    template = get(obj, 'spec', 'template');
  } else {
    return undefined;
  }
  if (!isRec(template)) return undefined;
  return { path, template, labels: labelMap(get(template, 'metadata', 'labels')), spec: rec(template.spec) };
}

/** Does a LabelSelector (`matchLabels` + `matchExpressions`) select these labels? A missing (null)
 *  selector selects nothing; an empty one `{}` selects everything, as in the API. */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isRec(selector)) return false;
  if (!mapMatches(selector.matchLabels, labels)) return false;
  return arr(selector.matchExpressions).every((expr) => {
    const key = str(get(expr, 'key')) ?? '';
    const values = arr(get(expr, 'values')).map(String);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (get(expr, 'operator')) {
      case 'In':
        return has && values.includes(labels[key]);
      case 'NotIn':
        return !has || !values.includes(labels[key]);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false; // the API server rejects an unknown operator; it selects nothing
    }
  });
}

/** Does an equality selector map (Service `spec.selector`, `matchLabels`) select these labels? All its
 *  entries must be present with the same value. */
export function mapMatches(selector: unknown, labels: Record<string, string>): boolean {
  return Object.entries(labelMap(selector)).every(([k, v]) => Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === v);
}

/** True for `{}` / a selector with neither matchLabels nor matchExpressions entries. */
export function isEmptySelector(selector: unknown): boolean {
  return isRec(selector) && Object.keys(labelMap(selector.matchLabels)).length === 0 && arr(selector.matchExpressions).length === 0;
}

/** Deep equality where key order does not matter (YAML/JSON maps are unordered). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isRec(a) && isRec(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

function step(prefix: string, key: string): string {
  const part = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key);
  if (!prefix) return part;
  return part.startsWith('"') ? `${prefix}[${part}]` : `${prefix}.${part}`;
}

export interface Difference {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** Where two values differ, as dotted paths (`spec.template.spec.containers[0].image`) with both values;
 *  arrays of different length are one difference. Key order is irrelevant. */
export function differences(a: unknown, b: unknown, prefix = ''): Difference[] {
  if (deepEqual(a, b)) return [];
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((x, i) => differences(x, b[i], `${prefix}[${i}]`));
  }
  if (isRec(a) && isRec(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differences(a[k], b[k], step(prefix, k)));
  }
  return [{ path: prefix || '(root)', before: a, after: b }];
}

export function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  return differences(a, b, prefix).map((d) => d.path);
}

/** A value for a message, clipped. */
export function show(value: unknown, max = 240): string {
  const text = value === undefined ? '(absent)' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
