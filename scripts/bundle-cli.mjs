// Bundles the CLI — src/cli/stdio.ts and src/cli/main.ts with every module of ours they load, and the small
// packages on the rendering path (zod, deepmerge, write-file-atomic, signal-exit) — into one file, lib/cli.cjs,
// which bin/qdrant-stack.js runs with a V8 code cache (src/cli/compile-cache.ts). `npm run bundle` writes it.
// Why: a cold `qdrant-stack synth` spent a third of its time resolving, reading and compiling ~150 of our
// modules and the many files of zod and yaml; one file is read once, and compiled once per version (README
// "## Performance").
// - Still lazy: the modules a command imports when it runs (`await import(...)` in main.ts) are esbuild's
//   lazily initialised wrappers, so `--version` or `--help` runs none of the rendering code, as before
//   (test/cli-startup.test.ts).
// - Every other package is external, loaded by Node from node_modules as before: the peer dependencies
//   (cdk8s, cdk8s-plus-27, constructs, Pulumi: a user's app must share their classes), commander, and the
//   heavy packages only some commands load (the service clients, undici, the Kubernetes schemas, ...).
// - `yaml` is cdk8s' own copy (the shim below): cdk8s loads it anyway to write the manifests, so a second
//   copy of the same package (~70 files) is not loaded and compiled again.
// - Whitespace and syntax minified, names kept (stack traces with QDRANT_STACK_DEBUG=1 stay readable).
// Deterministic: the same sources give the same bytes; the first line names their hash, the key of the
// code cache.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = join(ROOT, 'lib', 'cli.cjs');

/** The packages bundled (all others stay external): small, and loaded by every rendering command. */
export const BUNDLED = ['zod', 'deepmerge', 'write-file-atomic', 'signal-exit'];

/** The first line of the bundle: `// qdrant-stack CLI bundle <hash>` (src/cli/compile-cache.ts reads it). */
export const HEADER = '// qdrant-stack CLI bundle ';

/**
 * `yaml` as the copy cdk8s loads (cdk8s ships its own in cdk8s/node_modules/yaml, or shares a hoisted one),
 * when it is the same major version as ours; else ours.
 */
const YAML_SHIM = `
const { dirname, join } = require('node:path');
function yamlOfCdk8s() {
  try {
    const entry = require.resolve('yaml', { paths: [dirname(require.resolve('cdk8s'))] });
    const { version } = require(join(entry, '..', '..', 'package.json'));
    if (version.split('.')[0] === OUR_MAJOR) return require(entry);
  } catch {
    // cdk8s or its yaml not where expected: ours
  }
  return undefined;
}
module.exports = yamlOfCdk8s() ?? require('yaml');
`;

/** esbuild plugin: bare imports outside BUNDLED are external; `yaml` (from our code) is YAML_SHIM. */
function packages(ourYamlMajor) {
  return {
    name: 'cli-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        if (args.path === 'yaml') return args.namespace === 'yaml-shim' ? { path: 'yaml', external: true } : { path: 'yaml', namespace: 'yaml-shim' };
        const name = args.path.split('/').slice(0, args.path.startsWith('@') ? 2 : 1).join('/');
        return BUNDLED.includes(name) ? undefined : { path: args.path, external: true };
      });
      b.onLoad({ filter: /.*/, namespace: 'yaml-shim' }, () => ({ contents: YAML_SHIM.replace('OUR_MAJOR', JSON.stringify(ourYamlMajor)), loader: 'js', resolveDir: ROOT }));
    },
  };
}

/** Builds the bundle: `{ js, metafile }` (js with its header line). */
export async function buildCli() {
  const ourYaml = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'yaml', 'package.json'), 'utf8')).version;
  const result = await build({
    stdin: {
      contents: "export { runCli } from './src/cli/stdio';\nexport { main } from './src/cli/main';\n",
      resolveDir: ROOT,
      sourcefile: 'cli-entry.ts',
      loader: 'ts',
    },
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    charset: 'utf8',
    metafile: true,
    write: false,
    logLevel: 'warning',
    plugins: [packages(ourYaml.split('.')[0])],
  });
  const body = result.outputFiles[0].text;
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 32);
  return { js: `${HEADER}${hash}\n${body}`, metafile: result.metafile };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, (await buildCli()).js);
}
