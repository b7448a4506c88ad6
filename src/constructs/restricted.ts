/**
 * The Pod Security Standards "restricted" profile, applied the same way to every pod of the stack.
 * cdk8s-plus-27 covers non-root, read-only root, no privilege escalation and capabilities; it has no
 * seccomp setting, no `ALL` capability and renders memory only in Mi, so those go through escape hatches
 * here, in one place.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import type { ComputedResources } from '../config/resources';
import { patchContainer } from './escape-hatches';


/** Pod-level security for an image's non-root user. */
export function restrictedPodSecurity(uid: number, gid: number): kplus.PodSecurityContextProps {
  return {
    ensureNonRoot: true,
    user: uid,
    group: gid,
    fsGroup: gid,
    // Only chown the volume when its root is not already ours: fast restarts on large volumes.
    fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
  };
}

/** Container-level security: read-only root, no escalation, every capability dropped. */
export function restrictedContainerSecurity(uid: number, gid: number): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user: uid,
    group: gid,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    // plus-27's Capability enum has no ALL (it renders `null`), yet ALL is what "restricted" requires.
    capabilities: { drop: ['ALL' as kplus.Capability] },
  };
}

/**
 * Adds what cdk8s-plus cannot express to a workload's pod template: seccomp RuntimeDefault, and exact
 * resource quantities for each container, by name (as given, e.g. `1536Mi` or `2G`, never reformatted).
 * @param podSpecPath JSON pointer of the pod spec, e.g. `/spec/template/spec` or `/spec/jobTemplate/spec/template/spec`.
 * @param resources requests and limits of every container and init container, by container name.
 */
export function finishRestrictedPod(
  workload: kplus.AbstractPod | kplus.Workload,
  podSpecPath: string,
  resources: Readonly<Record<string, ComputedResources>>,
): void {
  const obj = ApiObject.of(workload);
  obj.addJsonPatch(JsonPatch.add(`${podSpecPath}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }));
  // cdk8s-plus labels pods with its construct address; our selectors use the app.kubernetes.io labels.
  const templatePath = podSpecPath.replace(/\/spec$/, '');
  obj.addJsonPatch(JsonPatch.remove(`${templatePath}/metadata/labels/cdk8s.io~1metadata.addr`));
  // Quantity objects, not strings: string values in a JSON patch are dropped by the generated converters.
  const quantities = (r: ComputedResources) => ({
    requests: { cpu: k8s.Quantity.fromString(r.requests.cpu), memory: k8s.Quantity.fromString(r.requests.memory) },
    limits: { cpu: k8s.Quantity.fromString(r.limits.cpu), memory: k8s.Quantity.fromString(r.limits.memory) },
  });
  const unsized = [...workload.containers, ...workload.initContainers].map((c) => c.name).filter((name) => !resources[name]);
  if (unsized.length) throw new Error(`${workload.node.path}: no resources given for container ${unsized.join(', ')}`);
  for (const [name, r] of Object.entries(resources)) patchContainer(workload, podSpecPath, name, 'resources', quantities(r), 'replace');
}
