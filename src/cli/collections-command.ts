/**
 * `qdrant-stack collections plan|apply`: the collections the model declares, compared with (plan) or
 * brought into (apply) a running Qdrant. The action and the Qdrant client are loaded only when the command
 * runs, so the rest of the CLI starts fast.
 * Exit codes: 0 planned or applied, 1 drift or shards short of copies (a step the reconciler does not take),
 * a refused key or a failure, 2 usage or config error, 3 Qdrant unreachable or not ready within --deadline-s.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CollectionsFlags, CollectionsIo } from '../collections/command';

const EXIT_CODES = `
Exit codes (plan and apply):
  0  the plan was computed (pending creates and updates included) or applied
  1  drift that cannot be applied (a field fixed at creation, an index of another type, shards short of
     copies), a refused API key, or a failure
  2  usage or config error
  3  Qdrant unreachable or not ready within --deadline-s`;

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number of seconds above 0');
  return n;
}

/** Registers `collections plan` and `collections apply` on the `qdrant-stack` program. `setExit` receives 0, 1 or 3. */
export function registerCollectionsCommand(program: Command, io: CollectionsIo, setExit: (code: number) => void): Command {
  const cmd = program
    .command('collections')
    .description('collections as code: compare the declared collections with a running Qdrant (plan), or create and update them (apply); nothing is ever deleted')
    .addHelpText('after', EXIT_CODES);
  const modes = {
    plan: 'show what apply would create and update, and what is in drift (reads only; a read-only key is enough)',
    apply: 'create missing collections (then their payload indexes and aliases) and update mutable parameters; never deletes or recreates',
  } as const;
  for (const [mode, description] of Object.entries(modes) as ['plan' | 'apply', string][]) {
    cmd
      .command(mode)
      .description(description)
      .addOption(new Option('--url <url>', 'Qdrant REST URL, e.g. http://127.0.0.1:6333').env('QDRANT_URL').makeOptionMandatory())
      .addOption(new Option('--api-key <key>', 'API key (better: the environment variable)').env('QDRANT_API_KEY'))
      .option('-c, --config <file>', 'stack config file: qdrant.collections and qdrant.replicas', 'stack.yaml')
      .option('-e, --env <name>', 'use this environment of the config')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .addOption(new Option('--deadline-s <seconds>', 'budget for the whole run, waits and retries included').argParser(seconds).default(60))
      .addHelpText('after', EXIT_CODES)
      .action(async (flags: CollectionsFlags) => {
        const { collectionsAction } = await import('../collections/command');
        setExit(await collectionsAction(mode, flags, io));
      });
  }
  return cmd;
}
