/**
 * "Never lose a user's data on their machine": what synth, compose and smoke do with a careless --out.
 * Each test sets up a folder as a user might have it and checks that a refusal (exit 2) leaves it exactly
 * as it was, and that no temporary file or folder survives a failure or a signal.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main';
import { resolveConfig } from '../src/config/load';
import { MARKER_FILE, OutputError } from '../src/output';
import { renderStack } from '../src/synth';
import { startQdrantStandIn } from './smoke/support/qdrant-stand-in';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'qdrant-stack.js');
const built = existsSync(join(ROOT, 'lib', 'cli', 'main.js'));
const asRoot = process.getuid?.() === 0;
const RENDER = ['.env.example', MARKER_FILE, 'demo-collections.k8s.yaml', 'demo-smoke.k8s.yaml', 'demo.k8s.yaml', 'docker-compose.yml', 'kustomization.yaml'];

async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'qdrant-stack', ...args], { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** Runs the built CLI in `cwd`; with `maxFileBytes` 0 every write to a file fails (EFBIG), as on a full disk. */
function bin(cwd: string, args: string[], { maxFileBytes }: { maxFileBytes?: number } = {}) {
  const argv = maxFileBytes === undefined ? [process.execPath, BIN, ...args] : ['bash', '-c', `ulimit -f ${maxFileBytes} && exec "$0" "$@"`, process.execPath, BIN, ...args];
  const r = spawnSync(argv[0], argv.slice(1), { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qdrant-stack-output-'));
  writeFileSync(join(dir, 'stack.yaml'), 'name: demo\n');
  return dir;
}

/** Everything under `dir`: files by content, symlinks by target, folders by a trailing `/`. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = join(rel, name);
      const stat = lstatSync(join(dir, path));
      if (stat.isSymbolicLink()) out[path] = `-> ${readlinkSync(join(dir, path))}`;
      else if (stat.isDirectory()) {
        out[`${path}/`] = '';
        walk(path);
      } else out[path] = readFileSync(join(dir, path), 'utf8');
    }
  };
  walk('');
  return out;
}

/** Temporary files and folders any writer might leave: `.tmp-*`, `X.tmp-PID`, write-file-atomic's `X.<number>`. */
const leftovers = (dir: string) => Object.keys(snapshot(dir)).filter((p) => /(^|\/)\.tmp-|\.tmp-\d+$|\.\d+$|\.old\/?$/.test(p));

describe('synth --out: a folder is replaced only when qdrant-stack wrote everything in it', () => {
  test('a folder holding a file qdrant-stack did not write is refused (exit 2, naming it) and left as it was', async () => {
    const dir = workdir();
    expect((await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'))).code).toBe(0);
    writeFileSync(join(dir, 'out', 'notes.txt'), 'my notes');
    mkdirSync(join(dir, 'out', '.git'));
    const before = snapshot(dir);
    const result = await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: --out ${join(dir, 'out')}: holds files qdrant-stack did not write: .git/, notes.txt (move them away, choose another --out, or pass --force)\n`);
    expect(snapshot(dir)).toEqual(before);
  });

  test('a file with a name qdrant-stack writes, but not listed in the marker, is foreign too', async () => {
    const dir = workdir();
    expect((await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'))).code).toBe(0);
    writeFileSync(join(dir, 'out', 'my-extra.k8s.yaml'), 'kind: ConfigMap\n');
    const result = await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('holds files qdrant-stack did not write: my-extra.k8s.yaml');
    expect(readFileSync(join(dir, 'out', 'my-extra.k8s.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
  });

  test('--force replaces a folder holding foreign files', async () => {
    const dir = workdir();
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'notes.txt'), 'my notes');
    const result = await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'), '--force');
    expect(result.code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(RENDER);
    expect(leftovers(dir)).toEqual([]);
  });

  test('outputs qdrant-stack no longer renders are removed; the marker lists exactly what each folder holds', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'stack.yaml'), 'name: demo\nenvironments:\n  qa: {}\n');
    expect((await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'))).code).toBe(0);
    expect(readFileSync(join(dir, 'out', MARKER_FILE), 'utf8')).toMatch(/\n\.env\.example\ndemo-collections\.k8s\.yaml\ndemo-smoke\.k8s\.yaml\ndemo\.k8s\.yaml\ndocker-compose\.yml\nkustomization\.yaml\nqa\/\n$/);
    expect(readdirSync(join(dir, 'out', 'qa')).sort()).toEqual(RENDER);
    writeFileSync(join(dir, 'stack.yaml'), 'name: renamed\n');
    // A renamed stack leaves the old one's volumes behind: refused until acknowledged.
    expect((await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'))).code).toBe(2);
    expect((await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'), '--allow-data-migration')).code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['.env.example', MARKER_FILE, 'docker-compose.yml', 'kustomization.yaml', 'renamed-collections.k8s.yaml', 'renamed-smoke.k8s.yaml', 'renamed.k8s.yaml']);
    expect(readFileSync(join(dir, 'out', MARKER_FILE), 'utf8')).not.toMatch(/demo|qa/);
  });

  test('a folder without a marker that holds only names qdrant-stack writes (a render from before markers) is taken over', async () => {
    const dir = workdir();
    for (const folder of ['out', 'out/prod']) {
      mkdirSync(join(dir, folder));
      for (const f of ['old-name.k8s.yaml', 'kustomization.yaml', 'docker-compose.yml', '.env.example']) writeFileSync(join(dir, folder, f), 'previous render');
    }
    const result = await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'));
    expect(result.code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(RENDER);
    expect(readFileSync(join(dir, 'out', MARKER_FILE), 'utf8')).toContain('\ndemo.k8s.yaml\n');
  });

  test('a folder without a marker holding anything else is refused, a foreign subfolder named as a whole', async () => {
    const dir = workdir();
    mkdirSync(join(dir, 'out', '.git', 'objects'), { recursive: true });
    writeFileSync(join(dir, 'out', '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(dir, 'out', 'docker-compose.yml'), 'services: {}\n');
    writeFileSync(join(dir, 'out', 'deploy.sh'), '#!/bin/sh\n');
    const before = snapshot(dir);
    const result = await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('holds files qdrant-stack did not write: .git/, deploy.sh (');
    expect(snapshot(dir)).toEqual(before);
  });

  test('renderStack, the library call, applies the same rule: refused unless force', () => {
    const dir = workdir();
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'notes.txt'), 'mine');
    const config = resolveConfig({ name: 'demo' });
    expect(() => renderStack(config, join(dir, 'out'))).toThrow(OutputError);
    expect(readdirSync(join(dir, 'out'))).toEqual(['notes.txt']);
    renderStack(config, join(dir, 'out'), undefined, { force: true });
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(RENDER);
    expect(leftovers(dir)).toEqual([]);
  });

  test('--env renders <out>/<env>/ with its own marker, which a later full synth takes over', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'stack.yaml'), 'name: demo\nenvironments:\n  qa: {}\n');
    expect((await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'), '--env', 'qa')).code).toBe(0);
    expect(readdirSync(join(dir, 'out', 'qa')).sort()).toEqual(RENDER);
    expect((await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'))).code).toBe(0);
  });

  (built ? test : test.skip)('--out . (the folder of the config) is refused, even with --force; nothing is touched', () => {
    const dir = workdir();
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'README.md'), '# mine\n');
    const before = snapshot(dir);
    for (const args of [['synth', '--out', '.'], ['synth', '--out', '.', '--force']]) {
      const result = bin(dir, args);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('error: --out .: holds the config file stack.yaml; qdrant-stack replaces the whole folder, so it never renders there, not even with --force (choose a folder of its own, e.g. dist)\n');
      expect(snapshot(dir)).toEqual(before);
    }
  });

  (built ? test : test.skip)('the current folder and its parents are refused even when they do not hold the config', () => {
    const dir = workdir();
    mkdirSync(join(dir, 'work'));
    const result = bin(join(dir, 'work'), ['synth', '-c', join(dir, 'stack.yaml'), '--out', '..', '--force']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--out ..: holds the config file');
    const here = bin(join(dir, 'work'), ['synth', '-c', join(dir, 'stack.yaml'), '--out', '.', '--force']);
    expect(here.code).toBe(2);
    expect(here.stderr).toContain('--out .: is the current folder');
    expect(readdirSync(dir).sort()).toEqual(['stack.yaml', 'work']);
  });

  (built ? test : test.skip)('--out "" (an unset $OUT) is refused, and the current folder stays as it was', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const before = snapshot(dir);
    for (const args of [['synth', '--out', ''], ['synth', '--out', '', '--env', 'prod']]) {
      const result = bin(dir, args);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('error: --out: empty path (expected a folder, e.g. dist)\n');
    }
    expect(snapshot(dir)).toEqual(before);
  });

  test.each(['stack.yaml', 'README.md'])('--out %s (a file) is refused and the file is untouched', async (name) => {
    const dir = workdir();
    writeFileSync(join(dir, 'README.md'), '# mine\n');
    const before = snapshot(dir);
    const result = await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, name));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: --out ${join(dir, name)}: is a file, not a folder (expected a folder qdrant-stack may replace, e.g. dist)\n`);
    expect(snapshot(dir)).toEqual(before);
  });

  test('a symlinked --out stays a link: the render lands in its target', async () => {
    const dir = workdir();
    mkdirSync(join(dir, 'real'));
    symlinkSync('real', join(dir, 'link'));
    expect((await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'link'))).code).toBe(0);
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(dir, 'real')).sort()).toEqual(RENDER);
    expect((await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'link'))).code).toBe(0); // and again, over its own render
    expect(readlinkSync(join(dir, 'link'))).toBe('real');
    expect(leftovers(dir)).toEqual([]);
  });

  test('a device or a FIFO as --out is refused as a special file', async () => {
    const dir = workdir();
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    for (const out of ['/dev/null', join(dir, 'fifo')]) {
      const result = await run('synth', '-c', join(dir, 'stack.yaml'), '-o', out);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`error: --out ${out}: is a special file (device, FIFO or socket), not a folder (expected a folder qdrant-stack may replace, e.g. dist)\n`);
    }
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(lstatSync(join(dir, 'fifo')).isFIFO()).toBe(true);
  });

  (asRoot ? test.skip : test)('a read-only output folder is refused and left as it was: no .old, no temporary folder', async () => {
    const dir = workdir();
    expect((await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'))).code).toBe(0);
    chmodSync(join(dir, 'out'), 0o555);
    try {
      const before = snapshot(dir);
      const result = await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('cannot replace it, read-only: .');
      expect(snapshot(dir)).toEqual(before);
    } finally {
      chmodSync(join(dir, 'out'), 0o755);
    }
  });

  (built ? test : test.skip)('a write failure (full disk) leaves the previous render and no temporary folder', () => {
    const dir = workdir();
    expect(bin(dir, ['synth', '--out', 'out']).code).toBe(0);
    const before = snapshot(dir);
    const result = bin(dir, ['synth', '--out', 'out'], { maxFileBytes: 0 });
    expect(result.code).toBe(1);
    expect(snapshot(dir)).toEqual(before);
  });

  (built ? test : test.skip)('SIGTERM during a render leaves the old render or the new one, and no temporary folder', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'old.yaml'), 'name: old\n');
    expect(bin(dir, ['synth', '-c', join(ROOT, 'stack.yaml'), '--out', 'new']).code).toBe(0);
    const renders = { old: {}, new: snapshot(join(dir, 'new')) };
    // Kill it while the render is staged beside the output (retried, should the render outrun the poll).
    let caught = false;
    for (let attempt = 0; attempt < 5 && !caught; attempt++) {
      rmSync(join(dir, 'out'), { recursive: true, force: true });
      expect(bin(dir, ['synth', '-c', 'old.yaml', '--out', 'out']).code).toBe(0);
      renders.old = snapshot(join(dir, 'out'));
      // Another stack over it leaves the old one's volumes behind: acknowledged.
      const child = spawn(process.execPath, [BIN, 'synth', '--config', join(ROOT, 'stack.yaml'), '--out', 'out', '--allow-data-migration'], { cwd: dir, stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      const poll = setInterval(() => {
        if (!caught && readdirSync(dir).some((f) => f.startsWith('.tmp-out-'))) {
          caught = true;
          child.kill('SIGTERM');
        }
      }, 1);
      await exited;
      clearInterval(poll);
      expect(leftovers(dir)).toEqual([]);
      expect([renders.old, renders.new]).toContainEqual(snapshot(join(dir, 'out')));
    }
    expect(caught).toBe(true);
  }, 60_000);
});

