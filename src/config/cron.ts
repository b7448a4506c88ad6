/**
 * Cron schedules as the Kubernetes CronJob controller reads them (robfig/cron's standard parser): five
 * fields, or a descriptor such as `@daily`. No cron library here accepts exactly that set (they take
 * seconds, `L`, `W` or `#`, which the controller refuses), so the fields are checked against its rules.
 */

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], question: true },
] as const;

export const CRON_DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

type Field = (typeof FIELDS)[number];

function value(text: string, field: Field): number | undefined {
  const names: readonly string[] | undefined = 'names' in field ? field.names : undefined;
  const named = names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + field.min;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** What is wrong with one comma-separated part of a field, or undefined. */
function partProblem(part: string, field: Field): string | undefined {
  const [range, step, extra] = part.split('/');
  if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step))) return `"${part}" has a bad step (expected e.g. */15)`;
  if (range === '*' || ('question' in field && range === '?')) return undefined;
  const [from, to, more] = range.split('-');
  const low = value(from, field);
  const high = to === undefined ? low : value(to, field);
  if (more !== undefined || low === undefined || high === undefined) return `"${part}" is not a value, range or list of the ${field.name}`;
  if (low < field.min || high > field.max) return `"${part}" is outside ${field.min}-${field.max} for the ${field.name}`;
  if (low > high) return `"${part}" is a range that runs backwards`;
  return undefined;
}

/** Why the CronJob controller would refuse `schedule`, or undefined when it is valid. */
export function cronProblem(schedule: string): string | undefined {
  const text = schedule.trim();
  if (text.startsWith('@')) return CRON_DESCRIPTORS.includes(text) ? undefined : `unknown descriptor "${text}" (expected one of ${CRON_DESCRIPTORS.join(', ')})`;
  const parts = text.split(/\s+/);
  if (parts.length !== 5) return `must have five fields (minute hour day-of-month month day-of-week), got ${parts.length}`;
  for (const [i, field] of FIELDS.entries()) {
    for (const part of parts[i].split(',')) {
      const problem = partProblem(part, field);
      if (problem) return problem;
    }
  }
  return undefined;
}
