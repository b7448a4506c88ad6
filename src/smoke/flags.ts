/**
 * The smoke command's options: flags, their environment variables, help and exit codes. Kept apart from
 * the action (src/smoke/command.ts) so `qdrant-stack` starts without loading the Qdrant and Redis clients.
 */
import { InvalidArgumentError, Option, Command } from 'commander';
import { QDRANT } from '../components/qdrant';
import { distanceSchema } from '../config/schema';
import { parse, SMOKE_LIMITS, SmokeSettings, UsageError } from './input';
import { SMOKE_DEFAULTS } from './options';

/** Parsed flags, as commander hands them over (the numbers have defaults). */
export interface Flags extends SmokeSettings {
  config?: string;
  vectors: number;
  queries: number;
  maxP95Ms: number;
  minRecall: number;
  deadlineS: number;
  format: 'text' | 'json' | 'junit';
  out?: string;
  /** Names the environment variable that holds a JWT: the token itself never is an argument. */
  tokenEnv?: string;
}

const EXIT_HELP = `
Checks, in order: GET / (version), /healthz, /readyz (waited for up to --deadline-s), the API key;
each expected collection (size, distance, status); latency on a temporary collection
"qdrant-stack-smoke-<id>" that is always deleted (or, read-only, on an expected collection);
Ollama, Redis and one RAG round when configured.

Secrets: prefer QDRANT_API_KEY to --api-key (argv is visible to other users), or a JWT through
--token-env NAME (sent as the API key is, in the api-key header); the Redis password comes
from --redis-url or REDIS_PASSWORD. Neither is ever printed.

Exit codes:
  0  all checks passed
  1  a check failed (including a refused API key, a wrong schema, latency over budget, an interrupt)
  2  usage or config error
  3  Qdrant unreachable or not ready within --deadline-s`;

/** A parser of src/smoke/input.ts as commander wants it: bad values throw InvalidArgumentError. */
const cli = <T>(parser: (v: string) => T) => (v: string): T => {
  try {
    return parser(v);
  } catch (e) {
    if (e instanceof UsageError) throw new InvalidArgumentError(e.message);
    throw e;
  }
};
const int = (what: string, max: number) => cli(parse.int(what, max));
const positive = (what: string) => cli(parse.positive(what));
const ratio = cli(parse.ratio);

/**
 * Adds the smoke options to `cmd` (the in-cluster runner reads the same environment variables: src/smoke/input.ts).
 * The URL options have no parser: commander would quote a bad value, password and all, in its error;
 * command.ts checks them and quotes them redacted.
 */
export function defineSmokeOptions(cmd: Command): Command {
  const o = (flags: string, description: string, env?: string) => (env ? new Option(flags, description).env(env) : new Option(flags, description));
  return cmd
    .addOption(o('--url <url>', `Qdrant REST URL, e.g. http://qdrant:${QDRANT.ports.http}`, 'QDRANT_URL').makeOptionMandatory())
    .addOption(o('--api-key <key>', 'API key (admin or read-only)', 'QDRANT_API_KEY'))
    .addOption(o('--token-env <name>', 'environment variable holding a JWT (qdrant-stack token, qdrant.jwtRbac) to send instead of the API key'))
    .addOption(o('--expect-version <version>', 'Qdrant version to expect (default: qdrant.version from --config)', 'SMOKE_EXPECT_VERSION'))
    .addOption(o('-c, --config <file>', 'stack config: expected collections and version come from it', 'SMOKE_CONFIG'))
    .addOption(o('--collection <name>', 'a collection to expect (in addition to --config)', 'SMOKE_COLLECTION'))
    .addOption(o('--vector-size <n>', 'its vector size; also the temporary collection\'s', 'SMOKE_VECTOR_SIZE').argParser(int('a vector size', SMOKE_LIMITS.vectorSize)))
    .addOption(o('--distance <d>', 'its distance; also the temporary collection\'s', 'SMOKE_DISTANCE').choices(distanceSchema.options))
    .addOption(o('--vectors <n>', 'vectors seeded into the temporary collection', 'SMOKE_VECTORS').argParser(int('a number of vectors', SMOKE_LIMITS.vectors)).default(SMOKE_DEFAULTS.vectors))
    .addOption(o('--queries <m>', 'timed queries', 'SMOKE_QUERIES').argParser(int('a number of queries', SMOKE_LIMITS.queries)).default(SMOKE_DEFAULTS.queries))
    .addOption(o('--max-p95-ms <x>', 'budget: server-side p95 query time in ms', 'SMOKE_MAX_P95_MS').argParser(positive('milliseconds')).default(SMOKE_DEFAULTS.maxP95Ms))
    .addOption(o('--min-recall <r>', 'minimum recall@10 against exact search', 'SMOKE_MIN_RECALL').argParser(ratio).default(SMOKE_DEFAULTS.minRecall))
    .addOption(o('--deadline-s <s>', 'how long to wait for Qdrant to answer and be ready', 'SMOKE_DEADLINE_S').argParser(positive('seconds')).default(SMOKE_DEFAULTS.deadlineS))
    .addOption(o('--read-only', 'write nothing: measure latency on an expected collection', 'SMOKE_READ_ONLY'))
    .addOption(o('--ollama-url <url>', 'Ollama URL, e.g. http://ollama:11434 (with --embedding-model)', 'OLLAMA_URL'))
    .addOption(o('--embedding-model <model>', 'embedding model Ollama must serve, e.g. mxbai-embed-large', 'OLLAMA_EMBEDDING_MODEL'))
    .addOption(o('--redis-url <url>', 'Redis URL, e.g. redis://redis:6379 (password: REDIS_PASSWORD)', 'REDIS_URL'))
    .addOption(o('--format <format>', 'report format', 'SMOKE_FORMAT').choices(['text', 'json', 'junit']).default('text'))
    .addOption(o('--out <file>', 'write the report to a file instead of stdout (atomically; checked before the run: an existing writable folder, never the config or .env)', 'SMOKE_OUT'))
    .addHelpText('after', EXIT_HELP);
}

