import type { z } from 'zod';
import { ConfigError, toProblems } from './errors';

/**
 * Construct props in the model's shape, validated by the model's own schema: the defaults and the rules
 * are the model's, written once, and a mistake is a ConfigError naming the prop (`storage.size: ...`).
 */
export function parseProps<S extends z.ZodType>(schema: S, input: unknown, source: string): z.output<S> {
  const result = schema.safeParse(input ?? {}, { reportInput: true });
  if (!result.success) throw new ConfigError(toProblems(result.error.issues, schema), source, 'invalid props');
  return result.data;
}
