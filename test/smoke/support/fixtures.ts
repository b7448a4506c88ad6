/** Shared fixtures: fast smoke options against the stand-ins (2,000 × 64 vectors, short backoff). */
import { SmokeInput, SmokeOptions, withDefaults } from '../../../src/smoke/options';
import type { CheckResult } from '../../../src/smoke/report';
import type { StandInCollection } from './qdrant-stand-in';

/** The API keys of the stand-in; tests assert these never appear in any output. */
export const ADMIN_KEY = 'admin-key-5f1e0c9a7b3d';
export const READ_ONLY_KEY = 'read-only-key-9c2b4e7f01a6';

/** Fast options: small seed, few queries, millisecond backoff, short deadline. */
export function fastOptions(url: string, extra: Partial<SmokeInput> = {}): SmokeOptions {
  return withDefaults({
    url,
    vectors: 2000,
    queries: 40,
    warmupQueries: 2,
    recallSample: 5,
    batchSize: 256,
    deadlineS: 5,
    requestTimeoutMs: 5000,
    backoff: { baseMs: 5, capMs: 50 },
    collections: [{ name: 'knowledge', vectorSize: 64, distance: 'Cosine' }],
    ...extra,
  });
}

/** An application collection of `size` dimensions with a few random points. */
export function appCollection(size = 64, points = 50): StandInCollection {
  return {
    vectors: { size, distance: 'Cosine' },
    points: Array.from({ length: points }, (_, i) => ({ id: i + 1, vector: Array.from({ length: size }, () => Math.random() - 0.5) })),
  };
}

/** The check of that name, or a failure naming the checks there are. */
export function checkNamed(checks: readonly CheckResult[], name: string): CheckResult {
  const c = checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check "${name}" (have: ${checks.map((x) => x.name).join(', ')})`);
  return c;
}
