/**
 * The smoke command's options and action, shared by `qdrant-stack smoke` and the in-cluster runner. Flags (or their environment variables, which the
 * in-cluster runner uses) become SmokeOptions; `--config` adds the stack model's expectations.
 * Exit codes: 0 pass, 1 a check failed, 2 usage or config error, 3 unreachable or not ready in time.
 */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../config/errors';
import { loadConfig } from '../config/load';
import { formatJson } from './format/json';
import { formatJunit } from './format/junit';
import { formatText } from './format/text';
import type { Flags } from './flags';
import { ExpectedCollection, expectationsFromConfig, SmokeInput, withDefaults } from './options';
import { seedProgressBar } from './progress';
import { SMOKE_EXIT } from './report';
import { runSmoke } from './run';
import { abortOnSignals } from './signals';

/** Where the command writes: results to `out`, everything else to `err` (as in main.ts). */
export interface SmokeIo {
  out: (text: string) => void;
  err: (text: string) => void;
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
