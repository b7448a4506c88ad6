/**
 * What a real Kubernetes API server (and apply, and Argo CD's sync order) enforces on rendered manifests
 * that a schema check passes. Pure functions over parsed objects; each returns `Problem[]` and never throws.
 *
 * Rule ids:
 * - names.ts: name-required, name-format, name-too-long, label-key, label-value, selector-operator,
 *   annotation-key, annotation-value, annotations-too-long
 * - sizes.ts: object-too-large
 * - values.ts: quantity, cron-schedule
 * - selectors.ts: service-selects-nothing, service-selects-several-workloads, pdb-selects-nothing,
 *   pdb-selects-several-workloads, workload-selector-required, workload-selector-mismatch,
 *   job-selector-not-manual, networkpolicy-selects-nothing, networkpolicy-peer-selects-nothing,
 *   servicemonitor-selects-nothing, servicemonitor-selects-several-services, servicemonitor-port-missing,
 *   backend-service-missing, backend-port-missing (Ingress and Gateway API route backends)
 * - waves.ts: wave-invalid, wave-pvc-before-consumer, wave-consumer-before-reference
 * - volumes.ts (between two renders; accepted by the API server, but data is left behind): data-volume-dropped,
 *   data-volume-replaced, data-volume-storage-class
 * - updates.ts: statefulset-spec-forbidden, selector-immutable, job-template-immutable,
 *   job-completion-mode-immutable, pvc-shrink, pvc-spec-immutable, service-clusterip-immutable,
 *   service-loadbalancerclass-immutable, immutable-unset, immutable-data, secret-type-immutable, rolebinding-roleref-immutable
 */
import { nameProblems } from './names';
import type { Problem } from './objects';
import { type SelectorOptions, selectorProblems } from './selectors';
import { sizeProblems } from './sizes';
import { waveProblems } from './waves';
import { valueProblems } from './values';

export { ANNOTATIONS_MAX_BYTES, labelValueErrors, nameProblems, qualifiedNameErrors } from './names';
export {
  type Manifest,
  type PodTemplate,
  type Problem,
  changedPaths,
  deepEqual,
  describe,
  identity,
  manifests,
  podTemplate,
  selectorMatches,
} from './objects';
export { compareQuantities, parseQuantity } from './quantity';
export { type SelectorOptions, selectorProblems } from './selectors';
export { SERVER_SIDE_MAX_BYTES, sizeProblems } from './sizes';
export { type ObjectDiff, diffObjects, updateProblems } from './updates';
export { dataVolumeProblems } from './volumes';
export { valueProblems } from './values';
export { type PodReference, type SyncPosition, podReferences, syncPosition, syncWave, waveProblems } from './waves';

export interface ApiServerOptions extends SelectorOptions {
  /** Serialized-size limit for client-side apply (default 200,000 bytes). */
  readonly sizeLimit?: number;
}

/** Names, sizes, quantities, cron schedules, selectors and sync waves of one rendered folder's objects. */
export function apiServerProblems(objects: readonly unknown[], options: ApiServerOptions = {}): Problem[] {
  return [...nameProblems(objects), ...sizeProblems(objects, options.sizeLimit), ...valueProblems(objects), ...selectorProblems(objects, options), ...waveProblems(objects)];
}
