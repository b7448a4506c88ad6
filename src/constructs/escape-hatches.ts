/**
 * Escape hatches keyed by name, never by position: what cdk8s-plus cannot say goes through a JSON patch,
 * and the patch finds its container or Service port by name, so adding a sidecar or a port can never
 * make a patch land on the wrong one.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

type PodOwner = kplus.AbstractPod | kplus.Workload;

/** JSON pointer of the container (or init container) `name` under `podSpecPath`; throws naming the ones there are. */
export function containerPath(workload: PodOwner, podSpecPath: string, name: string): string {
  const main = workload.containers.findIndex((c) => c.name === name);
  if (main >= 0) return `${podSpecPath}/containers/${main}`;
  const init = workload.initContainers.findIndex((c) => c.name === name);
  if (init >= 0) return `${podSpecPath}/initContainers/${init}`;
  const known = [...workload.containers, ...workload.initContainers].map((c) => c.name).join(', ');
  throw new Error(`${workload.node.path}: no container named '${name}' (containers: ${known || 'none'})`);
}

/** Adds (or replaces) `value` at `path` inside container `name`, e.g. `resources/limits/nvidia.com~1gpu`. */
export function patchContainer(workload: PodOwner, podSpecPath: string, name: string, path: string, value: unknown, op: 'add' | 'replace' = 'add'): void {
  const pointer = `${containerPath(workload, podSpecPath, name)}/${path}`;
  ApiObject.of(workload).addJsonPatch(op === 'add' ? JsonPatch.add(pointer, value) : JsonPatch.replace(pointer, value));
}

/** Adds `value` at `path` inside the Service port named `port`, e.g. `appProtocol`. */
export function patchServicePort(service: kplus.Service, port: string, path: string, value: unknown): void {
  const index = service.ports.findIndex((p) => p.name === port);
  if (index < 0) throw new Error(`${service.node.path}: no port named '${port}' (ports: ${service.ports.map((p) => p.name).join(', ')})`);
  ApiObject.of(service).addJsonPatch(JsonPatch.add(`/spec/ports/${index}/${path}`, value));
}
