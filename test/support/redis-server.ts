/**
 * A real `redis-server` on a free loopback port, for every test that talks to Redis. Tests that need it
 * skip, saying why, when the binary is not installed (CI installs it: `apt-get install -y redis-server`).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface RunningRedis {
  readonly port: number;
  stop(): Promise<void>;
}

export interface RedisServer extends RunningRedis {
  readonly url: string;
  readonly password: string;
}

/** Path of redis-server, or undefined when it is not installed. */
export function findRedisServer(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export const hasRedisServer = (): boolean => findRedisServer() !== undefined;

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Spawns redis-server with `args` (and optional config on stdin); resolves once it accepts connections. */
async function spawnRedis(args: string[], port: number, stdin?: string): Promise<RunningRedis> {
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.end(stdin ?? '');
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port}: ${out.slice(-500)}`)), 10_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) (clearTimeout(timer), resolve());
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => (clearTimeout(timer), reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`))));
  });
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** redis-server with a given config file, which must listen on `port`. */
export function startRedisServer(configFile: string, port: number): Promise<RunningRedis> {
  return spawnRedis([configFile], port);
}

/** An ephemeral redis-server with a password (given on stdin as config, never in argv, so `ps` never shows it). */
export async function startRedis(password: string): Promise<RedisServer> {
  const port = await freePort();
  const running = await spawnRedis(['-'], port, `port ${port}\nbind 127.0.0.1\nrequirepass ${password}\nsave ""\nappendonly no\n`);
  return { ...running, url: `redis://127.0.0.1:${port}`, password };
}
