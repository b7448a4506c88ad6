/**
 * Object names, built in one place with the limits the Kubernetes API server enforces per kind (a schema
 * check does not). Names stay readable (`<stack>-<component>[-<part>]`); only a name that would overflow its
 * kind's limit is shortened, with a stable hash of the full name so it never collides or changes by itself.
 */
import { createHash } from 'node:crypto';

/** Limits stricter than a DNS-1123 subdomain's 253 characters, and why. */
export const NAME_LIMITS = {
  /** The CronJob controller appends an 11-character suffix to name its Jobs. */
  CronJob: 52,
  /** Its pods carry `controller-revision-hash: <name>-<10-character hash>`, a label value (≤ 63). */
  StatefulSet: 52,
  /** Its name becomes the `job-name` label value of its pods. */
  Job: 63,
  /** Our workloads carry their name as the `app.kubernetes.io/instance` label value. */
  Deployment: 63,
  /** A DNS-1035 label: it is a DNS name in the cluster. */
  Service: 63,
  Namespace: 63,
} as const;

export type KindWithLimit = keyof typeof NAME_LIMITS;
const SUBDOMAIN_LIMIT = 253;

/** Length of the content hash in Job names and of the hash that shortens an overflowing name. */
export const HASH_LENGTH = 8;

/** A short, stable hex digest of `text`. */
export function shortHash(text: string, length = HASH_LENGTH): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** The name limit of a kind. */
export function nameLimit(kind: string): number {
  return (NAME_LIMITS as Record<string, number>)[kind] ?? SUBDOMAIN_LIMIT;
}

/**
 * `parts` joined with "-", within the kind's limit: an overflowing name keeps as much of its beginning as
 * fits and ends in a hash of the full name.
 */
export function objectName(kind: string, ...parts: string[]): string {
  const full = parts.filter((p) => p !== '').join('-');
  const limit = nameLimit(kind);
  if (full.length <= limit) return full;
  const kept = full.slice(0, limit - HASH_LENGTH - 1).replace(/[-.]+$/, '');
  return `${kept}-${shortHash(full)}`;
}

/** The name of a component instance (`<stack>-qdrant`): also its `app.kubernetes.io/instance` label value. */
export function instanceName(...parts: string[]): string {
  return objectName('Deployment', ...parts);
}

/**
 * The longest suffix the stack appends to its name, per kind whose limit binds (a Job's includes its content
 * hash). The stack name's maximum length follows from these, so a stack's own names are never shortened;
 * a test renders a name of that length with every option on to keep this list honest.
 */
export const LONGEST_STACK_SUFFIXES: readonly (readonly [KindWithLimit, string])[] = [
  ['CronJob', '-qdrant-snapshots'],
  ['Job', `-ollama-pull-models-${'0'.repeat(HASH_LENGTH)}`],
  ['Job', `-secret-generator-${'0'.repeat(HASH_LENGTH)}`],
  ['StatefulSet', '-qdrant'],
  ['Service', '-qdrant-headless'],
];

/** The longest stack name whose object names all fit their kinds' limits unshortened. */
export const STACK_NAME_MAX = Math.min(...LONGEST_STACK_SUFFIXES.map(([kind, suffix]) => NAME_LIMITS[kind] - suffix.length));
