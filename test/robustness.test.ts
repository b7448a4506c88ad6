/**
 * Robustness of the command line as a process: every command with its output pipe closed by the reader
 * (`qdrant-stack --help | head -1`) ends quietly with its own exit code; no stack trace ever reaches
 * stderr; numbers beyond the model's bounds, config files that are no files or too large, and YAML alias
 * bombs are usage errors (exit 2) that name what is wrong — before anything is read or written.
 * The process tests run the built CLI (bin/qdrant-stack.js on lib/, as installed): `npm test` builds it.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main';
import { processSecrets } from '../src/cli/stdio';
import { MAX_ALIAS_COUNT, MAX_CONFIG_BYTES, resolveConfig } from '../src/config/load';
import { parse, SMOKE_LIMITS } from '../src/smoke/input';
import { runnerMain } from '../src/smoke/runner';
import { startQdrantStandIn, QdrantStandIn } from './smoke/support/qdrant-stand-in';
import { appCollection } from './smoke/support/fixtures';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'qdrant-stack.js');
const dir = mkdtempSync(join(tmpdir(), 'qdrant-stack-robust-'));
const STACK = join(ROOT, 'stack.yaml');

/** Runs the CLI in-process (as test/cli.test.ts does). */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'qdrant-stack', ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

/** Which of the child's output pipes the reader closes right away. */
type Closed = 'none' | 'stdout' | 'stderr' | 'both';

/** Spawns the built CLI; the closed pipes' read ends are closed at once, before the child writes. */
function spawnCli(args: string[], closed: Closed): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    if (closed === 'stdout' || closed === 'both') child.stdout!.destroy();
    else child.stdout!.on('data', (d) => (out += d));
    if (closed === 'stderr' || closed === 'both') child.stderr!.destroy();
    else child.stderr!.on('data', (d) => (err += d));
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

/** A stack trace or Node's report of an unhandled error. */
const STACK_TRACE = /Error:|^\s+at \S|node:internal|Unhandled 'error' event/m;

