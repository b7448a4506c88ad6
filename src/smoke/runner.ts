/**
 * Entry point of the in-cluster smoke Job (bundled into one file by scripts/bundle-smoke.mjs and run
 * with plain `node`): the checks of `qdrant-stack smoke`, configured from the environment only —
 * QDRANT_URL, QDRANT_API_KEY, OLLAMA_URL, REDIS_URL, REDIS_PASSWORD and the SMOKE_* variables the CLI
 * lists in `--help` (see input.ts) — plus SMOKE_EXPECTATIONS, the expectations file the smoke chart
 * renders. It prints the text report; no flags, no JSON/JUnit, no progress bar: that is the CLI's job,
 * and keeping commander, zod, yaml and xmlbuilder2 out keeps the bundle small enough for a ConfigMap.
 * Exit codes as the CLI: 0 pass, 1 failed, 2 usage, 3 unreachable.
 */
import { readFileSync, statSync } from 'node:fs';
import type { SmokeIo } from './command';
import { formatText } from './format/text';
import { buildInput, parseExpectations, settingsFromEnv, UsageError } from './input';
import { type SmokeExpectations, type SmokeInput, withDefaults } from './options';
import { scrubDeep, SMOKE_EXIT } from './report';
import { runSmoke, smokeSecrets } from './run';
import { abortOnSignals } from './signals';

/** The expectations file is our own small render; anything much larger is not it. */
const MAX_EXPECTATIONS_BYTES = 1024 * 1024;

const processIo: SmokeIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** The run's input from the environment and the expectations file it names; throws UsageError. */
export function runnerInput(env: NodeJS.ProcessEnv): SmokeInput {
  if (env.SMOKE_CONFIG) {
    throw new UsageError('SMOKE_CONFIG (a stack model) is read by `qdrant-stack smoke --config`; this runner reads SMOKE_EXPECTATIONS, the expectations.json the smoke chart renders');
  }
  if (env.SMOKE_FORMAT && env.SMOKE_FORMAT !== 'text') throw new UsageError(`SMOKE_FORMAT=${env.SMOKE_FORMAT}: this runner prints the text report only (json and junit: qdrant-stack smoke)`);
  if (env.SMOKE_OUT) throw new UsageError('SMOKE_OUT: this runner prints its report to stdout only (a file: qdrant-stack smoke --out)');
  const settings = settingsFromEnv(env);
  let expectations: SmokeExpectations | undefined;
  const file = env.SMOKE_EXPECTATIONS;
  if (file) {
    let text: string;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) throw new UsageError(`SMOKE_EXPECTATIONS: ${file} is not a regular file (expected the expectations.json the smoke chart renders)`);
      if (stat.size > MAX_EXPECTATIONS_BYTES) throw new UsageError(`SMOKE_EXPECTATIONS: ${file} has ${stat.size} bytes, more than ${MAX_EXPECTATIONS_BYTES} (expected the expectations.json the smoke chart renders)`);
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`SMOKE_EXPECTATIONS: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    expectations = parseExpectations(text, file);
  }
  return buildInput(settings, expectations, env.REDIS_PASSWORD);
}

/** Runs the checks configured by `env`, prints the text report, resolves to the exit code. */
export async function runnerMain(env: NodeJS.ProcessEnv = process.env, io: SmokeIo = processIo): Promise<number> {
  let input: SmokeInput;
  try {
    input = runnerInput(env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`error: ${e.message}\n`);
    return SMOKE_EXIT.usage;
  }
  const signals = abortOnSignals();
  try {
    const { report, samples } = await runSmoke(withDefaults(input), { signal: signals.signal });
    io.out(formatText(report, samples.client));
    return report.exitCode;
  } catch (e) {
    // runSmoke reports failed checks; reaching this is a bug, which must still fail the Job (with its
    // message, scrubbed of the secrets like every output, and no stack trace).
    io.err(`error: ${scrubDeep(e instanceof Error ? e.message : String(e), smokeSecrets(input))}\n`);
    return SMOKE_EXIT.failed;
  } finally {
    signals.dispose();
  }
}

if (require.main === module) {
  runnerMain().then((c) => (process.exitCode = c));
}
