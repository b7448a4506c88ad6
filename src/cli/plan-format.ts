import type { Plan, PlanRow } from '../config/plan';
import { table } from '../smoke/format/text';
import type { Rollout } from '../rollout';

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
    ...plan.collections.map(
      (c) =>
        `collection ${c.name}: ${c.replicationFactor} cop${c.replicationFactor === 1 ? 'y' : 'ies'} of each shard${c.defaulted ? ' (default)' : ''}` +
        (c.ram ? `; RAM ${c.ram}, disk ${c.disk}: ${c.layout!.join('; ')}` : ''),
    ),
    '',
  ].join('\n');
}

/** What applying the render involves: Jobs to wait for, certificate names, and the upgrade's refusals. */
export function formatRollout(r: Rollout): string {
  const lines = [`jobs of this render (kubectl -n ${r.namespace} wait --for=condition=complete job/NAME):`];
  lines.push(table([['name', 'purpose', 'argo cd hook'], ...r.jobs.map((j) => [j.name, j.purpose, j.hook ?? ''])]));
  if (r.certificateDnsNames.length) lines.push('', "DNS names Qdrant's certificate must carry (qdrant.tls):", ...r.certificateDnsNames.map((n) => `  ${n}`));
  if (r.upgrade) {
    const u = r.upgrade;
    lines.push('', `upgrade from ${u.from}: ${u.added.length} object(s) added, ${u.removed.length} removed${u.refused.length ? `; the API server refuses ${u.refused.length} update(s):` : '; every update is legal'}`);
    for (const p of u.refused) lines.push(`  ${p.object}: ${p.message}`);
    if (u.dataVolumes.length) {
      lines.push(`data volumes this change replaces or leaves behind (synth refuses without --allow-data-migration):`);
      for (const p of u.dataVolumes) lines.push(`  ${p.object}: ${p.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