describe('a closed pipe ends a command quietly, with its own exit code', () => {
  let qdrant: QdrantStandIn;
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'lib', 'cli', 'main.js')) || !existsSync(join(ROOT, 'lib', 'cli', 'stdio.js'))) {
      throw new Error('the CLI is not built: run `npm run build` (npm test does) before this test');
    }
    qdrant = await startQdrantStandIn({ apiKey: 'robust-key-123456', collections: { knowledge: appCollection() } });
    // A render for plan and check to read.
    execFileSync(process.execPath, [BIN, 'synth', '--config', STACK, '--out', join(dir, 'dist')], { stdio: 'ignore' });
  });
  afterAll(() => qdrant?.close());

  const smoke = () => ['smoke', '--url', qdrant.url, '--vectors', '100', '--queries', '5', '--vector-size', '64', '--deadline-s', '5'];
  const commands: [string, () => string[]][] = [
    ['--help', () => ['--help']],
    ['--version', () => ['--version']],
    ['synth', () => ['synth', '--config', STACK, '--out', join(dir, `out-${Math.random().toString(36).slice(2)}`)]],
    ['validate', () => ['validate', '--config', STACK]],
    ['validate (an invalid config)', () => ['validate', '--config', '/dev/zero']],
    ['plan', () => ['plan', '--config', STACK, '--dist', join(dir, 'dist')]],
    ['check', () => ['check', '--config', STACK, '--dist', join(dir, 'dist')]],
    ['compose', () => ['compose', '--config', STACK, '--out', join(dir, `compose-${Math.random().toString(36).slice(2)}`, 'docker-compose.yml')]],
    ['smoke', smoke],
    ['smoke --format json', () => [...smoke(), '--format', 'json']],
    ['smoke (a usage error)', () => ['smoke', '--url', qdrant.url, '--vectors', 'many']],
    ['smoke --help', () => ['smoke', '--help']],
  ];

  test.each(commands)('%s', async (_name, args) => {
    const baseline = await spawnCli(args(), 'none');
    expect(baseline.signal).toBeNull();
    expect([0, 1, 2]).toContain(baseline.code);
    expect(baseline.err).not.toMatch(STACK_TRACE);
    const [noStdout, noStderr, neither] = await Promise.all([spawnCli(args(), 'stdout'), spawnCli(args(), 'stderr'), spawnCli(args(), 'both')]);
    // Quiet: what is still read shows no stack trace and no EPIPE.
    expect(noStdout.err).not.toMatch(STACK_TRACE);
    expect(noStdout.err).not.toMatch(/EPIPE/);
    expect(noStderr.out).not.toMatch(STACK_TRACE);
    // The exit code is the command's, however the reader behaves.
    for (const r of [noStdout, noStderr, neither]) expect({ code: r.code, signal: r.signal }).toEqual({ code: baseline.code, signal: null });
  });

  test('what a command prints is scrubbed of the secrets the process was given, whatever prints it', async () => {
    // A path that looks like a URL with a password: the config error quotes the path.
    const { code, err } = await spawnCli(['validate', '--config', 'http://admin:SECRET-pw-4711@example/stack.yaml'], 'none');
    expect(code).toBe(2);
    expect(err).toContain('http://admin:***@example/stack.yaml');
    expect(err).not.toContain('SECRET-pw-4711');
    expect(processSecrets(['smoke', '--api-key', 'k-123456', '--url=http://admin:p%40ss@h', '--redis-url', 'redis://:rpw-1234@r'], { REDIS_PASSWORD: 'env-pw-1234', QDRANT_URL: 'http://u:qpw-5678@q', OLLAMA_URL: 'http://o' }).sort()).toEqual(
      ['env-pw-1234', 'k-123456', 'p%40ss', 'p@ss', 'qpw-5678', 'rpw-1234'],
    );
  });

  test('`--help | head -1` in a shell: the first line, exit 0, nothing on stderr', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" --help | head -1; echo "exit=\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^Usage: qdrant-stack .*\nexit=0\n$/);
    expect(r.stderr).toBe('');
  });
});

describe('numbers are bounded as the model bounds them (exit 2 before any request)', () => {
  let qdrant: QdrantStandIn;
  beforeAll(async () => {
    qdrant = await startQdrantStandIn({ collections: { knowledge: appCollection() } });
  });
  afterAll(() => qdrant.close());

  it.each([
    [['--vectors', '99999999999999999999'], /--vectors <n>.*expected a number of vectors, a positive integer up to 1000000/],
    [['--vectors', '1000001'], /up to 1000000/],
    [['--vector-size', '100000000'], /--vector-size <n>.*expected a vector size, a positive integer up to 65536/],
    [['--queries', '100001'], /--queries <m>.*expected a number of queries, a positive integer up to 100000/],
  ])('%j', async (args, message) => {
    const { code, err } = await run('smoke', '--url', qdrant.url, ...args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).not.toMatch(STACK_TRACE);
    expect(qdrant.log).toEqual([]);
  });

  it.each([
    ['SMOKE_VECTORS', '99999999999999999999', /SMOKE_VECTORS: expected a number of vectors, a positive integer up to 1000000/],
    ['SMOKE_VECTOR_SIZE', '100000000', /SMOKE_VECTOR_SIZE: expected a vector size, a positive integer up to 65536/],
    ['SMOKE_QUERIES', '100001', /SMOKE_QUERIES: expected a number of queries, a positive integer up to 100000/],
  ])('the runner refuses %s=%s', async (name, value, message) => {
    let err = '';
    const code = await runnerMain({ QDRANT_URL: qdrant.url, [name]: value }, { out: () => undefined, err: (t) => void (err += t) });
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(qdrant.log).toEqual([]);
  });

  it('takes the bounds themselves', () => {
    expect(parse.int('n', SMOKE_LIMITS.vectors)(String(SMOKE_LIMITS.vectors))).toBe(1_000_000);
    expect(parse.int('n', SMOKE_LIMITS.vectorSize)(String(SMOKE_LIMITS.vectorSize))).toBe(65_536);
    expect(parse.int('n', SMOKE_LIMITS.queries)(String(SMOKE_LIMITS.queries))).toBe(100_000);
  });

  it('are the stack model\'s bounds (smoke.vectors, smoke.queries, a collection\'s vectorSize)', () => {
    const model = (vectors: number, queries: number, vectorSize: number) =>
      () => resolveConfig({ smoke: { vectors, queries }, ollama: { enabled: false }, qdrant: { collections: [{ name: 'c', vectorSize, distance: 'Cosine' }] } });
    const { vectors, queries, vectorSize } = SMOKE_LIMITS;
    expect(model(vectors, queries, vectorSize)).not.toThrow();
    expect(model(vectors + 1, queries, vectorSize)).toThrow(/smoke\.vectors/);
    expect(model(vectors, queries + 1, vectorSize)).toThrow(/smoke\.queries/);
    expect(model(vectors, queries, vectorSize + 1)).toThrow(/vectorSize/);
  });
});