describe('compose --out: never the config, never .env, never an edited file', () => {
  test.each([
    ['.env', 'is a .env file, where the real secrets live; qdrant-stack never writes one (choose another --out)'],
    ['stack.yaml', 'is the config file'],
    ['.env.example', 'compose writes .env.example beside the Compose file, so the two would collide'],
  ])('--out %s is refused (exit 2) and nothing is written', async (name, message) => {
    const dir = workdir();
    writeFileSync(join(dir, '.env'), 'QDRANT_API_KEY=real-secret\n');
    writeFileSync(join(dir, '.env.example'), '# my own template\nQDRANT_API_KEY=\n');
    const before = snapshot(dir);
    const result = await run('compose', '-c', join(dir, 'stack.yaml'), '--out', join(dir, name));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: --out ${join(dir, name)}: ${message}`);
    expect(snapshot(dir)).toEqual(before);
  });

  test('a .env.example that is a symlink to .env is never written through', async () => {
    const dir = workdir();
    writeFileSync(join(dir, '.env'), 'QDRANT_API_KEY=real-secret\n');
    symlinkSync('.env', join(dir, '.env.example'));
    const result = await run('compose', '-c', join(dir, 'stack.yaml'), '--out', join(dir, 'docker-compose.yml'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, '.env.example')} (written beside --out) (a symlink to ${join(dir, '.env')}): is a .env file`);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('QDRANT_API_KEY=real-secret\n');
    expect(existsSync(join(dir, 'docker-compose.yml'))).toBe(false);
  });

  test('an edited .env.example is kept (exit 2, naming it) unless --force; an unedited older template is updated', async () => {
    const dir = workdir();
    const compose = ['compose', '-c', join(dir, 'stack.yaml'), '--out', join(dir, 'docker-compose.yml')];
    expect((await run(...compose)).code).toBe(0);
    const template = readFileSync(join(dir, '.env.example'), 'utf8');
    // An older render (one secret more): still ours, replaced.
    writeFileSync(join(dir, '.env.example'), `${template}OLD_SECRET=\n`);
    expect((await run(...compose)).code).toBe(0);
    expect(readFileSync(join(dir, '.env.example'), 'utf8')).toBe(template);
    // Edited: a value filled in.
    const edited = template.replace('QDRANT_API_KEY=', 'QDRANT_API_KEY=dev-key');
    writeFileSync(join(dir, '.env.example'), edited);
    const before = snapshot(dir);
    const refused = await run(...compose);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`error: ${join(dir, '.env.example')} (written beside --out): exists and was not written by qdrant-stack, or was edited since (move it away, choose another --out, or pass --force)\n`);
    expect(snapshot(dir)).toEqual(before);
    expect((await run(...compose, '--force')).code).toBe(0);
    expect(readFileSync(join(dir, '.env.example'), 'utf8')).toBe(template);
  });

  test('a Compose file qdrant-stack did not write is kept unless --force; its own is replaced', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'docker-compose.yml'), 'services:\n  mine: { image: nginx }\n');
    const compose = ['compose', '-c', join(dir, 'stack.yaml'), '--out', join(dir, 'docker-compose.yml')];
    const refused = await run(...compose);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`error: --out ${join(dir, 'docker-compose.yml')}: exists and was not written by qdrant-stack`);
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toBe('services:\n  mine: { image: nginx }\n');
    expect(existsSync(join(dir, '.env.example'))).toBe(false);
    expect((await run(...compose, '--force')).code).toBe(0);
    expect((await run(...compose)).code).toBe(0);
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toContain('name: demo');
  });

  test('every problem at once: a folder as --out and a FIFO as .env.example', async () => {
    const dir = workdir();
    mkdirSync(join(dir, 'out', 'compose.yml'), { recursive: true });
    execFileSync('mkfifo', [join(dir, 'out', '.env.example')]);
    const result = await run('compose', '-c', join(dir, 'stack.yaml'), '--out', join(dir, 'out', 'compose.yml'));
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      `error: --out ${join(dir, 'out', 'compose.yml')}: is a folder, not a regular file (expected a file path, e.g. docker-compose.yml)`,
      `error: ${join(dir, 'out', '.env.example')} (written beside --out): is a special file (device, FIFO or socket), not a regular file (expected a file path, e.g. .env.example)`,
    ]);
  });

  (built ? test : test.skip)('a write failure (full disk) leaves no temporary file and the previous files whole', () => {
    const dir = workdir();
    expect(bin(dir, ['compose']).code).toBe(0);
    writeFileSync(join(dir, 'stack.yaml'), 'name: other\n');
    const before = snapshot(dir);
    const result = bin(dir, ['compose'], { maxFileBytes: 0 });
    expect(result.code).toBe(1);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('smoke --out: checked before the run; a report that cannot be written still gives the verdict', () => {
  test.each([
    [['--out', 'stack.yaml'], 'error: --out stack.yaml: is the config file stack.yaml; qdrant-stack never writes over it (choose another --out, e.g. smoke.xml)'],
    [['--config', 'stack.yaml', '--out', './stack.yaml'], 'error: --out ./stack.yaml: is the config file stack.yaml'],
    [['--out', '.env'], 'error: --out .env: is a .env file, where the real secrets live'],
    [['--out', 'reports'], 'error: --out reports: is a folder, not a regular file'],
    [['--out', 'missing/smoke.xml'], 'error: --out missing/smoke.xml: the folder missing does not exist (create it, or choose another --out)'],
    [['--out', '/dev/null'], 'error: --out /dev/null: is a special file'],
    [['--out', ''], 'error: --out: empty path (expected a file, e.g. smoke.xml)'],
  ])('%j exits 2 at once, before any request, and writes nothing', async (args, message) => {
    const dir = workdir();
    writeFileSync(join(dir, 'stack.yaml'), 'name: demo\nollama: { enabled: false }\n');
    writeFileSync(join(dir, '.env'), 'REDIS_PASSWORD=real-secret\n');
    mkdirSync(join(dir, 'reports'));
    const before = snapshot(dir);
    let requests = 0;
    const qdrant = await startQdrantStandIn({ onRequest: () => void requests++ });
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const result = await run('smoke', '--url', qdrant.url, '--deadline-s', '60', ...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stdout).toBe('');
    } finally {
      process.chdir(cwd);
      await qdrant.close();
    }
    expect(requests).toBe(0);
    expect(snapshot(dir)).toEqual(before);
  });

  (built ? test : test.skip)('a report that cannot be written (full disk) goes to stdout, the old report stays whole, the verdict (3) stays', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'smoke.json'), '{"previous": "report"}\n');
    const result = bin(dir, ['smoke', '--url', 'http://127.0.0.1:1', '--deadline-s', '0.3', '--format', 'json', '--out', 'smoke.json'], { maxFileBytes: 0 });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('error: --out smoke.json: cannot write the report (');
    expect(result.stderr).toContain('it follows on stdout instead');
    expect(JSON.parse(result.stdout).checks[0]).toMatchObject({ name: 'qdrant.reachable', status: 'fail' });
    expect(readFileSync(join(dir, 'smoke.json'), 'utf8')).toBe('{"previous": "report"}\n');
    expect(readdirSync(dir).sort()).toEqual(['smoke.json', 'stack.yaml']);
  });

  test('a symlinked --out is resolved: the report replaces the target, the link stays', async () => {
    const dir = workdir();
    mkdirSync(join(dir, 'reports'));
    writeFileSync(join(dir, 'reports', 'latest.json'), 'old');
    symlinkSync('reports/latest.json', join(dir, 'smoke.json'));
    const result = await run('smoke', '--url', 'http://127.0.0.1:1', '--deadline-s', '0.2', '--format', 'json', '--out', join(dir, 'smoke.json'));
    expect(result.code).toBe(3);
    expect(readlinkSync(join(dir, 'smoke.json'))).toBe('reports/latest.json');
    expect(JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8')).checks[0].name).toBe('qdrant.reachable');
    expect(leftovers(dir)).toEqual([]);
    unlinkSync(join(dir, 'smoke.json'));
  });
});
