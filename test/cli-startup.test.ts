/**
 * Cold start of the built CLI (bin/qdrant-stack.js on the bundle lib/cli.cjs, `npm test` builds it): each
 * command loads only what it uses. `--version`, `--help` and a usage error load none of the heavy packages;
 * the commands that render load no client of a running service, and only `check` the Kubernetes schemas.
 * zod is inside the bundle (not in require.cache): whether it ran shows in the global it sets up.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'qdrant-stack.js');
const STACK = join(ROOT, 'stack.yaml');

interface Run {
  code: number | null;
  out: string;
  /** The packages it loaded (from require.cache), by their folder in node_modules (cdk8s' own yaml is `cdk8s`). */
  packages: string[];
  /** The files of ours it loaded, relative to the package. */
  ours: string[];
  /** Whether zod (bundled) ran. */
  zod: boolean;
}

/** Runs the bin with `args`; returns its exit code, stdout, and what it loaded. */
function cli(...args: string[]): Run {
  const script = `
    process.on('exit', () => {
      const names = new Set();
      const ours = [];
      for (const file of Object.keys(require.cache)) {
        const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file);
        if (m) names.add(m[1].replace(/\\\\/g, '/'));
        else if (file.startsWith(${JSON.stringify(ROOT)})) ours.push(file.slice(${JSON.stringify(ROOT)}.length + 1).replace(/\\\\/g, '/'));
      }
      const loaded = { packages: [...names].sort(), ours: ours.sort(), zod: globalThis.__zod_globalConfig !== undefined };
      process.stderr.write('\\nLOADED ' + JSON.stringify(loaded) + '\\n');
    });
    process.argv = [process.argv[0], ${JSON.stringify(BIN)}, ...${JSON.stringify(args)}];
    require(${JSON.stringify(BIN)});
  `;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: mkdtempSync(join(tmpdir(), 'qdrant-stack-startup-')), encoding: 'utf8' });
  const line = /\nLOADED (.*)\n$/.exec(r.stderr);
  if (!line) throw new Error(`no module list in stderr: ${r.stderr}`);
  return { code: r.status, out: r.stdout, ...(JSON.parse(line[1]) as Pick<Run, 'packages' | 'ours' | 'zod'>) };
}

const RENDERING = ['cdk8s', 'cdk8s-plus-27', 'constructs'];
const CLIENTS = ['undici', '@qdrant/js-client-rest', '@redis/client', 'cli-progress', 'xmlbuilder2'];

describe('qdrant-stack startup loads only what the command uses', () => {
  test.each([[['--version']], [['-V']], [['--help']], [['help']], [['synth', '--help']], [['collections', '--help']], [['no-such-command']]])('%j: commander only', (args) => {
    const { code, packages } = cli(...args);
    expect(code).toBe(args[0] === 'no-such-command' ? 2 : 0);
    expect(packages).toEqual(['commander']);
  });

  test('the bin runs the bundle, with its code cache loader, and nothing else of lib/', () => {
    const { ours, zod } = cli('--version');
    expect(ours).toEqual(['bin/qdrant-stack.js', 'lib/cli.cjs', 'lib/cli/compile-cache.js']);
    expect(zod).toBe(false);
  });

  test('--version prints the version', () => {
    expect(cli('--version').out).toBe(`${(require('../package.json') as { version: string }).version}\n`);
  });

  test('smoke --help loads its options, not its clients', () => {
    const { code, out, packages } = cli('smoke', '--help');
    expect(code).toBe(0);
    expect(out).toContain('--url <url>');
    for (const p of [...CLIENTS, 'cdk8s', 'cdk8s-plus-27']) expect(packages).not.toContain(p);
  });

  test('help smoke prints the same help as smoke --help', () => {
    expect(cli('help', 'smoke').out).toBe(cli('smoke', '--help').out);
  });

  test('validate renders (cdk8s, zod, yaml) and loads no client and no Kubernetes schema', () => {
    const { code, packages, zod } = cli('validate', '--config', STACK);
    expect(code).toBe(0);
    expect(zod).toBe(true);
    for (const p of RENDERING) expect(packages).toContain(p);
    // One yaml: the copy cdk8s writes the manifests with also reads the config (scripts/bundle-cli.mjs).
    expect(packages).not.toContain('yaml');
    for (const p of [...CLIENTS, 'kubernetes-models']) expect(packages).not.toContain(p);
  });

  test('synth loads no client and no Kubernetes schema', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'qdrant-stack-startup-out-')), 'dist');
    const { code, packages } = cli('synth', '--config', STACK, '--out', out);
    expect(code).toBe(0);
    for (const p of [...CLIENTS, 'kubernetes-models']) expect(packages).not.toContain(p);
  });
});
