// Bundles the CLI — src/cli/stdio.ts and src/cli/main.ts with every module of ours they load, and the packages
// on the rendering path (cdk8s, cdk8s-plus-27, constructs, commander, yaml, zod, deepmerge, write-file-atomic,
// signal-exit) — into one file, lib/cli.cjs, which bin/qdrant-stack.js runs with a V8 code cache
// (src/cli/compile-cache.ts). `npm run bundle` writes it.
// Why: a cold `qdrant-stack synth` spent much of its time resolving, reading and compiling ~150 of our modules
// and the ~140 files of the packages it renders with; one file is read once, and compiled once per version
// (README "## Performance").
// - cdk8s, cdk8s-plus-27 and constructs are peer dependencies of the library, yet bundled here: the CLI never
//   exchanges constructs with user code (it reads stack.yaml and writes files), so it can run the cdk8s it was
//   built and tested with. The library's entry points (lib/index.js, lib/smoke, ...) are not bundled and still
//   use the peer cdk8s the user installed, whose classes a user's app shares. (Not used by the CLI, hence not
//   working from the bundle: cdk8s' `Yaml.load` of a URL, which runs a script beside cdk8s' own files.)
// - One yaml: cdk8s' own copy (cdk8s/node_modules/yaml, or a hoisted one), for cdk8s and for our code alike,
//   checked here to be the major version we depend on; the build fails if any package would be bundled twice.
// - Still lazy: the modules a command imports when it runs (`await import(...)` in main.ts) and the packages
//   they bundle are esbuild's lazily initialised wrappers, so `--version` or `--help` runs commander and none of
//   the rendering code, cdk8s included (test/cli-startup.test.ts).
// - Every other package is external, loaded by Node from node_modules when a command needs it: the heavy
//   packages only some commands load (the service clients, undici, the Kubernetes schemas, jose, the AWS SDK,
//   Pulumi, ...).
// - Whitespace and syntax minified, names kept (stack traces with QDRANT_STACK_DEBUG=1 stay readable).
// Deterministic: the same sources give the same bytes; the first line names their hash, the key of the
// code cache.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = join(ROOT, 'lib', 'cli.cjs');

/** The packages bundled (all others stay external): those every rendering command loads, and commander. */
export const BUNDLED = ['cdk8s', 'cdk8s-plus-27', 'constructs', 'commander', 'yaml', 'zod', 'deepmerge', 'write-file-atomic', 'signal-exit'];

/** The first line of the bundle: `// qdrant-stack CLI bundle <hash>` (src/cli/compile-cache.ts reads it). */
export const HEADER = '// qdrant-stack CLI bundle ';

/** The package a bare import names: `a` of `a/b`, `@s/a` of `@s/a/b`. */
const packageOf = (path) => path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/');

/** The file `yaml` is in the bundle, for every importer: the copy cdk8s loads, when it is our major version. */
function yamlEntry() {
  const fromCdk8s = createRequire(createRequire(join(ROOT, 'package.json')).resolve('cdk8s'));
  const entry = fromCdk8s.resolve('yaml');
  const theirs = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')).version;
  const ours = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'yaml', 'package.json'), 'utf8')).version;
  if (theirs.split('.')[0] !== ours.split('.')[0]) throw new Error(`cdk8s' yaml is ${theirs}, ours ${ours}: not the same major version, one copy cannot serve both`);
  return entry;
}

/**
 * esbuild plugin: bare imports of our code outside BUNDLED are external, the dependencies of a bundled package
 * are bundled with it (cdk8s' fast-json-patch, cdk8s-plus-27's minimatch); `yaml`, from any module, is cdk8s' copy.
 */
function packages(yaml) {
  return {
    name: 'cli-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        if (args.path === 'yaml') return { path: yaml };
        if (/[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
        return BUNDLED.includes(packageOf(args.path)) ? undefined : { path: args.path, external: true };
      });
    },
  };
}

/** Fails when a package is bundled from two folders (two copies: twice the code, two sets of classes). */
function checkOneCopyEach(metafile) {
  const folders = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
    if (!m) continue;
    folders.set(m[2], (folders.get(m[2]) ?? new Set()).add(m[1]));
  }
  const twice = [...folders].filter(([, f]) => f.size > 1);
  if (twice.length) throw new Error(`bundled more than once: ${twice.map(([p, f]) => `${p} (${[...f].join(', ')})`).join('; ')}`);
}

/** Builds the bundle: `{ js, metafile }` (js with its header line). */
export async function buildCli() {
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
    plugins: [packages(yamlEntry())],
  });
  checkOneCopyEach(result.metafile);
  const body = result.outputFiles[0].text;
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 32);
  return { js: `${HEADER}${hash}\n${body}`, metafile: result.metafile };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, (await buildCli()).js);
}
