/**
 * Profiles and environments: presets and per-environment overrides, deep-merged onto the model before it
 * is validated. Later wins: the file's profile preset < the file's own keys < the environment's profile
 * preset < the environment's own keys. So `environments.prod.profile: prod` really makes prod highly
 * available even when the file spells out the single-node defaults. Lists are replaced, not concatenated
 * (an environment that lists collections means exactly those).
 */
import deepmerge from 'deepmerge';

export const PROFILE_NAMES = ['dev', 'prod'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

type Raw = Record<string, unknown>;

/** What each profile sets; anything the file says itself wins. */
export const PROFILES: Record<ProfileName, Raw> = {
  // Small footprint for a laptop or a shared dev cluster: one node, no PDB, small requests.
  dev: {
    qdrant: { replicas: 1, storage: { size: '2Gi' }, resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
    ollama: { storage: { size: '10Gi' }, resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } } },
    redis: { maxMemory: '64Mi', storage: { size: '1Gi' } },
    smoke: { vectors: 2000, queries: 50 },
  },
  // Highly available: three peers (PDB, spread over nodes and zones), a PriorityClass, nightly snapshots.
  prod: {
    qdrant: { replicas: 3 },
    snapshots: { enabled: true },
  },
};

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge where lists replace. */
export function mergeModels(...layers: Raw[]): Raw {
  return deepmerge.all(layers, { arrayMerge: (_target, source) => source }) as Raw;
}

/** The model with its profile's preset underneath (an unknown profile is left for validation to report). */
export function withProfile(model: Raw): Raw {
  return mergeModels(presetOf(model.profile), model);
}

/** The environments a raw model declares, as `[name, overrides]`; malformed entries are left for validation. */
export function rawEnvironments(model: unknown): [string, Raw][] {
  if (!isObject(model) || !isObject(model.environments)) return [];
  return Object.entries(model.environments).filter((entry): entry is [string, Raw] => isObject(entry[1]));
}

const presetOf = (profile: unknown): Raw =>
  typeof profile === 'string' && (PROFILE_NAMES as readonly string[]).includes(profile) ? PROFILES[profile as ProfileName] : {};

/** The raw model of one environment (without `environments`): see the layering above. */
export function environmentModel(model: Raw, name: string): Raw {
  const { environments, ...base } = model;
  const overrides = (environments as Record<string, Raw>)[name];
  return mergeModels(withProfile(base), presetOf(overrides.profile), overrides);
}
