/**
 * The action of `qdrant-stack smoke`: flags (or their environment variables) become SmokeOptions;
 * `--config` adds the stack model's expectations. The in-cluster runner (runner.ts) shares the rules
 * (input.ts) but not this module, which loads commander, the model's validation and every format.
 * Exit codes: 0 pass, 1 a check failed, 2 usage or config error, 3 unreachable or not ready in time.
 */
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../config/errors';
import { loadConfig } from '../config/load';
import { OutputError, outputFileProblems, refuseIfAny, writeOutputFile } from '../output';
import { formatJson } from './format/json';
import { formatJunit } from './format/junit';
import { formatText } from './format/text';
import type { Flags } from './flags';
import { buildInput, parse, UsageError } from './input';
import { expectationsFromConfig, SmokeInput, withDefaults } from './options';
import { seedProgressBar } from './progress';
import { redactUrl, SMOKE_EXIT } from './report';
import { runSmoke } from './run';
import { companionServices, giveUrlHint } from './services';
import { abortOnSignals } from './signals';

/** Where the command writes: results to `out`, everything else to `err` (as in main.ts). */
export interface SmokeIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** The URL options and the schemes each accepts. */
const URL_OPTIONS = [
  ['url', ['http:', 'https:']],
  ['ollamaUrl', ['http:', 'https:']],
  ['redisUrl', ['redis:', 'rediss:']],
] as const;

/** Checks the URL options as commander checks values, but quotes a bad one with its password redacted. */
function checkUrls(cmd: Command, flags: Flags): void {
  for (const [key, schemes] of URL_OPTIONS) {
    const value = flags[key];
    if (value === undefined) continue;
    try {
      parse.url(schemes)(value);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      const option = cmd.options.find((o) => o.attributeName() === key);
      const given = cmd.getOptionValueSource(key) === 'env' ? `value '${redactUrl(value)}' from env '${option?.envVar}'` : `argument '${redactUrl(value)}'`;
      throw new InvalidArgumentError(`option '${option?.flags ?? key}' ${given} is invalid. ${e.message}`);
    }
  }
}

/**
 * Turns flags into SmokeOptions input; throws a message naming the flag for inconsistent combinations.
 * With --config, a companion the stack has but whose URL is not given is reached through its Service
 * when running in a cluster (KUBERNETES_SERVICE_HOST), and otherwise skipped with the flag to add.
 */
export function smokeInput(cmd: Command, flags: Flags, env: NodeJS.ProcessEnv): SmokeInput {
  checkUrls(cmd, flags);
  const config = flags.config ? loadConfig(flags.config) : undefined;
  const settings: Flags = { ...flags, apiKey: tokenFromEnv(cmd, flags, env) ?? flags.apiKey };
  const unchecked: { ollama?: string; redis?: string } = {};
  if (config) {
    const services = companionServices(config);
    const inCluster = !!env.KUBERNETES_SERVICE_HOST;
    if (services.ollama && !flags.ollamaUrl && !flags.embeddingModel) {
      if (inCluster) settings.ollamaUrl = services.ollama.url;
      else unchecked.ollama = giveUrlHint('Ollama', services.ollama);
    }
    if (services.redis && !flags.redisUrl) {
      if (inCluster) settings.redisUrl = services.redis.url;
      else unchecked.redis = giveUrlHint('Redis', services.redis);
    }
  }
  try {
    return buildInput(settings, config ? expectationsFromConfig(config) : undefined, env.REDIS_PASSWORD, unchecked);
  } catch (e) {
    throw e instanceof UsageError ? new InvalidArgumentError(e.message) : e;
  }
}

/**
 * The JWT named by --token-env: Qdrant takes a token where it takes an API key (the api-key header), so it
 * replaces the key, which from QDRANT_API_KEY may well be in the environment too; given as --api-key, the two conflict.
 */
function tokenFromEnv(cmd: Command, flags: Flags, env: NodeJS.ProcessEnv): string | undefined {
  if (flags.tokenEnv === undefined) return undefined;
  if (flags.apiKey !== undefined && cmd.getOptionValueSource('apiKey') === 'cli') throw new InvalidArgumentError('--token-env and --api-key both give a credential: give one');
  const token = env[flags.tokenEnv];
  if (!token) throw new InvalidArgumentError(`--token-env ${flags.tokenEnv}: the environment variable ${flags.tokenEnv} is not set or empty`);
  return token;
}

/** Refuses a bad --out before the run (exit 2): not the config, not .env, not a folder or special file, in an existing writable folder. */
function checkOut(flags: Flags): void {
  if (flags.out === undefined) return;
  refuseIfAny(outputFileProblems(flags.out, { flag: '--out', protect: [flags.config, 'stack.yaml'], example: 'smoke.xml' }));
}

/** Runs the checks for parsed flags, writes the report, and reports the exit code through `setExit`. */
export async function smokeAction(cmd: Command, flags: Flags, io: SmokeIo, setExit: (code: number) => void, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let input: SmokeInput;
  try {
    input = smokeInput(cmd, flags, env);
    checkOut(flags);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`error: ${e.message}\n`);
      return setExit(SMOKE_EXIT.usage);
    }
    if (e instanceof OutputError) {
      for (const problem of e.problems) io.err(`error: ${problem}\n`);
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
    // Written atomically (an old report stays whole on failure); if it cannot be, the verdict still counts.
    let written = false;
    if (flags.out !== undefined) {
      try {
        writeOutputFile(flags.out, text);
        written = true;
      } catch (e) {
        io.err(`error: --out ${flags.out}: cannot write the report (${(e as Error).message}); it follows on stdout instead\n`);
      }
    }
    if (!written) io.out(text);
    if (flags.out !== undefined || flags.format !== 'text') io.err(`smoke: ${report.status === 'pass' ? 'PASSED' : 'FAILED'} (exit ${report.exitCode})${written ? `, report in ${flags.out}` : ''}\n`);
    setExit(report.exitCode);
  } finally {
    progress?.stop();
    signals.dispose();
  }
}
