/**
 * The last step of every chart, over the rendered objects (so it sees exactly what is applied):
 *
 * - Pods roll when what they read changes: each pod template gets `checksum/config`, a hash of the
 *   ConfigMaps it mounts or takes env from (their data) and of the Secret references it uses (names and keys,
 *   never values). A ConfigMap change alone restarts nothing (Helm's `checksum/config`).
 * - A changed Job is a new Job: its name ends in a hash of its spec. A Job's template is immutable, so plain
 *   `kubectl apply` refuses a changed Job under the same name ("field is immutable"), and never re-runs an
 *   unchanged one. Argo CD hooks and Flux `force` replace Jobs either way; the hash makes kubectl work too.
 */
import { podReferences, podTemplate } from '../apiserver';
import { objectName, shortHash } from '../naming';

/** A rendered object, loosely typed. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: any;
}

export const CONFIG_CHECKSUM_ANNOTATION = 'checksum/config';
const INSTANCE = 'app.kubernetes.io/instance';

/** The pod templates of the objects (as live references, to annotate them). */
function podTemplates(objects: readonly RenderedObject[]): any[] {
  return objects.flatMap((o) => podTemplate(o)?.template ?? []);
}

/** JSON with object keys sorted at every level: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

/**
 * The checksum of what a pod spec reads, or undefined when it reads nothing. A ConfigMap rendered beside it
 * counts with its content; one that is not (the user's) with its name only.
 */
export function configChecksum(spec: any, configMaps: ReadonlyMap<string, RenderedObject>): string | undefined {
  const refs = podReferences(spec);
  const configMapNames = [...new Set(refs.filter((r) => r.kind === 'ConfigMap').map((r) => r.name))].sort();
  const secretRefs = [...new Set(refs.filter((r) => r.kind === 'Secret').map((r) => (r.key ? `${r.name}/${r.key}` : r.name)))].sort();
  if (configMapNames.length === 0 && secretRefs.length === 0) return undefined;
  const content = configMapNames.map((name) => {
    const cm = configMaps.get(name);
    return cm ? { name, data: cm.data ?? {}, binaryData: cm.binaryData ?? {} } : { name };
  });
  return shortHash(canonicalJson({ configMaps: content, secretRefs }), 64);
}

/** Adds `checksum/config` to every pod template; `context` holds objects of other charts the pods may read. */
export function addConfigChecksums(objects: RenderedObject[], context: readonly RenderedObject[] = []): void {
  const configMaps = new Map([...context, ...objects].filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o]));
  for (const template of podTemplates(objects)) {
    const checksum = configChecksum(template.spec, configMaps);
    if (checksum) template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, [CONFIG_CHECKSUM_ANNOTATION]: checksum } };
  }
}

/**
 * Names every Job `<name>-<hash of its spec>` and moves its instance label along (Polaris: the instance
 * label matches the name). Selectors of the stack never use a Job's instance label.
 */
export function nameJobsByContent(objects: RenderedObject[]): void {
  for (const job of objects.filter((o) => o.kind === 'Job')) {
    const base = job.metadata.name;
    const name = objectName('Job', base, shortHash(canonicalJson(job.spec)));
    job.metadata.name = name;
    for (const labels of [job.metadata.labels, job.spec?.template?.metadata?.labels]) {
      if (labels?.[INSTANCE] === base) labels[INSTANCE] = name;
    }
  }
}

export const VERIFIED_RENDER_ANNOTATION = 'qdrant-stack/verifies';

/**
 * Marks the pod templates of `objects` with a hash of the render they verify (the smoke test verifies the
 * whole stack), so any change to the stack makes a new run — under plain kubectl too.
 */
export function markVerifiedRender(objects: RenderedObject[], verified: readonly RenderedObject[]): void {
  const checksum = shortHash(canonicalJson(verified), 64);
  for (const template of podTemplates(objects)) {
    template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, [VERIFIED_RENDER_ANNOTATION]: checksum } };
  }
}

/** Both steps, in order (the checksum is part of what names a Job). */
export function finalizeObjects(objects: RenderedObject[], context: readonly RenderedObject[] = []): RenderedObject[] {
  addConfigChecksums(objects, context);
  nameJobsByContent(objects);
  return objects;
}
