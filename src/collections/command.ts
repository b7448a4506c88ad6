/**
 * The action of `qdrant-stack collections plan|apply` (src/cli/collections-command.ts registers it): the
 * declared collections from the stack model, the run, the report on stdout, progress on stderr, and the
 * exit code. The API key and a URL's password are scrubbed from everything written.
 */
import { ConfigError } from '../config/errors';
import { loadStack, selectEnvironment } from '../config/load';
import { AbortedError } from '../smoke/backoff';
import { CollectionsError } from './qdrant';
import { reconcile } from './reconcile';
import { exitCodeOf, formatJson, formatText } from './report';

export interface CollectionsFlags {
  url: string;
  apiKey?: string;
  config: string;
  env?: string;
  format: 'text' | 'json';
  deadlineS: number;
}

export interface CollectionsIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Every secret the run was given, in the spellings it could be written in. */
function secretsOf(flags: CollectionsFlags): string[] {
  const secrets = [flags.apiKey];
  try {
    const password = new URL(flags.url).password;
    secrets.push(password, decodeURIComponent(password));
  } catch {
    // Not a URL: refused below, without quoting it.
  }
  return secrets.filter((s): s is string => !!s && s.length >= 3);
}

/** Runs plan or apply; resolves to the exit code (a config or usage error is thrown as ConfigError: exit 2). */
export async function collectionsAction(mode: 'plan' | 'apply', flags: CollectionsFlags, io: CollectionsIo): Promise<number> {
  const secrets = secretsOf(flags);
  const scrub = (text: string) => secrets.reduce((t, s) => t.split(s).join('***'), text);
  const out = (text: string) => io.out(scrub(text));
  const err = (text: string) => io.err(scrub(text));

  let protocol = '';
  try {
    protocol = new URL(flags.url).protocol;
  } catch {
    // Left empty: refused next.
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new ConfigError([{ path: '--url', message: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:6333' }], undefined, 'invalid option');
  }
  const stack = loadStack(flags.config);
  for (const w of stack.warnings) err(`warning: ${flags.config}: ${w.path}: ${w.message}\n`);
  const config = selectEnvironment(stack, flags.env, flags.config);

  try {
    const report = await reconcile(mode, { url: flags.url, apiKey: flags.apiKey }, config.qdrant.collections, {
      peers: config.qdrant.replicas,
      deadlineMs: flags.deadlineS * 1000,
      log: (line) => err(`${line}\n`),
    });
    out(flags.format === 'json' ? formatJson(report) : formatText(report));
    return exitCodeOf(report);
  } catch (e) {
    if (!(e instanceof CollectionsError) && !(e instanceof AbortedError)) throw e;
    const failure = e instanceof CollectionsError ? e.failure : 'failed';
    err(`error: ${e.message}\n`);
    if (flags.format === 'json') out(`${JSON.stringify({ mode, error: { kind: failure, message: e.message }, collections: [] }, null, 2)}\n`);
    return failure === 'unreachable' ? 3 : 1;
  }
}
