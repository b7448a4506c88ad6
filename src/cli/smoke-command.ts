/**
 * `qdrant-stack smoke`: the post-deploy verdict (health, schema, search latency, companions).
 * Options live in src/smoke/flags.ts (shared with the in-cluster runner); they, the action and its clients
 * are loaded only when the command runs (or its help is asked for), so the rest of the CLI starts fast.
 * Exit codes: 0 pass, 1 a check failed, 2 usage or config error, 3 unreachable or not ready in time.
 */
import { Help, type Command } from 'commander';
import type { SmokeIo } from '../smoke/command';
import type { Flags } from '../smoke/flags';

/** Each registered smoke command's loader of its options (once). */
const loaders = new WeakMap<Command, () => Promise<void>>();

/**
 * Registers `smoke` on the `qdrant-stack` program. `setExit` receives 0, 1, 2 or 3. Its options are added
 * when the program dispatches to it; `loadSmokeOptions` adds them before (e.g. for `help smoke`).
 */
export function registerSmokeCommand(program: Command, io: SmokeIo, setExit: (code: number) => void): Command {
  const cmd = program.command('smoke').description('verify a deployed stack: health, schema, search latency, companions');
  let loaded: Promise<void> | undefined;
  const load = () =>
    (loaded ??= import('../smoke/flags').then(({ defineSmokeOptions }) => {
      defineSmokeOptions(cmd).action(async (flags: Flags, command: Command) => {
        const { smokeAction } = await import('../smoke/command');
        await smokeAction(command, flags, io, setExit);
      });
    }));
  loaders.set(cmd, load);
  program.hook('preSubcommand', async (_program, sub) => {
    if (sub === cmd) await load();
  });
  // The program's help lists it as it lists a command with options, loaded or not: "smoke [options]".
  const help = program.configureHelp();
  program.configureHelp({
    ...help,
    subcommandTerm(this: Help, sub: Command) {
      const term = (help.subcommandTerm ?? Help.prototype.subcommandTerm).call(this, sub);
      return sub === cmd && sub.options.length === 0 ? term.replace(/^smoke/, 'smoke [options]') : term;
    },
  });
  return cmd;
}

/** Adds the options (and the action) of a `smoke` command of registerSmokeCommand now. */
export function loadSmokeOptions(cmd: Command): Promise<void> {
  return loaders.get(cmd)?.() ?? Promise.resolve();
}
