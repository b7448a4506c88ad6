/**
 * Entry point of the in-cluster smoke Job (bundled into one file, run with plain `node`): the same
 * options as `qdrant-stack smoke`, read from argv or, for a Job, from environment variables
 * (QDRANT_URL, QDRANT_API_KEY, SMOKE_CONFIG, SMOKE_VECTORS, OLLAMA_URL, REDIS_URL, REDIS_PASSWORD, ...;
 * `--help` lists them all). Exit codes as the CLI: 0 pass, 1 failed, 2 usage, 3 unreachable.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/errors';
import { smokeAction, SmokeIo } from './command';
import { defineSmokeOptions, Flags } from './flags';
import { SMOKE_EXIT } from './report';

const processIo: SmokeIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** Parses `argv` (node, script, args...) and the environment, runs the checks, resolves to the exit code. */
export async function runnerMain(argv: readonly string[], io: SmokeIo = processIo): Promise<number> {
  let code: number = SMOKE_EXIT.pass;
  const program = defineSmokeOptions(new Command('qdrant-stack-smoke'))
    .description('post-deploy smoke test of a qdrant-stack deployment')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .action((flags: Flags, command: Command) => smokeAction(command, flags, io, (c) => (code = c)));
  try {
    await program.parseAsync(argv as string[]);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? SMOKE_EXIT.pass : SMOKE_EXIT.usage;
    io.err(`error: ${(e as Error).message}\n`);
    return e instanceof ConfigError ? SMOKE_EXIT.usage : SMOKE_EXIT.failed;
  }
  return code;
}

if (require.main === module) {
  runnerMain(process.argv).then((c) => (process.exitCode = c));
}
