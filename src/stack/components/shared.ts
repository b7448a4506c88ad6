/** Small helpers the component descriptors share. */
import { k8s } from 'cdk8s-plus-27';
import type { PlanRow } from '../../config/plan';
import type { ComputedResources } from '../../config/resources';

export const tcp = (port: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });

/** A long-running workload's row in `plan`. */
export function resourceRow(component: string, replicas: number, r: ComputedResources, storage: string, note: string): PlanRow {
  return { component, replicas, cpuRequest: r.requests.cpu, cpuLimit: r.limits.cpu, memoryRequest: r.requests.memory, memoryLimit: r.limits.memory, storage, note };
}

/** A short-lived pod's row in `plan` (no storage, one at a time). */
export function jobRow(component: string, r: ComputedResources, note: string): PlanRow {
  return resourceRow(component, 1, r, '0', note);
}