describe('config files: no special files, no huge files, no alias bombs (exit 2, naming the file)', () => {
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it.each([
    ['/dev/zero', 'is not a regular file (a device, pipe or socket), expected a YAML file'],
    ['/dev/urandom', 'is not a regular file (a device, pipe or socket), expected a YAML file'],
    [tmpdir(), 'is a folder, expected a YAML file'],
  ])('%s', async (path, message) => {
    for (const args of [['validate', '--config', path], ['smoke', '--url', 'http://127.0.0.1:1', '--config', path]]) {
      const { code, err } = await run(...args);
      expect(code).toBe(2);
      expect(err).toContain(`${path}: invalid stack config`);
      expect(err).toContain(message);
    }
  });

  it('a named pipe is refused at once, not waited on', async () => {
    const fifo = join(dir, 'stack.fifo');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const { code, err } = await run('validate', '--config', fifo);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(code).toBe(2);
    expect(err).toContain('is not a regular file');
  });

  it(`a file above ${MAX_CONFIG_BYTES / 1024 / 1024} MiB is refused before it is read`, async () => {
    const big = file('big.yaml', `# ${'x'.repeat(MAX_CONFIG_BYTES)}\nname: big\n`);
    const { code, err } = await run('validate', '--config', big);
    expect(code).toBe(2);
    expect(err).toContain(`${big}: invalid stack config`);
    expect(err).toMatch(/is \d+ bytes, more than the 1 MiB a stack config may have/);
    // Just below the limit is read as usual.
    const fits = file('fits.yaml', `# ${'x'.repeat(MAX_CONFIG_BYTES - 100)}\nname: fits\n`);
    expect((await run('validate', '--config', fits)).code).toBe(0);
  });

  it('a YAML alias bomb is a config error naming the file (not exit 1 with no file)', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) levels.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9).fill(`*${'abcdefghi'[i - 1]}`).join(',')}]`);
    const bomb = file('bomb.yaml', `${levels.join('\n')}\n`);
    const started = Date.now();
    const { code, err } = await run('validate', '--config', bomb);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(code).toBe(2);
    expect(err).toContain(`${bomb}: invalid stack config (1 problem)`);
    expect(err).toContain(`(yaml): aliases expand too often (more than ${MAX_ALIAS_COUNT} expansions`);
  });

  it('anchors and a few aliases still work', async () => {
    const ok = file('anchors.yaml', 'name: anchored\nqdrant:\n  collections:\n    - { name: a, vectorSize: 1024, distance: &d Cosine, embeddings: true }\n    - { name: b, vectorSize: 1024, distance: *d }\n');
    const { code, err } = await run('validate', '--config', ok);
    expect(err).toBe('');
    expect(code).toBe(0);
  });
});
