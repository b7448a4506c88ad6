/**
 * Render once: `synth` renders each model in memory once, checks those objects and writes exactly them.
 * The files must be byte for byte what cdk8s' own `App.synth()` writes for the same charts.
 */
import { App, YamlOutputType } from 'cdk8s';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStack, resolveConfig } from '../src/config/load';
import type { StackConfig } from '../src/config/schema';
import { addStack, renderModel, synthManifests } from '../src/synth';
import { main } from '../src/cli/main';

const ROOT = join(__dirname, '..');
const scratch = () => mkdtempSync(join(tmpdir(), 'qdrant-stack-render-'));

/** What `cdk8s synth` writes for the stack's charts: file → text. */
function cdk8sSynth(config: StackConfig): Record<string, string> {
  const dir = scratch();
  const app = new App({ outdir: dir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml' });
  addStack(app, config);
  app.synth();
  return files(dir);
}

function files(dir: string): Record<string, string> {
  const names = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
  return Object.fromEntries(names.sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

const stack = loadStack(join(ROOT, 'stack.yaml'));
const models: [string, StackConfig][] = [
  ['the default model', resolveConfig({})],
  ['stack.yaml', stack.base],
  ...[...stack.environments].map(([name, env]) => [`stack.yaml, environment ${name}`, env] as [string, StackConfig]),
  ['a cluster with TLS, no Ollama, no smoke test', resolveConfig({ name: 'vec', qdrant: { replicas: 3, tls: { secretName: 'qdrant-tls' } }, ollama: { enabled: false }, smoke: { enabled: false } })],
];

describe('synthManifests writes what cdk8s App.synth writes', () => {
  test.each(models)('%s', (_, config) => {
    const dir = scratch();
    synthManifests(config, dir);
    expect(files(dir)).toEqual(cdk8sSynth(config));
  });

  test('renderModel: one chart per file, in cdk8s order, the objects of every chart together', () => {
    const render = renderModel(resolveConfig({ name: 'demo' }));
    expect(render.charts.map((c) => c.file)).toEqual(['demo.k8s.yaml', 'demo-collections.k8s.yaml', 'demo-smoke.k8s.yaml']);
    expect(render.objects).toEqual(render.charts.flatMap((c) => c.objects));
  });
});

test('qdrant-stack synth writes, after its checks, what cdk8s writes', async () => {
  const out = join(scratch(), 'dist');
  const code = await main(['node', 'qdrant-stack', 'synth', '--config', join(ROOT, 'stack.yaml'), '--out', out], { out: () => undefined, err: () => undefined });
  expect(code).toBe(0);
  for (const [folder, config] of [['.', stack.base], ...stack.environments] as [string, StackConfig][]) {
    const written = Object.fromEntries(Object.entries(files(join(out, folder))).filter(([f]) => f.endsWith('.k8s.yaml')));
    expect(written).toEqual(cdk8sSynth(config));
  }
});

/** Every file under `dir`, recursively: relative path → text. */
function tree(dir: string, prefix = ''): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((e) => (e.isDirectory() ? Object.entries(tree(join(dir, e.name), `${prefix}${e.name}/`)) : [[`${prefix}${e.name}`, readFileSync(join(dir, e.name), 'utf8')]])),
  );
}

test('the built CLI (bin/qdrant-stack.js on the bundle lib/cli.cjs) writes byte for byte what the sources write', async () => {
  if (!existsSync(join(ROOT, 'lib', 'cli.cjs'))) throw new Error('lib/cli.cjs is not built: run `npm run build` (npm test does) first');
  const fromSources = join(scratch(), 'dist');
  const code = await main(['node', 'qdrant-stack', 'synth', '--config', join(ROOT, 'stack.yaml'), '--out', fromSources], { out: () => undefined, err: () => undefined });
  expect(code).toBe(0);
  const fromBin = join(scratch(), 'dist');
  // Twice: the first run may write the code cache, the second runs from it.
  for (let run = 0; run < 2; run++) {
    rmSync(fromBin, { recursive: true, force: true });
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'qdrant-stack.js'), 'synth', '--config', join(ROOT, 'stack.yaml'), '--out', fromBin], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(tree(fromBin)).toEqual(tree(fromSources));
  }
});

test('the code cache of the bundle (src/cli/compile-cache.ts): cold, warm, and over a damaged cache file, the bin writes the same files', () => {
  if (!existsSync(join(ROOT, 'lib', 'cli.cjs'))) throw new Error('lib/cli.cjs is not built: run `npm run build` (npm test does) first');
  const tmp = scratch(); // the cache folder of these runs lives under it
  const run = () => {
    const out = join(scratch(), 'dist');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'qdrant-stack.js'), 'synth', '--config', join(ROOT, 'stack.yaml'), '--out', out], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp } });
    expect(r.status).toBe(0);
    return tree(out);
  };
  const first = run();
  const folder = readdirSync(tmp).find((f) => f.startsWith('qdrant-stack-compile-cache'));
  expect(folder).toBeDefined();
  // One file for `synth`: the bundle's code, cdk8s and cdk8s-plus-27 in it (no module of a package is cached apart).
  expect(readdirSync(join(tmp, folder!)).filter((f) => f.endsWith('.v8')).map((f) => f.replace(/-[0-9a-f]{32}-/, '-<hash>-').replace(/-v\d.*$/, ''))).toEqual(['cli-<hash>-synth']);
  const file = join(tmp, folder!, readdirSync(join(tmp, folder!)).find((f) => f.endsWith('.v8'))!);
  const size = readFileSync(file).length;
  expect(size).toBeGreaterThan(100_000);
  expect(run()).toEqual(first);
  writeFileSync(file, Buffer.concat([readFileSync(file).subarray(0, 100), Buffer.from('garbage')]));
  expect(run()).toEqual(first);
  // V8 rejected the damaged cache: written afresh.
  expect(readFileSync(file).length).toBeGreaterThan(100_000);
});
