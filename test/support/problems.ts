import { ConfigError } from '../../src/config/errors';
import { resolveStack } from '../../src/config/load';

/** The problems a model (with its environments) is refused for, as `path: message`; [] when it is valid. */
export function problemsOf(input: unknown): string[] {
  try {
    resolveStack(input);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
}
