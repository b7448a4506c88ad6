/**
 * What the API server refuses when a new render is applied over an old one (ValidateStatefulSetUpdate,
 * ValidateDeploymentUpdate & co., ValidateJobUpdate, ValidatePersistentVolumeClaimUpdate,
 * ValidateServiceUpdate, ValidateConfigMapUpdate / ValidateSecretUpdate, ValidateRoleBindingUpdate), each
 * with a remedy. Objects are paired by API group, kind, namespace and name; the version may change.
 */
import {
  type Difference,
  type Manifest,
  type Problem,
  type Rec,
  arr,
  changedPaths,
  deepEqual,
  describe,
  differences,
  get,
  groupOf,
  identity,
  isRec,
  kindOf,
  manifests,
  nameOf,
  namespaceOf,
  rec,
  show,
  str,
} from './objects';
import { compareQuantities } from './quantity';

export interface ObjectDiff {
  /** `Kind ns/name` of objects only in the new render. */
  readonly added: string[];
  /** Only in the old render (an apply with pruning deletes them). */
  readonly removed: string[];
  /** In both and different, with the dotted paths that differ. */
  readonly changed: { readonly object: string; readonly paths: string[] }[];
  readonly unchanged: string[];
}

function byIdentity(objects: readonly unknown[]): Map<string, Manifest> {
  const map = new Map<string, Manifest>();
  for (const obj of manifests(objects)) if (!map.has(identity(obj))) map.set(identity(obj), obj);
  return map;
}

/** Added / removed / changed objects between two renders (for a `plan`). */
export function diffObjects(before: readonly unknown[], after: readonly unknown[]): ObjectDiff {
  const old = byIdentity(before);
  const now = byIdentity(after);
  const diff: ObjectDiff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const [id, obj] of now) {
    const prev = old.get(id);
    if (!prev) diff.added.push(describe(obj));
    else if (deepEqual(prev, obj)) diff.unchanged.push(describe(obj));
    else diff.changed.push({ object: describe(obj), paths: changedPaths(prev, obj) });
  }
  for (const [id, obj] of old) if (!now.has(id)) diff.removed.push(describe(obj));
  return diff;
}

const pick = (value: unknown): Rec => ({ ...(rec(value) ?? {}) });
const omit = (value: unknown, ...keys: string[]): Rec => {
  const out = pick(value);
  for (const k of keys) delete out[k];
  return out;
};
const line = (d: Difference) => `${d.path}: ${show(d.before, 60)} → ${show(d.after, 60)}`;

/** Everything the API server would refuse when `after` is applied over `before`. */
export function updateProblems(before: readonly unknown[], after: readonly unknown[]): Problem[] {
  const old = byIdentity(before);
  const problems: Problem[] = [];
  for (const [id, now] of byIdentity(after)) {
    const prev = old.get(id);
    if (!prev || deepEqual(prev, now)) continue;
    const object = describe(now);
    for (const [rule, message] of objectUpdateProblems(prev, now)) problems.push({ object, rule, message });
  }
  return problems;
}

