/**
 * Field values the API server parses and refuses: resource quantities (a 64-bit integer of the base unit,
 * or of millis for CPU) and CronJob schedules (the controller's cron parser).
 */
import { cronProblem } from '../config/cron';
import { arr, describe, get, isRec, kindOf, manifests, podTemplate, type Problem, str } from './objects';
import { parseQuantity } from './quantity';

/** Quantities are 64-bit integers: below 2^63 (2^63 - 1 is not representable as a JavaScript number). */
const INT64_LIMIT = 2 ** 63;

function quantityProblem(value: unknown, what: string, milli: boolean): string | undefined {
  const parsed = parseQuantity(value);
  if (parsed === undefined) return `${what}: "${String(value)}" is not a quantity ("quantities must match the regular expression …")`;
  if (parsed < 0) return `${what}: ${String(value)} is negative`;
  if ((milli ? parsed * 1000 : parsed) >= INT64_LIMIT) return `${what}: ${String(value)} is beyond a quantity's 64-bit range`;
  if (parsed > 0 && (milli ? parsed < 0.001 : parsed < 1)) return `${what}: ${String(value)} is below the smallest unit (${milli ? '1m' : '1 byte'})`;
  return undefined;
}

/** Requests and limits of every container, and the storage of every claim and claim template. */
export function valueProblems(objects: readonly unknown[]): Problem[] {
  const problems: Problem[] = [];
  for (const o of manifests(objects)) {
    const add = (rule: string, message: string | undefined) => message && problems.push({ object: describe(o), rule, message });
    const spec = podTemplate(o)?.spec;
    for (const list of ['initContainers', 'containers'] as const) {
      for (const c of arr(get(spec, list))) {
        for (const kind of ['requests', 'limits'] as const) {
          const amounts = get(c, 'resources', kind);
          if (!isRec(amounts)) continue;
          for (const [resource, value] of Object.entries(amounts)) add('quantity', quantityProblem(value, `${list} ${str(get(c, 'name'))} ${kind}.${resource}`, resource === 'cpu'));
        }
      }
    }
    if (kindOf(o) === 'PersistentVolumeClaim') add('quantity', quantityProblem(get(o, 'spec', 'resources', 'requests', 'storage'), 'spec.resources.requests.storage', false));
    for (const t of arr(get(o, 'spec', 'volumeClaimTemplates'))) add('quantity', quantityProblem(get(t, 'spec', 'resources', 'requests', 'storage'), `volumeClaimTemplates ${str(get(t, 'metadata', 'name'))} storage`, false));
    if (kindOf(o) === 'CronJob') {
      const schedule = str(get(o, 'spec', 'schedule')) ?? '';
      const problem = cronProblem(schedule);
      add('cron-schedule', problem && `spec.schedule "${schedule}": ${problem}`);
    }
  }
  return problems;
}
