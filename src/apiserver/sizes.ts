/**
 * Object size against what client-side apply can store. `kubectl apply` (client-side) and Argo CD's default
 * sync copy the whole object into the `kubectl.kubernetes.io/last-applied-configuration` annotation, and all
 * annotations of an object may hold at most 262,144 bytes. Server-side apply has no such annotation; the
 * limit is then the ~1 MiB etcd request size.
 */
import { type Problem, describe, manifests } from './objects';
import { ANNOTATIONS_MAX_BYTES } from './names';

/** Roughly what etcd accepts per object (its default request limit is 1.5 MiB, including overhead). */
export const SERVER_SIDE_MAX_BYTES = 1024 * 1024;

/** Objects whose serialized JSON exceeds `limit` bytes (default 200,000: headroom under 262,144 for the
 *  object's own annotations, which the last-applied copy sits beside). */
export function sizeProblems(objects: readonly unknown[], limit = 200_000): Problem[] {
  const problems: Problem[] = [];
  for (const obj of manifests(objects)) {
    let bytes: number;
    try {
      bytes = Buffer.byteLength(JSON.stringify(obj));
    } catch {
      continue; // cyclic or BigInt: not a parsed manifest; nothing to measure
    }
    if (bytes <= limit) continue;
    const serverSide =
      bytes > SERVER_SIDE_MAX_BYTES
        ? `It is also above ~${SERVER_SIDE_MAX_BYTES} bytes, so even server-side apply fails (etcd "request is too large"): split it.`
        : `Server-side apply (\`kubectl apply --server-side\`, Argo CD sync option ServerSideApply=true; Flux always) stores no such copy and allows ~1 MiB, or split the object.`;
    problems.push({
      object: describe(obj),
      rule: 'object-too-large',
      message:
        `serialized object is ${bytes} bytes, above the ${limit}-byte limit: client-side \`kubectl apply\` (and Argo CD's default sync) ` +
        `copy it into the kubectl.kubernetes.io/last-applied-configuration annotation, and annotations may hold at most ${ANNOTATIONS_MAX_BYTES} bytes ` +
        `("metadata.annotations: Too long: must have at most ${ANNOTATIONS_MAX_BYTES} bytes"). ${serverSide}`,
    });
  }
  return problems;
}