function objectUpdateProblems(prev: Manifest, now: Manifest): [string, string][] {
  const group = groupOf(now);
  const kind = kindOf(now);
  const ns = namespaceOf(now);
  const name = nameOf(now) ?? '';
  const kubectl = `kubectl${ns ? ` -n ${ns}` : ''}`;
  const out: [string, string][] = [];

  if (group === 'apps' && kind === 'StatefulSet') {
    const issue = statefulSetProblem(prev, now, `${kubectl} delete statefulset ${name} --cascade=orphan`);
    if (issue) out.push(['statefulset-spec-forbidden', issue]);
    return out;
  }

  if (group === 'apps' && ['Deployment', 'DaemonSet', 'ReplicaSet'].includes(kind)) {
    if (!deepEqual(get(prev, 'spec', 'selector'), get(now, 'spec', 'selector'))) {
      out.push([
        'selector-immutable',
        `spec.selector changed (${show(get(prev, 'spec', 'selector'))} → ${show(get(now, 'spec', 'selector'))}): the API server says "spec.selector: Invalid value: field is immutable". ` +
          `Delete and re-create it (\`${kubectl} delete ${kind.toLowerCase()} ${name} --cascade=orphan\`, apply, then delete the orphaned old pods), or give it a new name.`,
      ]);
    }
    return out;
  }

  if (group === 'batch' && kind === 'Job') {
    const recreate =
      `A changed Job must be a new Job: give it a new name (e.g. suffix a hash of its template) or delete the old one first (\`${kubectl} delete job ${name}\`); ` +
      `an Argo CD hook with hook-delete-policy BeforeHookCreation and Flux's \`kustomize.toolkit.fluxcd.io/force: enabled\` re-create it, a plain \`kubectl apply\` fails.`;
    const template = differences(get(prev, 'spec', 'template'), get(now, 'spec', 'template'), 'spec.template');
    if (template.length > 0) {
      out.push(['job-template-immutable', `${template.slice(0, 5).map(line).join('; ')}${template.length > 5 ? `; … ${template.length - 5} more` : ''}: the API server says "spec.template: Invalid value: field is immutable". ${recreate}`]);
    }
    if (!deepEqual(get(prev, 'spec', 'selector'), get(now, 'spec', 'selector'))) {
      out.push(['selector-immutable', `spec.selector changed (${show(get(prev, 'spec', 'selector'))} → ${show(get(now, 'spec', 'selector'))}): "spec.selector: Invalid value: field is immutable". ${recreate}`]);
    }
    const mode = (o: Manifest) => str(get(o, 'spec', 'completionMode')) ?? 'NonIndexed';
    if (mode(prev) !== mode(now)) {
      out.push(['job-completion-mode-immutable', `spec.completionMode ${mode(prev)} → ${mode(now)}: "spec.completionMode: Invalid value: field is immutable". ${recreate}`]);
    }
    return out;
  }

  if (group === '' && kind === 'PersistentVolumeClaim') return pvcProblems(prev, now);
  if (group === '' && kind === 'Service') return serviceProblems(prev, now, `${kubectl} delete service ${name}`);

  if (group === '' && (kind === 'ConfigMap' || kind === 'Secret')) {
    const remedy =
      `Give the new content a new name (e.g. suffix a hash of the data, as kustomize's generators do) and point the workloads at it, or delete and re-create it (\`${kubectl} delete ${kind.toLowerCase()} ${name}\`; running pods keep the old content until restarted).`;
    if (get(prev, 'immutable') === true) {
      if (get(now, 'immutable') !== true) {
        out.push(['immutable-unset', `immutable: true → ${show(get(now, 'immutable'))}: the API server says "immutable: Forbidden: field is immutable when \`immutable\` is set". ${remedy}`]);
      }
      const changed = changedPaths(effectiveData(prev), effectiveData(now));
      if (changed.length > 0) {
        out.push(['immutable-data', `${changed.slice(0, 5).join(', ')} changed on an object with immutable: true: the API server says "data: Forbidden: field is immutable when \`immutable\` is set". ${remedy}`]);
      }
    }
    if (kind === 'Secret') {
      const type = (o: Manifest) => str(get(o, 'type')) ?? 'Opaque';
      if (type(prev) !== type(now)) {
        out.push(['secret-type-immutable', `type ${type(prev)} → ${type(now)}: the API server says "type: Invalid value: field is immutable". Delete and re-create it (\`${kubectl} delete secret ${name}\`), or use a new name.`]);
      }
    }
    return out;
  }

  if (group === 'rbac.authorization.k8s.io' && (kind === 'RoleBinding' || kind === 'ClusterRoleBinding')) {
    if (!deepEqual(get(prev, 'roleRef'), get(now, 'roleRef'))) {
      out.push([
        'rolebinding-roleref-immutable',
        `roleRef ${show(get(prev, 'roleRef'))} → ${show(get(now, 'roleRef'))}: the API server says "roleRef: Invalid value: cannot change roleRef". ` +
          `Delete and re-create the binding (\`${kubectl} delete ${kind.toLowerCase()} ${name}\`, then apply; \`kubectl auth reconcile -f\` does both), or give it a new name.`,
      ]);
    }
  }
  return out;
}

