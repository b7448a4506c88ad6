import type { Plan, PlanRow } from '../config/plan';
import { table } from '../smoke/format/text';

const HEADER = ['component', 'replicas', 'cpu request', 'cpu limit', 'memory request', 'memory limit', 'storage', 'note'];
const cells = (r: PlanRow) => [r.component, String(r.replicas), r.cpuRequest, r.cpuLimit, r.memoryRequest, r.memoryLimit, r.storage, r.note];

/** The plan as text: per component, the total, the jobs, and the sizing inputs. */
export function formatPlan(plan: Plan, title: string): string {
  const t = plan.total;
  return [
    title,
    '',
    table([HEADER, ...plan.rows.map(cells), ['total (× replicas)', '', t.cpuRequest, t.cpuLimit, t.memoryRequest, t.memoryLimit, t.storage, '']]),
    '',
    'short-lived jobs (not in the total):',
    table([HEADER, ...plan.jobs.map(cells)]),
    '',
    plan.sizing,
    '',
  ].join('\n');
}
