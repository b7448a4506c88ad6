/**
 * Argo CD sync order (gitops-engine): tasks run by phase (PreSync, Sync, PostSync), then by wave
 * (`argocd.argoproj.io/sync-wave`, else `helm.sh/hook-weight`, else 0), and Argo CD waits until a wave is
 * healthy before the next. Regular objects are in the Sync phase; hooks (`argocd.argoproj.io/hook`, or a
 * `helm.sh/hook` of pre/post-install/upgrade) run in their own phase, Sync hooks among the Sync waves.
 * Two ways this hangs a first sync:
 * - a PVC on a WaitForFirstConsumer StorageClass (default on EKS gp3, GKE, AKS) stays Pending, which
 *   Argo CD reports as Progressing, until a pod uses it: a PVC earlier than all its consumers blocks;
 * - a pod referencing a Secret, ConfigMap, PVC or ServiceAccount that a later wave creates cannot start
 *   (CreateContainerConfigError / Pending / FailedCreate), so its own wave never becomes healthy.
 */
import { type Manifest, type Problem, annotationsOf, arr, describe, get, groupOf, kindOf, manifests, nameOf, podTemplate, sameNamespace, str } from './objects';

const PHASES = ['PreSync', 'Sync', 'PostSync'] as const;
type Phase = (typeof PHASES)[number];

/** Helm hook types Argo CD maps to its own phases (gitops-engine hook/helm/type.go); others are ignored. */
const HELM_HOOKS: Record<string, Phase> = {
  'pre-install': 'PreSync',
  'pre-upgrade': 'PreSync',
  'post-install': 'PostSync',
  'post-upgrade': 'PostSync',
};

export interface SyncPosition {
  readonly phase: Phase;
  readonly wave: number;
  readonly hook: boolean;
}

const csv = (text: string | undefined) => (text ?? '').split(',').map((t) => t.trim()).filter(Boolean);

/** The wave as Argo CD reads it: an invalid sync-wave falls back to the Helm hook weight, then 0. */
export function syncWave(obj: Manifest): number {
  const annotations = annotationsOf(obj);
  for (const key of ['argocd.argoproj.io/sync-wave', 'helm.sh/hook-weight']) {
    const text = annotations[key];
    if (text !== undefined && /^[+-]?\d+$/.test(text)) return Number.parseInt(text, 10);
  }
  return 0;
}

/** When Argo CD applies the object in a sync; undefined when it does not (a `Skip` hook, or only
 *  SyncFail / PostDelete hooks, which run outside a normal sync). The earliest phase of a multi-phase hook. */
export function syncPosition(obj: Manifest): SyncPosition | undefined {
  const annotations = annotationsOf(obj);
  const argo = csv(annotations['argocd.argoproj.io/hook']);
  const types = argo.length > 0 ? argo : csv(annotations['helm.sh/hook']).flatMap((t) => (HELM_HOOKS[t] ? [HELM_HOOKS[t]] : []));
  const wave = syncWave(obj);
  if (types.length === 0) return { phase: 'Sync', wave, hook: false };
  const phases = PHASES.filter((p) => types.includes(p));
  if (phases.length === 0) return undefined;
  return { phase: phases[0], wave, hook: true };
}

function before(a: SyncPosition, b: SyncPosition): boolean {
  const pa = PHASES.indexOf(a.phase);
  const pb = PHASES.indexOf(b.phase);
  return pa < pb || (pa === pb && a.wave < b.wave);
}

function where(p: SyncPosition): string {
  return p.hook ? `${p.phase} hook, wave ${p.wave}` : `wave ${p.wave}`;
}

export interface PodReference {
  readonly kind: 'Secret' | 'ConfigMap' | 'PersistentVolumeClaim' | 'ServiceAccount';
  readonly name: string;
  /** The data key, for a single-key reference (`secretKeyRef`, `configMapKeyRef`). */
  readonly key?: string;
  readonly via: string;
  /** `optional: true`: the pod starts without it. */
  readonly optional: boolean;
}

