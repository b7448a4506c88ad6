/**
 * Cold start of the built CLI (bin/qdrant-stack.js on the bundle lib/cli.cjs, `npm test` builds it): each
 * command runs only what it uses. The packages it renders with (cdk8s, cdk8s-plus-27, constructs, yaml, zod)
 * and commander are inside the bundle, as esbuild's lazily initialised wrappers (scripts/bundle-cli.mjs):
 * `--version`, `--help` and a usage error must run none of them but commander, and load nothing from
 * node_modules; the commands that render load no client of a running service, and only `check` the Kubernetes
 * schemas. What ran inside the bundle shows in what it sets up: zod its global config, cdk8s, cdk8s-plus-27 and
 * constructs (jsii-compiled) `Symbol.for('jsii.rtti')` and their own symbols, in every module that has a class,
 * when the module is initialised — whether bundled or loaded from node_modules.
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
  /** The packages it loaded from node_modules (require.cache), by their folder there. */
  packages: string[];
  /** The files of ours it loaded, relative to the package. */
  ours: string[];
  /** Whether zod (bundled) ran. */
  zod: boolean;
  /** The global symbols asked for (`Symbol.for`): cdk8s' and constructs' modules ask for theirs as they initialise. */
  symbols: string[];
}

/** Runs the bin with `args`; returns its exit code, stdout, and what it loaded. */
function cli(...args: string[]): Run {
  const script = `
    const symbols = new Set();
    const symbolFor = Symbol.for;
    Symbol.for = (key) => (symbols.add(String(key)), symbolFor(key));
    process.on('exit', () => {
      const names = new Set();
      const ours = [];
      for (const file of Object.keys(require.cache)) {
        const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file);
        if (m) names.add(m[1].replace(/\\\\/g, '/'));
        else if (file.startsWith(${JSON.stringify(ROOT)})) ours.push(file.slice(${JSON.stringify(ROOT)}.length + 1).replace(/\\\\/g, '/'));
      }
      const loaded = { packages: [...names].sort(), ours: ours.sort(), zod: globalThis.__zod_globalConfig !== undefined, symbols: [...symbols].sort() };
      process.stderr.write('\\nLOADED ' + JSON.stringify(loaded) + '\\n');
    });
    process.argv = [process.argv[0], ${JSON.stringify(BIN)}, ...${JSON.stringify(args)}];
    require(${JSON.stringify(BIN)});
  `;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: mkdtempSync(join(tmpdir(), 'qdrant-stack-startup-')), encoding: 'utf8' });
  const line = /\nLOADED (.*)\n$/.exec(r.stderr);
  if (!line) throw new Error(`no module list in stderr: ${r.stderr}`);
  return { code: r.status, out: r.stdout, ...(JSON.parse(line[1]) as Pick<Run, 'packages' | 'ours' | 'zod' | 'symbols'>) };
}

/** What cdk8s, cdk8s-plus-27 and constructs ask for as their modules initialise. */
const RENDERING_SYMBOLS = ['cdk8s.ApiObject', 'cdk8s.Chart', 'constructs.Construct', 'jsii.rtti'];
/** The packages in the bundle: never loaded from node_modules. */
const BUNDLED = ['cdk8s', 'cdk8s-plus-27', 'constructs', 'commander', 'yaml', 'zod', 'deepmerge', 'write-file-atomic', 'signal-exit'];
const CLIENTS = ['undici', '@qdrant/js-client-rest', '@redis/client', 'cli-progress', 'xmlbuilder2'];

describe('qdrant-stack startup runs only what the command uses', () => {
  test.each([[['--version']], [['-V']], [['--help']], [['help']], [['synth', '--help']], [['collections', '--help']], [['no-such-command']]])('%j: commander only, no rendering code, nothing from node_modules', (args) => {
    const { code, packages, zod, symbols } = cli(...args);
    expect(code).toBe(args[0] === 'no-such-command' ? 2 : 0);
    expect(packages).toEqual([]);
    expect(zod).toBe(false);
    for (const s of RENDERING_SYMBOLS) expect(symbols).not.toContain(s);
  });

  test('the bin runs the bundle, with its code cache loader, and nothing else of lib/', () => {
    expect(cli('--version').ours).toEqual(['bin/qdrant-stack.js', 'lib/cli.cjs', 'lib/cli/compile-cache.js']);
  });

  test('--version prints the version', () => {
    expect(cli('--version').out).toBe(`${(require('../package.json') as { version: string }).version}\n`);
  });

  test('smoke --help loads its options, not its clients, and runs no rendering code', () => {
    const { code, out, packages, symbols } = cli('smoke', '--help');
    expect(code).toBe(0);
    expect(out).toContain('--url <url>');
    for (const p of CLIENTS) expect(packages).not.toContain(p);
    for (const s of RENDERING_SYMBOLS) expect(symbols).not.toContain(s);
  });

  test('help smoke prints the same help as smoke --help', () => {
    expect(cli('help', 'smoke').out).toBe(cli('smoke', '--help').out);
  });

  test('validate renders (cdk8s, zod, yaml, all from the bundle) and loads no client and no Kubernetes schema', () => {
    const { code, packages, zod, symbols, ours } = cli('validate', '--config', STACK);
    expect(code).toBe(0);
    expect(zod).toBe(true);
    for (const s of RENDERING_SYMBOLS) expect(symbols).toContain(s);
    for (const p of [...BUNDLED, ...CLIENTS, 'kubernetes-models']) expect(packages).not.toContain(p);
    expect(ours).toEqual(['bin/qdrant-stack.js', 'lib/cli.cjs', 'lib/cli/compile-cache.js']);
  });

  test('synth renders from the bundle and loads no client and no Kubernetes schema', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'qdrant-stack-startup-out-')), 'dist');
    const { code, packages, symbols } = cli('synth', '--config', STACK, '--out', out);
    expect(code).toBe(0);
    for (const s of RENDERING_SYMBOLS) expect(symbols).toContain(s);
    for (const p of [...BUNDLED, ...CLIENTS, 'kubernetes-models']) expect(packages).not.toContain(p);
  });
});
