import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** Whether a local `redis-server` exists (CI installs it; elsewhere the tests that need it skip). */
export function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts `redis-server CONFIG` and resolves once it accepts connections; `stop()` ends it. */
export async function startRedisServer(configFile: string, port: number): Promise<{ process: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn('redis-server', [configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (c) => (log += c));
  child.stderr!.on('data', (c) => (log += c));
  const deadline = Date.now() + 10_000;
  while (!/Ready to accept connections/.test(log)) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}) on port ${port}:\n${log}`);
    if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    process: child,
    stop: () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')))),
  };
}
