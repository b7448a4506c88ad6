/**
 * Qdrant's configuration file as the stack writes it, from the whole model: one content, two renderings.
 * Kubernetes mounts it as config/production.yaml (the image runs with RUN_MODE=production, so Qdrant layers
 * it over its built-in config.yaml); Compose and Pulumi cannot mount a file into a read-only container, so
 * they pass the same settings as QDRANT__SECTION__KEY variables, which Qdrant layers last.
 * Nothing secret belongs in it: the Kubernetes rendering is a ConfigMap.
 */
import deepmerge from 'deepmerge';
import { stringify } from 'yaml';
import type { StackConfig } from '../config/schema';

/** The parts of the model that shape the file. */
export type QdrantConfigModel = Pick<StackConfig, 'qdrant' | 'snapshots'>;
export type QdrantConfigFile = Record<string, unknown>;

/** Each part of the stack that sets something in Qdrant's file; a feature adds its own here. */
const CONTRIBUTIONS: readonly ((model: QdrantConfigModel) => QdrantConfigFile | undefined)[] = [
  (model) => model.qdrant.config,
  // One switch, not two: qdrant.config refuses service.jwt_rbac.
  (model) => (model.qdrant.jwtRbac ? { service: { jwt_rbac: true } } : undefined),
];

/** The content of Qdrant's configuration file, or undefined when the model sets nothing in it. */
export function qdrantConfigFile(model: QdrantConfigModel): QdrantConfigFile | undefined {
  const parts = CONTRIBUTIONS.map((part) => part(model)).filter((p): p is QdrantConfigFile => p !== undefined);
  const file = prune(deepmerge.all([{}, ...parts]) as QdrantConfigFile);
  return file && Object.keys(file).length ? file : undefined;
}

/** The file as YAML, as the ConfigMap holds it. */
export function qdrantConfigYaml(file: QdrantConfigFile): string {
  return `# Written by qdrant-stack from qdrant.config; layered over Qdrant's built-in config.yaml.\n${stringify(file)}`;
}

/**
 * The same settings as Qdrant's environment overrides: `storage.optimizers.deleted_threshold: 0.1` becomes
 * QDRANT__STORAGE__OPTIMIZERS__DELETED_THRESHOLD=0.1 (Qdrant's config loader lowercases the key and splits it at "__").
 */
export function qdrantConfigEnv(file: QdrantConfigFile | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  const walk = (value: unknown, path: string[]): void => {
    if (isObject(value)) for (const [key, inner] of Object.entries(value)) walk(inner, [...path, key]);
    else if (Array.isArray(value)) throw new Error(`${path.join('.')}: a list cannot be a QDRANT__ variable`);
    else env[['QDRANT', ...path].map((p) => p.toUpperCase()).join('__')] = String(value);
  };
  if (file) walk(file, []);
  return env;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Without unset keys and sections left empty (`storage: {}` says nothing). */
function prune(value: QdrantConfigFile): QdrantConfigFile | undefined {
  const entries = Object.entries(value).flatMap(([key, inner]): [string, unknown][] => {
    if (inner === undefined) return [];
    if (!isObject(inner)) return [[key, inner]];
    const pruned = prune(inner);
    return pruned ? [[key, pruned]] : [];
  });
  return entries.length ? Object.fromEntries(entries) : undefined;
}
