import { HASH_LENGTH, instanceName, LONGEST_STACK_SUFFIXES, NAME_LIMITS, nameLimit, objectName, STACK_NAME_MAX } from '../src/naming';

describe('objectName', () => {
  test('joins parts with "-" and leaves a name within its limit as it is', () => {
    expect(objectName('Service', 'vec', 'qdrant', 'headless')).toBe('vec-qdrant-headless');
    expect(objectName('ConfigMap', 'vec', '', 'config')).toBe('vec-config');
  });

  test.each(Object.entries(NAME_LIMITS))('%s: an overflowing name is cut to %i characters and ends in a hash of the full name', (kind, limit) => {
    const long = objectName(kind, 'stack'.repeat(8), 'qdrant-snapshots-and-more');
    expect(long).toHaveLength(limit);
    expect(long).toMatch(new RegExp(`^stackstack.*[a-z0-9]-[0-9a-f]{${HASH_LENGTH}}$`));
    // Stable, and two names that share their beginning stay apart.
    expect(objectName(kind, 'stack'.repeat(8), 'qdrant-snapshots-and-more')).toBe(long);
    expect(objectName(kind, 'stack'.repeat(8), 'qdrant-snapshots-and-less')).not.toBe(long);
  });

  test('never leaves a "-" or "." before the hash', () => {
    const name = objectName('CronJob', `${'a'.repeat(42)}-${'b'.repeat(20)}`);
    expect(name).toMatch(/^a{42}-[0-9a-f]{8}$/);
  });

  test('other kinds have the DNS-1123 subdomain limit; instance names the label-value limit', () => {
    expect(nameLimit('ConfigMap')).toBe(253);
    expect(objectName('ConfigMap', 'x'.repeat(100))).toHaveLength(100);
    expect(instanceName('x'.repeat(70))).toHaveLength(63);
  });
});

test('the stack name limit follows from the longest suffixes and their kinds', () => {
  for (const [kind, suffix] of LONGEST_STACK_SUFFIXES) expect(STACK_NAME_MAX + suffix.length).toBeLessThanOrEqual(NAME_LIMITS[kind]);
  expect(LONGEST_STACK_SUFFIXES.some(([kind, suffix]) => STACK_NAME_MAX + suffix.length === NAME_LIMITS[kind])).toBe(true);
  expect(STACK_NAME_MAX).toBe(35);
});
