/**
 * `qdrant-stack smoke`: the post-deploy verdict (health, schema, search latency, companions).
 * Options and behaviour live in src/smoke/command.ts, shared with the in-cluster runner.
 * Exit codes: 0 pass, 1 a check failed, 2 usage or config error, 3 unreachable or not ready in time.
 */
import type { Command } from 'commander';
import { defineSmokeOptions, Flags, smokeAction, SmokeIo } from '../smoke/command';

/** Registers `smoke` on the `qdrant-stack` program. `setExit` receives 0, 1, 2 or 3. */
export function registerSmokeCommand(program: Command, io: SmokeIo, setExit: (code: number) => void): Command {
  const cmd = program.command('smoke').description('verify a deployed stack: health, schema, search latency, companions');
  defineSmokeOptions(cmd).action((flags: Flags, command: Command) => smokeAction(command, flags, io, setExit));
  return cmd;
}
