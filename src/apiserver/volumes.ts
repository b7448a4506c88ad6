/**
 * Changes between two renders that would replace or orphan a data volume. The API server accepts them —
 * that is the danger: a Deployment swapped for a StatefulSet gets new, empty per-peer claims; a renamed or
 * dropped claim leaves the data on a volume no pod uses; a claim in another namespace starts empty.
 * (The claims themselves survive: they carry the keep-on-prune annotations.)
 */
import { arr, describe, get, kindOf, manifests, nameOf, namespaceOf, podTemplate, type Manifest, type Problem, str } from './objects';

/** A data volume as a render asks for it: a claim, or the claims of a StatefulSet's claim template. */
interface DataVolume {
  /** Stable identity across renders. */
  readonly id: string;
  /** How a person reads it. */
  readonly label: string;
  readonly storageClass?: string;
  /** The workload that mounts it. */
  readonly usedBy?: Manifest;
}

function volumesOf(objects: readonly Manifest[]): Map<string, DataVolume> {
  const volumes = new Map<string, DataVolume>();
  const users = new Map<string, Manifest>();
  for (const o of objects) {
    const claims = arr(get(podTemplate(o)?.spec, 'volumes')).map((v) => str(get(v, 'persistentVolumeClaim', 'claimName'))).filter((c): c is string => !!c);
    for (const claim of claims) users.set(`${namespaceOf(o) ?? ''}/${claim}`, o);
  }
  for (const o of objects) {
    const ns = namespaceOf(o) ?? '';
    if (kindOf(o) === 'PersistentVolumeClaim') {
      const key = `${ns}/${nameOf(o)}`;
      volumes.set(`claim ${key}`, { id: `claim ${key}`, label: describe(o), storageClass: str(get(o, 'spec', 'storageClassName')), usedBy: users.get(key) });
    }
    if (kindOf(o) === 'StatefulSet') {
      for (const t of arr(get(o, 'spec', 'volumeClaimTemplates'))) {
        const template = str(get(t, 'metadata', 'name'));
        const id = `claims ${ns}/${template}-${nameOf(o)}-*`;
        volumes.set(id, { id, label: `the "${template}" claims of ${describe(o)} (${template}-${nameOf(o)}-N)`, storageClass: str(get(t, 'spec', 'storageClassName')), usedBy: o });
      }
    }
  }
  return volumes;
}

/** What a workload has become in `objects`: another workload kind under the same namespace and name. */
function successor(objects: readonly Manifest[], workload: Manifest | undefined): Manifest | undefined {
  if (!workload) return undefined;
  return objects.find(
    (o) => ['Deployment', 'StatefulSet'].includes(kindOf(o)) && kindOf(o) !== kindOf(workload) && nameOf(o) === nameOf(workload) && namespaceOf(o) === namespaceOf(workload),
  );
}

/**
 * Data volumes of `before` that `after` replaces, drops or moves. Each is a change a user must acknowledge
 * (`--allow-data-migration`) after moving the data (README: "Moving data").
 */
export function dataVolumeProblems(before: readonly unknown[], after: readonly unknown[]): Problem[] {
  const next = manifests(after);
  const old = volumesOf(manifests(before));
  const now = volumesOf(next);
  const problems: Problem[] = [];
  for (const [id, volume] of old) {
    const kept = now.get(id);
    if (kept) {
      if (kept.storageClass !== volume.storageClass) {
        problems.push({
          object: volume.label,
          rule: 'data-volume-storage-class',
          message: `storage class ${volume.storageClass ?? '(cluster default)'} → ${kept.storageClass ?? '(cluster default)'}: a claim's class cannot change; the data stays on the old volume, a new claim would start empty`,
        });
      }
      continue;
    }
    const swapped = successor(next, volume.usedBy);
    problems.push({
      object: volume.label,
      rule: swapped ? 'data-volume-replaced' : 'data-volume-dropped',
      message: swapped
        ? `${describe(volume.usedBy!)} becomes ${describe(swapped)}: its peers get new, empty volumes and the data on this one is not carried over — snapshot, scale out, then recover (README: "From a single node to a cluster")`
        : `no longer used by the render${volume.usedBy ? ` (it was ${describe(volume.usedBy)}'s)` : ''}: the claim stays (it is never pruned) but nothing mounts it, and what replaces it starts empty`,
    });
  }
  return problems;
}