/** What a pod spec reads from other objects: volumes, env and envFrom of every container, its ServiceAccount. */
export function podReferences(spec: unknown): PodReference[] {
  const refs: PodReference[] = [];
  const push = (kind: PodReference['kind'], name: unknown, via: string, optional?: unknown, key?: unknown) => {
    if (typeof name === 'string' && name) refs.push({ kind, name, via, optional: optional === true, ...(typeof key === 'string' ? { key } : {}) });
  };
  arr(get(spec, 'volumes')).forEach((v, i) => {
    const at = `volumes[${i}]`;
    push('PersistentVolumeClaim', get(v, 'persistentVolumeClaim', 'claimName'), `${at}.persistentVolumeClaim`);
    push('Secret', get(v, 'secret', 'secretName'), `${at}.secret`, get(v, 'secret', 'optional'));
    push('ConfigMap', get(v, 'configMap', 'name'), `${at}.configMap`, get(v, 'configMap', 'optional'));
    arr(get(v, 'projected', 'sources')).forEach((s, j) => {
      push('Secret', get(s, 'secret', 'name'), `${at}.projected.sources[${j}].secret`, get(s, 'secret', 'optional'));
      push('ConfigMap', get(s, 'configMap', 'name'), `${at}.projected.sources[${j}].configMap`, get(s, 'configMap', 'optional'));
    });
  });
  for (const list of ['initContainers', 'containers'] as const) {
    arr(get(spec, list)).forEach((c, i) => {
      const at = `${list}[${i}]`;
      arr(get(c, 'env')).forEach((e, j) => {
        const secret = get(e, 'valueFrom', 'secretKeyRef');
        const config = get(e, 'valueFrom', 'configMapKeyRef');
        push('Secret', get(secret, 'name'), `${at}.env[${j}].valueFrom.secretKeyRef`, get(secret, 'optional'), get(secret, 'key'));
        push('ConfigMap', get(config, 'name'), `${at}.env[${j}].valueFrom.configMapKeyRef`, get(config, 'optional'), get(config, 'key'));
      });
      arr(get(c, 'envFrom')).forEach((e, j) => {
        push('Secret', get(e, 'secretRef', 'name'), `${at}.envFrom[${j}].secretRef`, get(e, 'secretRef', 'optional'));
        push('ConfigMap', get(e, 'configMapRef', 'name'), `${at}.envFrom[${j}].configMapRef`, get(e, 'configMapRef', 'optional'));
      });
    });
  }
  push('ServiceAccount', str(get(spec, 'serviceAccountName')) ?? get(spec, 'serviceAccount'), 'serviceAccountName');
  return refs;
}

const WHY: Record<PodReference['kind'], string> = {
  Secret: 'its pods cannot start (CreateContainerConfigError, or the volume cannot mount)',
  ConfigMap: 'its pods cannot start (CreateContainerConfigError, or the volume cannot mount)',
  PersistentVolumeClaim: 'its pods stay Pending ("persistentvolumeclaim not found")',
  ServiceAccount: 'no pod can be created (FailedCreate: "serviceaccount not found")',
};

/** Sync-wave order of PVCs, Secrets, ConfigMaps and ServiceAccounts against the pods that use them. */
export function waveProblems(objects: readonly unknown[]): Problem[] {
  const all = manifests(objects);
  const problems: Problem[] = [];

  for (const obj of all) {
    const text = annotationsOf(obj)['argocd.argoproj.io/sync-wave'];
    if (text !== undefined && !/^[+-]?\d+$/.test(text)) {
      problems.push({ object: describe(obj), rule: 'wave-invalid', message: `argocd.argoproj.io/sync-wave "${text}" is not an integer: Argo CD ignores it and uses wave ${syncWave(obj)}` });
    }
  }

  const rendered = (kind: string, name: string, near: Manifest) =>
    all.find((o) => groupOf(o) === '' && kindOf(o) === kind && nameOf(o) === name && sameNamespace(o, near));

  // consumers of each rendered PVC, with their positions
  const consumers = new Map<Manifest, { object: string; position: SyncPosition }[]>();
  for (const workload of all) {
    const template = podTemplate(workload);
    const position = syncPosition(workload);
    if (!template || !position) continue;
    const object = describe(workload);
    // An optional reference does not keep a pod from starting.
    for (const ref of podReferences(template.spec).filter((r) => !r.optional)) {
      const target = rendered(ref.kind, ref.name, workload);
      const targetPosition = target && syncPosition(target);
      if (!target || !targetPosition) continue; // not rendered here: someone else's, ignored
      if (ref.kind === 'PersistentVolumeClaim') {
        consumers.set(target, [...(consumers.get(target) ?? []), { object, position }]);
      }
      if (before(position, targetPosition)) {
        problems.push({
          object,
          rule: 'wave-consumer-before-reference',
          message:
            `${template.path ? `${template.path}.spec.` : 'spec.'}${ref.via} needs ${describe(target)}, which Argo CD applies later (${where(targetPosition)}) than this ${where(position)}: ` +
            `on a first sync ${WHY[ref.kind]}, this wave never becomes healthy and the sync hangs. Put ${describe(target)} in this wave or an earlier one.`,
        });
      }
    }
  }

  for (const [pvc, users] of consumers) {
    const position = syncPosition(pvc);
    if (!position) continue;
    const first = users.reduce((a, b) => (before(b.position, a.position) ? b : a));
    if (before(position, first.position)) {
      problems.push({
        object: describe(pvc),
        rule: 'wave-pvc-before-consumer',
        message:
          `the claim is in ${where(position)} but its first consumer ${first.object} is in ${where(first.position)}: on a WaitForFirstConsumer StorageClass ` +
          `(the default on EKS gp3, GKE, AKS) the claim stays Pending until a pod uses it, Argo CD reports it Progressing and never moves past its wave, so the sync hangs. ` +
          (first.position.phase === position.phase
            ? `Put the PVC in the same wave as ${first.object}.`
            : `Argo CD starts the ${first.position.phase} phase only once every Sync-phase object is healthy: give the hook an ephemeral volume (or emptyDir) instead, or mount the claim from a Sync-phase workload in its wave.`),
      });
    }
  }
  return problems;
}
