/**
 * Robustness of the command line: config files that are no files or too large, and YAML alias bombs,
 * are usage errors (exit 2) that name what is wrong — before anything is read.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main';
import { MAX_ALIAS_COUNT, MAX_CONFIG_BYTES } from '../src/config/load';

const dir = mkdtempSync(join(tmpdir(), 'qdrant-stack-robust-'));

/** Runs the CLI in-process (as test/cli.test.ts does). */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'qdrant-stack', ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

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
    expect(Date.now() - started).toBeLessThan(2_000);
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
