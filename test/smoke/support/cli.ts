/** `qdrant-stack smoke` in-process, wired as src/cli/main.ts wires it: exit code and both outputs. */
import { Command, CommanderError } from 'commander';
import { registerSmokeCommand } from '../../../src/cli/smoke-command';

/** Runs `qdrant-stack smoke ...args` with `env` added to process.env for the run. */
export async function smokeCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  let code = 0;
  const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
  const program = new Command('qdrant-stack').exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  registerSmokeCommand(program, io, (c) => (code = c));
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    await program.parseAsync(['node', 'qdrant-stack', 'smoke', ...args]);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = e.exitCode === 0 ? 0 : 2; // main.ts: any usage error exits 2
  } finally {
    for (const k of Object.keys(env)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
  return { code, out, err };
}