const STATEFULSET_MUTABLE = ['replicas', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'ordinals'];

/** A claim template as the API server stores it: defaults filled, type and status fields dropped. */
function normalClaim(claim: unknown): Rec {
  const out = omit(claim, 'apiVersion', 'kind', 'status');
  const spec = pick(out.spec);
  spec.volumeMode ??= 'Filesystem';
  out.spec = spec;
  return out;
}

function statefulSetProblem(prev: Manifest, now: Manifest, orphanDelete: string): string | undefined {
  const frozen = (o: Manifest): Rec => {
    const spec = omit(get(o, 'spec'), ...STATEFULSET_MUTABLE);
    spec.podManagementPolicy ??= 'OrderedReady';
    spec.volumeClaimTemplates = arr(spec.volumeClaimTemplates).map(normalClaim);
    return spec;
  };
  const a = frozen(prev);
  const b = frozen(now);
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !deepEqual(a[k], b[k])).sort();
  if (fields.length === 0) return undefined;

  const details: string[] = [];
  let storage: 'grown' | 'shrunk' | undefined;
  for (const field of fields) {
    if (field !== 'volumeClaimTemplates') {
      details.push(line({ path: `spec.${field}`, before: a[field], after: b[field] }));
      continue;
    }
    const claims = (list: unknown) => new Map(arr(list).map((c, i) => [str(get(c, 'metadata', 'name')) ?? `#${i}`, c] as const));
    const oldClaims = claims(a.volumeClaimTemplates);
    const newClaims = claims(b.volumeClaimTemplates);
    for (const [claim, template] of newClaims) {
      const previous = oldClaims.get(claim);
      if (!previous) {
        details.push(`spec.volumeClaimTemplates[${claim}] added`);
        continue;
      }
      for (const d of differences(previous, template, `spec.volumeClaimTemplates[${claim}]`)) {
        details.push(line(d));
        if (d.path.endsWith('spec.resources.requests.storage')) {
          const order = compareQuantities(d.before, d.after);
          storage = order === 1 ? 'shrunk' : order === -1 ? 'grown' : storage;
        }
      }
    }
    for (const claim of oldClaims.keys()) if (!newClaims.has(claim)) details.push(`spec.volumeClaimTemplates[${claim}] removed`);
  }

  const resize =
    storage === 'grown'
      ? 'To resize the existing claims, patch each PVC (`kubectl patch pvc <template>-<statefulset>-<ordinal> -p \'{"spec":{"resources":{"requests":{"storage":"<new size>"}}}}\'`; storage only grows, and the StorageClass must have allowVolumeExpansion: true), then '
      : storage === 'shrunk'
        ? 'A claim cannot shrink: existing PVCs keep their size whatever the template says. Otherwise, '
        : 'Existing PVCs keep their old labels and sizes (patch them by hand if needed). ';
  return (
    `${fields.map((f) => `spec.${f}`).join(', ')} changed (${details.slice(0, 6).join('; ')}${details.length > 6 ? `; … ${details.length - 6} more` : ''}): ` +
    `the API server says "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden". ` +
    `${resize}\`${orphanDelete}\` and re-apply: the pods and their claims keep running and the new StatefulSet adopts them.`
  );
}

