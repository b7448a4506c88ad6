import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main';

const ROOT = join(__dirname, '..');

async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'qdrant-stack', ...args], { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'qdrant-stack-cli-'));
}

describe('qdrant-stack synth', () => {
  test('renders the config into the output folder and exits 0', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'stack.yaml'), 'name: demo\nqdrant:\n  storage: { size: 20Gi }\n');
    const result = await run('synth', '--config', join(dir, 'stack.yaml'), '--out', join(dir, 'out'));
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain("synthesized stack 'demo'");
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['.env.example', '.qdrant-stack-files', 'demo-collections.k8s.yaml', 'demo-smoke.k8s.yaml', 'demo.k8s.yaml', 'docker-compose.yml', 'kustomization.yaml']);
    expect(readFileSync(join(dir, 'out', 'demo.k8s.yaml'), 'utf8')).toContain('storage: 20Gi');
  });

  test('replaces stale files of its own in an existing output folder (more cases: test/output.test.ts)', async () => {
    const dir = workdir();
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'old.k8s.yaml'), 'stale');
    writeFileSync(join(dir, 'stack.yaml'), 'name: demo\n');
    expect((await run('synth', '-c', join(dir, 'stack.yaml'), '-o', join(dir, 'out'))).code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['.env.example', '.qdrant-stack-files', 'demo-collections.k8s.yaml', 'demo-smoke.k8s.yaml', 'demo.k8s.yaml', 'docker-compose.yml', 'kustomization.yaml']);
    expect(readdirSync(dir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
  });

  test('an invalid config exits 2, lists every problem on stderr and writes nothing', async () => {
    const dir = workdir();
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'keep.k8s.yaml'), 'previous render');
    writeFileSync(join(dir, 'bad.yaml'), 'name: Bad\nqdrant:\n  collections:\n    - { name: a, vectorSize: -3, distance: Cosine }\n');
    const result = await run('synth', '--config', join(dir, 'bad.yaml'), '--out', join(dir, 'out'));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('bad.yaml: invalid stack config (2 problems)');
    expect(result.stderr).toContain('qdrant.collections[0].vectorSize: must be a positive integer (got -3)');
    expect(result.stderr).toContain('name: must be a DNS-1035 label');
    expect(readdirSync(join(dir, 'out'))).toEqual(['keep.k8s.yaml']);
    expect(readFileSync(join(dir, 'out', 'keep.k8s.yaml'), 'utf8')).toBe('previous render');
    expect(readdirSync(dir).sort()).toEqual(['bad.yaml', 'out']);
  });

  test('an embedding collection that does not match the model exits 2 and writes nothing', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'stack.yaml'), 'qdrant:\n  collections:\n    - { name: docs, vectorSize: 1536, distance: Cosine }\n');
    const result = await run('synth', '--config', join(dir, 'stack.yaml'), '--out', join(dir, 'out'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('qdrant.collections[0].vectorSize: 1536 does not match ollama.embeddingModel mxbai-embed-large (1024 dimensions)');
    expect(readdirSync(dir)).toEqual(['stack.yaml']);
  });

  test('a missing config file exits 2 and says what to do', async () => {
    const dir = workdir();
    const result = await run('synth', '--config', join(dir, 'nope.yaml'), '--out', join(dir, 'out'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nope.yaml: invalid stack config (1 problem):\n  (file): file not found (pass --config FILE, or create stack.yaml from the README)');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('qdrant-stack validate', () => {
  test('a valid config exits 0 with a one-line summary on stdout', async () => {
    const result = await run('validate', '--config', join(ROOT, 'stack.yaml'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/stack\.yaml: valid \(stack 'qdrant-stack', 1 collection\(s\), environments: staging, prod\)/);
  });

  test('an invalid config exits 2', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'stack.yaml'), 'qdrant:\n  replicaz: 3\n');
    const result = await run('validate', '--config', join(dir, 'stack.yaml'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('qdrant.replicaz: unknown key (did you mean "replicas"?');
  });
});

describe('usage', () => {
  test('unknown options and commands exit 2 with a hint', async () => {
    for (const args of [['synth', '--bogus'], ['frobnicate'], ['validate', '--config']]) {
      const result = await run(...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/error: .+\n\(run with --help for usage\)/);
    }
  });

  test('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const result = await run('--version');
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  test('--help lists the commands and the exit codes', async () => {
    const result = await run('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('synth');
    expect(result.stdout).toContain('validate');
    expect(result.stdout).toContain('Exit codes: 0 success, 1 failure, 2 invalid usage or config (smoke: 3 target unreachable or not ready).');
    const sub = await run('synth', '--help');
    expect(sub.stdout).toContain('--config <file>');
    expect(sub.stdout).toContain('--out <dir>');
    expect(sub.stdout).toContain('--force');
  });
});

describe('the installed bin', () => {
  const bin = join(ROOT, 'bin', 'qdrant-stack.js');
  const built = existsSync(join(ROOT, 'lib', 'cli', 'main.js'));

  (built ? test : test.skip)('runs from the compiled package (npm ci builds it) with the same exit codes', () => {
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const dir = workdir();
    writeFileSync(join(dir, 'bad.yaml'), 'qdrant: { replicas: 0 }\n');
    const bad = spawnSync(process.execPath, [bin, 'validate', '--config', join(dir, 'bad.yaml')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('qdrant.replicas: must be a positive integer (got 0)');
    const ok = spawnSync(process.execPath, [bin, 'synth', '--config', join(ROOT, 'stack.yaml'), '--out', join(dir, 'out')], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(readFileSync(join(dir, 'out', 'qdrant-stack.k8s.yaml'), 'utf8')).toBe(readFileSync(join(ROOT, 'dist', 'qdrant-stack.k8s.yaml'), 'utf8'));
  });
});

describe('file system failures say where and what to do', () => {
  test('an output path under a file exits 2 before any work, naming the file in the way', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'blocker'), 'a file, not a folder');
    const result = await run('synth', '--config', join(ROOT, 'stack.yaml'), '--out', join(dir, 'blocker', 'dist'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: --out ${join(dir, 'blocker', 'dist')}: ${join(dir, 'blocker')} is a file, not a folder (move it away, or choose another --out)`);
    expect(readFileSync(join(dir, 'blocker'), 'utf8')).toBe('a file, not a folder');
  });
});
