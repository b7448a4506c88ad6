/**
 * The process around the CLI (bin/qdrant-stack.js): its standard streams, its exit code and the last
 * line of defence for what reaches a user.
 *
 * - A closed pipe (`qdrant-stack --help | head -1`): Node reports the failed write as an 'error' event
 *   of stdout or stderr, which unhandled ends the process with "Error: write EPIPE" and a stack. Here
 *   later writes to that stream are dropped and the command finishes with its own exit code.
 * - Any other failed write (a full disk under `> file`) is said in one line, and the exit code is 1.
 * - An error the commands did not catch (a bug) is said in one line: no stack trace reaches a user
 *   (QDRANT_STACK_DEBUG=1 shows it).
 * - Every output is scrubbed of the secrets the process was given (API key, Redis password, URL
 *   passwords in arguments and environment), beyond what each command already keeps out.
 */
import { redact, urlPasswords } from '../smoke/report';

/** Where the CLI writes (as main.ts's `Io`). */
export interface ProcessIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Environment variables that hold secrets or URLs that may carry one. */
const SECRET_ENV = ['QDRANT_API_KEY', 'REDIS_PASSWORD'];
const URL_ENV = ['QDRANT_URL', 'OLLAMA_URL', 'REDIS_URL'];

/** The secrets in `argv` and `env`: --api-key's value, the secret variables, passwords of URLs. */
export function processSecrets(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const secrets: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === '--api-key' && argv[i + 1] !== undefined) secrets.push(argv[i + 1]);
    if (arg.startsWith('--api-key=')) secrets.push(arg.slice('--api-key='.length));
    secrets.push(...urlPasswords(arg.replace(/^--[a-z-]+=/, '')));
  });
  for (const name of SECRET_ENV) if (env[name]) secrets.push(env[name]!);
  for (const name of URL_ENV) secrets.push(...urlPasswords(env[name]));
  return secrets;
}

/** What a guarded process knows about its streams. */
interface StreamState {
  /** A write failed for another reason than a closed reader: the output is incomplete. */
  lost: boolean;
}

const READER_GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'EIO', 'ECONNRESET']);

/** Handles 'error' on stdout and stderr (see the module comment); returns what happened to them. */
export function guardStreams(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): StreamState {
  const state: StreamState = { lost: false };
  for (const stream of streams) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (READER_GONE.has(e.code ?? '')) return;
      state.lost = true;
      const other = stream === process.stderr ? process.stdout : process.stderr;
      if (other.writable) other.write(`error: cannot write to ${stream === process.stderr ? 'stderr' : 'stdout'} (${e.code ?? e.message})\n`);
    });
  }
  return state;
}

/**
 * Runs `main` (src/cli/main.ts) as the `qdrant-stack` process: guarded streams, scrubbed output, and the
 * exit code it resolves to (1 when output was lost or it threw).
 */
export function runCli(main: (argv: readonly string[], io: ProcessIo) => Promise<number>, argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): void {
  const state = guardStreams();
  const secrets = processSecrets(argv.slice(2), env);
  const write = (stream: NodeJS.WriteStream) => (text: string) => {
    if (stream.writable) stream.write(redact(text, secrets));
  };
  const io: ProcessIo = { out: write(process.stdout), err: write(process.stderr) };
  const fail = (e: unknown) => {
    const debug = env.QDRANT_STACK_DEBUG && e instanceof Error ? `\n${e.stack}` : ' (QDRANT_STACK_DEBUG=1 shows where)';
    io.err(`error: ${e instanceof Error ? e.message : String(e)}${debug}\n`);
    process.exitCode = 1;
  };
  // A file-size limit (ulimit -f) must not kill the process mid-write: ignored, SIGXFSZ makes the write fail
  // with EFBIG, which the writer reports (a report, a render, the code cache) like a full disk.
  if (process.platform !== 'win32') process.on('SIGXFSZ', () => {});
  // After an uncaught error the process is in an unknown state: say it, and end.
  process.on('uncaughtException', (e) => {
    fail(e);
    process.exit();
  });
  Promise.resolve()
    .then(() => main(argv, io))
    .then((code) => {
      process.exitCode = code === 0 && state.lost ? 1 : code;
    }, fail);
}
