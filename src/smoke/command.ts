/**
 * The smoke command's options and action, shared by `qdrant-stack smoke` and the in-cluster runner. Flags (or their environment variables, which the
 * in-cluster runner uses) become SmokeOptions; `--config` adds the stack model's expectations.
 * Exit codes: 0 pass, 1 a check failed, 2 usage or config error, 3 unreachable or not ready in time.
 */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { QDRANT } from '../components/qdrant';
import { ConfigError } from '../config/errors';
import { loadConfig } from '../config/load';
import { distanceSchema } from '../config/schema';
import { formatJson } from './format/json';
import { formatJunit } from './format/junit';
import { formatText } from './format/text';
import { ExpectedCollection, expectationsFromConfig, SMOKE_DEFAULTS, SmokeInput, withDefaults } from './options';
import { seedProgressBar } from './progress';
import { SMOKE_EXIT } from './report';
import { runSmoke } from './run';
import { abortOnSignals } from './signals';

/** Where the command writes: results to `out`, everything else to `err` (as in main.ts). */
export interface SmokeIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Parsed flags, as commander hands them over. */
export interface Flags {
  url: string;
  apiKey?: string;
  expectVersion?: string;
  config?: string;
  collection?: string;
  vectorSize?: number;
  distance?: string;
  vectors: number;
  queries: number;
  maxP95Ms: number;
  minRecall: number;
  deadlineS: number;
  readOnly?: boolean;
  ollamaUrl?: string;
  embeddingModel?: string;
  redisUrl?: string;
  format: 'text' | 'json' | 'junit';
  out?: string;
}

const EXIT_HELP = `
Checks, in order: GET / (version), /healthz, /readyz (waited for up to --deadline-s), the API key;
each expected collection (size, distance, status); latency on a temporary collection
"qdrant-stack-smoke-<id>" that is always deleted (or, read-only, on an expected collection);
Ollama, Redis and one RAG round when configured.

Secrets: prefer QDRANT_API_KEY to --api-key (argv is visible to other users); the Redis password comes
from --redis-url or REDIS_PASSWORD. Neither is ever printed.

Exit codes:
  0  all checks passed
  1  a check failed (including a refused API key, a wrong schema, latency over budget, an interrupt)
  2  usage or config error
  3  Qdrant unreachable or not ready within --deadline-s`;

const int = (what: string) => (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`expected ${what}, a positive integer`);
  return Number(v);
};
const positive = (what: string) => (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected ${what}, a positive number`);
  return n;
};
const url = (schemes: string[]) => (v: string) => {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidArgumentError(`expected a URL such as ${schemes[0]}//host:port`);
  }
  if (!schemes.includes(u.protocol)) throw new InvalidArgumentError(`expected a ${schemes.join(' or ')} URL, got ${u.protocol}`);
  return v;
};
const ratio = (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1) || v.trim() === '') throw new InvalidArgumentError('expected a number between 0 and 1');
  return n;
};

/** Adds the smoke options to `cmd` (shared by the CLI subcommand and the in-cluster runner). */
export function defineSmokeOptions(cmd: Command): Command {
  const o = (flags: string, description: string, env?: string) => (env ? new Option(flags, description).env(env) : new Option(flags, description));
  return cmd
    .addOption(o('--url <url>', `Qdrant REST URL, e.g. http://qdrant:${QDRANT.ports.http}`, 'QDRANT_URL').argParser(url(['http:', 'https:'])).makeOptionMandatory())
    .addOption(o('--api-key <key>', 'API key (admin or read-only)', 'QDRANT_API_KEY'))
    .addOption(o('--expect-version <version>', 'Qdrant version to expect (default: qdrant.version from --config)', 'SMOKE_EXPECT_VERSION'))
    .addOption(o('-c, --config <file>', 'stack config: expected collections and version come from it', 'SMOKE_CONFIG'))
    .addOption(o('--collection <name>', 'a collection to expect (in addition to --config)', 'SMOKE_COLLECTION'))
    .addOption(o('--vector-size <n>', 'its vector size; also the temporary collection\'s', 'SMOKE_VECTOR_SIZE').argParser(int('a vector size')))
    .addOption(o('--distance <d>', 'its distance; also the temporary collection\'s', 'SMOKE_DISTANCE').choices(distanceSchema.options))
    .addOption(o('--vectors <n>', 'vectors seeded into the temporary collection', 'SMOKE_VECTORS').argParser(int('a number of vectors')).default(SMOKE_DEFAULTS.vectors))
    .addOption(o('--queries <m>', 'timed queries', 'SMOKE_QUERIES').argParser(int('a number of queries')).default(SMOKE_DEFAULTS.queries))
    .addOption(o('--max-p95-ms <x>', 'budget: server-side p95 query time in ms', 'SMOKE_MAX_P95_MS').argParser(positive('milliseconds')).default(SMOKE_DEFAULTS.maxP95Ms))
    .addOption(o('--min-recall <r>', 'minimum recall@10 against exact search', 'SMOKE_MIN_RECALL').argParser(ratio).default(SMOKE_DEFAULTS.minRecall))
    .addOption(o('--deadline-s <s>', 'how long to wait for Qdrant to answer and be ready', 'SMOKE_DEADLINE_S').argParser(positive('seconds')).default(SMOKE_DEFAULTS.deadlineS))
    .addOption(o('--read-only', 'write nothing: measure latency on an expected collection', 'SMOKE_READ_ONLY'))
    .addOption(o('--ollama-url <url>', 'Ollama URL, e.g. http://ollama:11434 (with --embedding-model)', 'OLLAMA_URL').argParser(url(['http:', 'https:'])))
    .addOption(o('--embedding-model <model>', 'embedding model Ollama must serve, e.g. mxbai-embed-large', 'OLLAMA_EMBEDDING_MODEL'))
    .addOption(o('--redis-url <url>', 'Redis URL, e.g. redis://redis:6379 (password: REDIS_PASSWORD)', 'REDIS_URL').argParser(url(['redis:', 'rediss:'])))
    .addOption(o('--format <format>', 'report format', 'SMOKE_FORMAT').choices(['text', 'json', 'junit']).default('text'))
    .addOption(o('--out <file>', 'write the report to a file instead of stdout', 'SMOKE_OUT'))
    .addHelpText('after', EXIT_HELP);
}

