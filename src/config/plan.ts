/**
 * What a stack asks of a cluster: CPU, memory and storage per component and in total, with the inputs of
 * Qdrant's sizing formula, so a reviewer sees what a change costs. Pure: the CLI formats it.
 */
import { formatBytes, formatCpu, parseBytes, parseCpu } from './quantity';
import { JOB_RESOURCES, qdrantMemoryBytes, qdrantResources, sizingDimensions } from './resources';
import type { StackComponent } from '../stack/component';
import { COMPONENTS, enabledComponents } from '../stack/components';
import { jobRow } from '../stack/components/shared';
import type { StackConfig } from './schema';
import { replicationFactorOf } from './cluster';
import { collectionEstimate } from './collection-sizing';

export interface PlanRow {
  readonly component: string;
  readonly replicas: number;
  readonly cpuRequest: string;
  readonly cpuLimit: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
  /** Persistent storage per replica. */
  readonly storage: string;
  readonly note: string;
}

export interface Plan {
  readonly rows: PlanRow[];
  /** Long-running components × replicas. */
  readonly total: Omit<PlanRow, 'component' | 'replicas' | 'note'>;
  /** Short-lived pods, not in the total (at most one at a time of each). */
  readonly jobs: PlanRow[];
  /** How Qdrant's memory request came about. */
  readonly sizing: string;
  /** Copies of each shard per collection (2 by default in distributed mode). */
  readonly collections: {
    readonly name: string;
    readonly replicationFactor: number;
    readonly defaulted: boolean;
    /** With qdrant.sizing: RAM (× 1.5) and disk at `sizing.vectors` points, and each vector's layout. */
    readonly ram?: string;
    readonly disk?: string;
    readonly layout?: string[];
  }[];
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export function plan(config: StackConfig, components: readonly StackComponent[] = COMPONENTS): Plan {
  const planned = enabledComponents(config, components).map((c) => c.plan(config));
  const rows: PlanRow[] = planned.flatMap((p) => [...p.rows]);
  // Every component counts: a value that cannot be read is a bug to report, never a silent 0 in the total.
  const times = (row: PlanRow, q: (r: PlanRow) => string, parse: (s: string) => number | undefined) => {
    const value = parse(q(row));
    if (value === undefined) throw new Error(`plan: cannot add up ${row.component}'s "${q(row)}"`);
    return row.replicas * value;
  };
  const total = {
    cpuRequest: formatCpu(sum(rows.map((r) => times(r, (x) => x.cpuRequest, parseCpu)))),
    cpuLimit: formatCpu(sum(rows.map((r) => times(r, (x) => x.cpuLimit, parseCpu)))),
    memoryRequest: formatBytes(sum(rows.map((r) => times(r, (x) => x.memoryRequest, parseBytes)))),
    memoryLimit: formatBytes(sum(rows.map((r) => times(r, (x) => x.memoryLimit, parseBytes)))),
    storage: formatBytes(sum(rows.map((r) => times(r, (x) => x.storage, parseBytes)))),
  };
  const jobs = [
    jobRow('secret-generator', JOB_RESOURCES.secretGenerator, 'each sync'),
    ...planned.flatMap((p) => [...p.jobs]),
    ...(config.smoke.enabled ? [jobRow('smoke', JOB_RESOURCES.smoke, 'after each sync')] : []),
  ];
  const points = config.qdrant.sizing?.vectors;
  const collections = config.qdrant.collections.map((c) => {
    const estimate = points === undefined ? undefined : collectionEstimate(c, points);
    return {
      name: c.name,
      replicationFactor: replicationFactorOf(c, config),
      defaulted: c.replicationFactor === undefined,
      ...(estimate ? { ram: formatBytes(estimate.ramBytes), disk: formatBytes(estimate.diskBytes), layout: estimate.layout } : {}),
    };
  });
  return { rows, total, jobs, sizing: sizingExplanation(config), collections };
}

function sizingExplanation(config: StackConfig): string {
  const q = config.qdrant;
  const overridden = q.resources?.requests?.memory ? ` (overridden: qdrant.resources.requests.memory ${q.resources.requests.memory})` : '';
  const dims = sizingDimensions(q);
  if (!q.sizing || !dims) return `qdrant memory: defaults, no qdrant.sizing given${overridden}`;
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (q.sizing.dimensions || q.collections.length === 0) {
    const bytes = qdrantMemoryBytes(q.sizing.vectors, dims);
    return `qdrant memory: ${q.sizing.vectors.toLocaleString('en-US')} vectors × ${dims} dimensions × 4 B × 1.5 = ${gib(bytes)} → request ${qdrantResources(q).requests.memory} per peer${overridden}`;
  }
  const ram = q.collections.reduce((sum, c) => sum + collectionEstimate(c, q.sizing!.vectors).ramBytes, 0);
  return `qdrant memory: ${q.sizing.vectors.toLocaleString('en-US')} points per collection, in RAM × 1.5 = ${gib(ram)} (layouts below) → request ${qdrantResources(q).requests.memory} per peer${overridden}`;
}
