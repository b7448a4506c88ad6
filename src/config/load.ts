import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError, ConfigProblem, toProblems } from './errors';
import { StackConfig, stackSchema } from './schema';

/** Validates a stack model (from YAML or TypeScript) and applies defaults; throws ConfigError with every problem. */
export function resolveConfig(input: unknown, source?: string): StackConfig {
  const result = stackSchema.safeParse(input ?? {}, { reportInput: true });
  if (!result.success) throw new ConfigError(toProblems(result.error.issues, stackSchema), source);
  return result.data;
}

/** Parses YAML text into a stack model; YAML syntax errors are reported with line and column. */
export function parseConfig(text: string, source?: string): StackConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems: ConfigProblem[] = doc.errors.map((e) => ({
      path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(yaml)',
      message: e.message.split('\n')[0],
    }));
    throw new ConfigError(problems, source);
  }
  return resolveConfig(doc.toJS(), source);
}

/** Reads and validates a stack config file. */
export function loadConfig(file: string): StackConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([{ path: '(file)', message: cannotRead(e as NodeJS.ErrnoException) }], file);
  }
  return parseConfig(text, file);
}

function cannotRead(e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return 'file not found (pass --config FILE, or create stack.yaml from the README)';
  if (e.code === 'EISDIR') return 'is a folder, expected a YAML file';
  return `cannot read (${e.code ?? e.message})`;
}