function pvcProblems(prev: Manifest, now: Manifest): [string, string][] {
  const out: [string, string][] = [];
  const size = (o: Manifest) => get(o, 'spec', 'resources', 'requests', 'storage');
  if (compareQuantities(size(prev), size(now)) === 1) {
    out.push([
      'pvc-shrink',
      `spec.resources.requests.storage ${show(size(prev))} → ${show(size(now))}: a claim cannot shrink ("spec.resources.requests.storage: Forbidden: field can not be less than previous value"). ` +
        `Keep ${show(size(prev))}, or move the data to a new, smaller claim (new name).`,
    ]);
  }
  // Everything else but storage and volumeAttributesClassName is frozen once the claim exists.
  const frozen = (o: Manifest): Rec => {
    const spec = omit(get(o, 'spec'), 'volumeAttributesClassName');
    spec.volumeMode ??= 'Filesystem';
    const resources = pick(spec.resources);
    const requests = omit(resources.requests, 'storage');
    if (Object.keys(requests).length > 0) resources.requests = requests;
    else delete resources.requests;
    if (Object.keys(resources).length > 0) spec.resources = resources;
    else delete spec.resources;
    return spec;
  };
  const changed = differences(frozen(prev), frozen(now), 'spec');
  if (changed.length > 0) {
    const classAdded = changed.some((d) => d.path === 'spec.storageClassName' && d.before === undefined);
    out.push([
      'pvc-spec-immutable',
      `${changed.map(line).join('; ')}: the API server says "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"` +
        `${classAdded ? ' (unless the new storageClassName is the default class the cluster assigned)' : ''}. ` +
        'Create a new claim under a new name and copy the data, or delete and re-create this one (its data goes with it if the reclaim policy is Delete).',
    ]);
  }
  return out;
}

function serviceProblems(prev: Manifest, now: Manifest, deleteCmd: string): [string, string][] {
  const remedy = `Delete and re-create the Service (\`${deleteCmd}\`, then apply; clients see a new IP) or give it a new name.`;
  const ip = (o: Manifest) => get(o, 'spec', 'clusterIP');
  const ips = (o: Manifest) => get(o, 'spec', 'clusterIPs');
  const out: [string, string][] = [];
  for (const [field, a, b] of [['clusterIP', ip(prev), ip(now)], ['clusterIPs', ips(prev), ips(now)]] as const) {
    if (deepEqual(a, b)) continue;
    if (field === 'clusterIPs' && out.length > 0) continue; // one report per Service
    const message =
      b === undefined || b === '' || (Array.isArray(b) && b.length === 0)
        ? // patchAllocatedValues: an empty clusterIP on update keeps the stored one
          `spec.${field} ${show(a)} → absent: the API server keeps the stored value, so the Service stays ${a === 'None' || (Array.isArray(a) && a[0] === 'None') ? 'headless' : `on ${show(a)}`} while the render says otherwise (clusterIP may not change once set). ${remedy}`
        : a === undefined
          ? `spec.${field} absent → ${show(b)}: the existing Service already has a cluster IP allocated (or None); unless it is exactly ${show(b)}, the API server says "spec.clusterIPs[0]: Invalid value: field is immutable". ${remedy}`
          : `spec.${field} ${show(a)} → ${show(b)}: the API server says "spec.clusterIPs[0]: Invalid value: field is immutable" (a headless Service cannot become a normal one or back). ${remedy}`;
    out.push(['service-clusterip-immutable', message]);
  }
  // ValidateServiceUpdate: a load balancer's class is fixed while the Service stays a LoadBalancer.
  const lbClass = (o: Manifest) => get(o, 'spec', 'loadBalancerClass');
  const lb = (o: Manifest) => get(o, 'spec', 'type') === 'LoadBalancer';
  if (lb(prev) && lb(now) && !deepEqual(lbClass(prev), lbClass(now))) {
    out.push([
      'service-loadbalancerclass-immutable',
      `spec.loadBalancerClass ${show(lbClass(prev))} → ${show(lbClass(now))}: the API server says "spec.loadBalancerClass: Invalid value: field is immutable". ${remedy} (the load balancer and its address are replaced)`,
    ]);
  }
  return out;
}

/** A ConfigMap's or Secret's content as stored: `stringData` is merged into `data` (base64) on write. */
function effectiveData(o: Manifest): Rec {
  const data = pick(get(o, 'data'));
  const stringData = get(o, 'stringData');
  if (isRec(stringData)) for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  return { data, binaryData: pick(get(o, 'binaryData')) };
}