/** Turns flags into SmokeOptions input; throws a message naming the flag for inconsistent combinations. */
export function smokeInput(flags: Flags, env: NodeJS.ProcessEnv): SmokeInput {
  const fromConfig = flags.config ? expectationsFromConfig(loadConfig(flags.config)) : { collections: [], expectedVersion: undefined, ollama: undefined };
  const collections: ExpectedCollection[] = [...fromConfig.collections];
  if (flags.collection) {
    const given = { name: flags.collection, vectorSize: flags.vectorSize, distance: flags.distance as ExpectedCollection['distance'] };
    const i = collections.findIndex((c) => c.name === flags.collection);
    if (i >= 0) collections[i] = { ...collections[i], ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
    else collections.unshift(given);
  }
  // The model names the embedding model; only the URL (where it was deployed) must come from a flag.
  const embeddingModel = flags.embeddingModel ?? fromConfig.ollama?.embeddingModel;
  if (!!flags.ollamaUrl !== !!embeddingModel || (flags.embeddingModel && !flags.ollamaUrl)) {
    throw new InvalidArgumentError('--ollama-url and --embedding-model go together: give both (or OLLAMA_URL and OLLAMA_EMBEDDING_MODEL; with --config only the URL)');
  }
  if (flags.readOnly && collections.length === 0) throw new InvalidArgumentError('--read-only measures an expected collection: give --collection NAME or --config FILE');
  return {
    url: flags.url,
    apiKey: flags.apiKey || undefined,
    expectedVersion: flags.expectVersion ?? fromConfig.expectedVersion,
    collections,
    vectorSize: flags.vectorSize,
    distance: flags.distance as SmokeInput['distance'],
    vectors: flags.vectors,
    queries: flags.queries,
    maxP95Ms: flags.maxP95Ms,
    minRecall: flags.minRecall,
    deadlineS: flags.deadlineS,
    readOnly: !!flags.readOnly,
    ollama: flags.ollamaUrl && embeddingModel
      ? { url: flags.ollamaUrl, embeddingModel, dimension: flags.embeddingModel ? undefined : fromConfig.ollama?.dimension }
      : undefined,
    redis: flags.redisUrl ? { url: flags.redisUrl, password: env.REDIS_PASSWORD || undefined } : undefined,
  };
}

/** Runs the checks for parsed flags, writes the report, and reports the exit code through `setExit`. */
export async function smokeAction(cmd: Command, flags: Flags, io: SmokeIo, setExit: (code: number) => void, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let input: SmokeInput;
  try {
    input = smokeInput(flags, env);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`error: ${e.message}\n`);
      return setExit(SMOKE_EXIT.usage);
    }
    if (e instanceof InvalidArgumentError) cmd.error(`error: ${e.message}`, { exitCode: SMOKE_EXIT.usage, code: 'smoke.usage' });
    throw e;
  }
  const signals = abortOnSignals();
  const progress = seedProgressBar(process.stderr);
  try {
    const { report, samples } = await runSmoke(withDefaults(input), { signal: signals.signal, onSeedProgress: progress?.onSeedProgress });
    const text = flags.format === 'json' ? formatJson(report) : flags.format === 'junit' ? formatJunit(report) : formatText(report, samples.client);
    if (flags.out) {
      try {
        writeFileSync(flags.out, text);
      } catch (e) {
        io.err(`error: --out ${flags.out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
        return setExit(SMOKE_EXIT.usage);
      }
    } else io.out(text);
    if (flags.out || flags.format !== 'text') io.err(`smoke: ${report.status === 'pass' ? 'PASSED' : 'FAILED'} (exit ${report.exitCode})${flags.out ? `, report in ${flags.out}` : ''}\n`);
    setExit(report.exitCode);
  } finally {
    progress?.stop();
    signals.dispose();
  }
}
