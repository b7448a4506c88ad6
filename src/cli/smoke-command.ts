/**
 * `qdrant-stack smoke`: the post-deploy verdict (health, schema, search latency, companions).
 * Options live in src/smoke/flags.ts (shared with the in-cluster runner); the action and its clients are
 * loaded only when the command runs, so the rest of the CLI starts fast.
 * Exit codes: 0 pass, 1 a check failed, 2 usage or config error, 3 unreachable or not ready in time.
 */
import type { Command } from 'commander';
import type { SmokeIo } from '../smoke/command';
import { defineSmokeOptions, Flags } from '../smoke/flags';

/** Registers `smoke` on the `qdrant-stack` program. `setExit` receives 0, 1, 2 or 3. */
export function registerSmokeCommand(program: Command, io: SmokeIo, setExit: (code: number) => void): Command {
  const cmd = program.command('smoke').description('verify a deployed stack: health, schema, search latency, companions');
  defineSmokeOptions(cmd).action(async (flags: Flags, command: Command) => {
    const { smokeAction } = await import('../smoke/command');
    await smokeAction(command, flags, io, setExit);
  });
  return cmd;
}
