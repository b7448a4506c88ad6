/**
 * What `npm pack` ships, and that its public entry points — package.json `exports` — resolve in an install
 * while deep imports of lib/ stay closed. Needs lib/ (`npm test` builds it before jest; else `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | Record<string, string>>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

/** The files `npm pack` would put in the tarball (no lifecycle scripts: lib/ is already built). */
function packFiles(): string[] {
  const run = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
  if (run.status !== 0) throw new Error(`npm pack --dry-run failed:\n${run.stderr}`);
  const [result] = JSON.parse(run.stdout) as { files: { path: string }[] }[];
  return result.files.map((f) => f.path).sort();
}

/** Every file an `exports` entry points at, per subpath and condition. */
const exportTargets = (): [string, string][] =>
  Object.entries(pkg.exports).flatMap(([subpath, target]) =>
    typeof target === 'string' ? [[subpath, target]] : Object.entries(target).map(([condition, file]): [string, string] => [`${subpath} (${condition})`, file]),
  );

let files: string[];
beforeAll(() => {
  if (!existsSync(join(root, 'lib', 'index.js'))) throw new Error('lib/ is not built: run `npm run build` (npm test does) first');
  files = packFiles();
});

describe('npm pack', () => {
  test('ships the built library, its declarations, the runner bundles, the CLI and the README', () => {
    for (const file of [
      'package.json',
      'README.md',
      'bin/qdrant-stack.js',
      'lib/index.js',
      'lib/index.d.ts',
      'lib/smoke/index.js',
      'lib/smoke/index.d.ts',
      'lib/collections/index.js',
      'lib/collections/index.d.ts',
      'lib/pulumi/docker-stack.js',
      'lib/pulumi/docker-stack.d.ts',
      'lib/smoke-runner.js.br',
      'lib/collections-runner.js.br',
      'lib/cli/main.js',
    ]) {
      expect(files).toContain(file);
    }
    // every compiled module comes with its declarations
    const js = files.filter((f) => f.startsWith('lib/') && f.endsWith('.js'));
    expect(js.filter((f) => !files.includes(f.replace(/\.js$/, '.d.ts')))).toEqual([]);
  });

  test('ships no tests, sources, build caches, coverage, renders, benchmarks or docs', () => {
    const unwanted = files.filter(
      (f) =>
        /^(test|src|dist|bench|docs|examples|scripts|schema|coverage|\.ci|\.github|node_modules)\//.test(f) ||
        /(^|\/)\.tmp-/.test(f) ||
        /\.(test|spec)\.[cm]?[jt]s$/.test(f) ||
        /\.(map|tsbuildinfo)$/.test(f) ||
        (/\.[cm]?ts$/.test(f) && !/\.d\.[cm]?ts$/.test(f)),
    );
    expect(unwanted).toEqual([]);
    // docs/ (configuration reference, API reference) is read on the repository, not from node_modules
    expect(files.some((f) => f.startsWith('docs/'))).toBe(false);
  });

  test('every exports target is in the package', () => {
    const missing = exportTargets().filter(([, file]) => !files.includes(file.replace(/^\.\//, '')));
    expect(missing).toEqual([]);
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './collections', './package.json', './pulumi', './smoke']);
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (subpath === './package.json') continue;
      // types first: TypeScript takes the first condition that matches
      expect(Object.keys(target as object)).toEqual(['types', 'default']);
    }
  });
});

describe('cdk8s as a peer', () => {
  /** `version` satisfies a caret range `^x.y.z` (no prerelease). */
  const satisfiesCaret = (version: string, range: string) => {
    const [v, r] = [version, range.replace(/^\^/, '')].map((s) => s.split('.').map(Number));
    return range.startsWith('^') && v[0] === r[0] && (v[1] > r[1] || (v[1] === r[1] && v[2] >= r[2]));
  };

  test.each(['cdk8s', 'cdk8s-plus-27', 'constructs'])('%s: a peer dependency, pinned for the tests within its range', (name) => {
    expect(pkg.dependencies[name]).toBeUndefined();
    expect(pkg.peerDependencies[name]).toMatch(/^\^\d+\.\d+\.\d+$/);
    expect(pkg.peerDependenciesMeta?.[name]?.optional).toBeFalsy();
    expect(pkg.devDependencies[name]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(satisfiesCaret(pkg.devDependencies[name], pkg.peerDependencies[name])).toBe(true);
    const installed = (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    expect(installed).toBe(pkg.devDependencies[name]);
  });
});

describe('installed from the pack', () => {
  let app: string;
  /** Runs `node` in the consumer app; returns its stdout parsed as JSON. */
  const node = (args: string[]) => {
    const run = spawnSync(process.execPath, args, { cwd: app, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${run.stderr}`);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  };

  beforeAll(() => {
    // A consumer app: node_modules/qdrant-stack holds a copy of exactly the packed files; beside it only the
    // package's dependencies and peers (links to ours), so an undeclared import fails here.
    app = mkdtempSync(join(tmpdir(), 'qdrant-stack-consumer-'));
    const modules = join(app, 'node_modules');
    const installed = join(modules, pkg.name);
    for (const file of files) {
      mkdirSync(dirname(join(installed, file)), { recursive: true });
      cpSync(join(root, file), join(installed, file));
    }
    for (const dep of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]) {
      mkdirSync(dirname(join(modules, dep)), { recursive: true });
      symlinkSync(join(root, 'node_modules', dep), join(modules, dep), 'junction');
    }
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  test('require: the documented subpaths resolve and load; deep imports of lib/ are not exported', () => {
    const result = node([
      '-e',
      `
      const out = {};
      for (const id of ['qdrant-stack', 'qdrant-stack/smoke', 'qdrant-stack/collections', 'qdrant-stack/pulumi', 'qdrant-stack/package.json']) {
        out[id] = require('node:path').relative(process.cwd(), require.resolve(id)).split(require('node:path').sep).join('/');
      }
      out.smoke = Object.keys(require('qdrant-stack/smoke')).filter((k) => ['runSmoke', 'formatText', 'formatJunit', 'planCollections'].includes(k)).sort();
      out.collections = Object.keys(require('qdrant-stack/collections')).filter((k) => ['planCollections', 'applyCollections', 'compareCollection'].includes(k)).sort();
      out.root = typeof require('qdrant-stack').StackChart;
      for (const id of ['qdrant-stack/lib/constructs/ollama', 'qdrant-stack/lib/smoke/index.js', 'qdrant-stack/src/index.ts']) {
        try { require(id); out[id] = 'loaded'; } catch (e) { out[id] = e.code; }
      }
      console.log(JSON.stringify(out));
      `,
    ]);
    expect(result).toEqual({
      'qdrant-stack': 'node_modules/qdrant-stack/lib/index.js',
      'qdrant-stack/smoke': 'node_modules/qdrant-stack/lib/smoke/index.js',
      'qdrant-stack/collections': 'node_modules/qdrant-stack/lib/collections/index.js',
      'qdrant-stack/pulumi': 'node_modules/qdrant-stack/lib/pulumi/docker-stack.js',
      'qdrant-stack/package.json': 'node_modules/qdrant-stack/package.json',
      smoke: ['formatJunit', 'formatText', 'planCollections', 'runSmoke'],
      collections: ['applyCollections', 'compareCollection', 'planCollections'],
      root: 'function',
      'qdrant-stack/lib/constructs/ollama': 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      'qdrant-stack/lib/smoke/index.js': 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      'qdrant-stack/src/index.ts': 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  });

  test('import: ES modules get the named exports of the subpaths', () => {
    writeFileSync(
      join(app, 'check.mjs'),
      `import { runSmoke, formatJunit, planCollections as viaSmoke } from 'qdrant-stack/smoke';
      import { planCollections, compareCollection } from 'qdrant-stack/collections';
      console.log(JSON.stringify({ runSmoke: typeof runSmoke, formatJunit: typeof formatJunit, same: viaSmoke === planCollections, compareCollection: typeof compareCollection }));
      `,
    );
    expect(node(['check.mjs'])).toEqual({ runSmoke: 'function', formatJunit: 'function', same: true, compareCollection: 'function' });
  });

  test('TypeScript (node16 resolution): the subpaths have their declarations; a deep import does not resolve', () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { StackChart } from 'qdrant-stack';
      import { runSmoke, type SmokeReport } from 'qdrant-stack/smoke';
      import { planCollections, type CollectionsReport } from 'qdrant-stack/collections';
      export const used: [typeof StackChart, typeof runSmoke, typeof planCollections] = [StackChart, runSmoke, planCollections];
      export type Reports = [SmokeReport, CollectionsReport];
      `,
    );
    writeFileSync(join(app, 'deep.ts'), `import { Ollama } from 'qdrant-stack/lib/constructs/ollama';\nexport const deep = Ollama;\n`);
    const tsc = (file: string) =>
      spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--skipLibCheck', '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types'), file], {
        cwd: app,
        encoding: 'utf8',
      });
    const ok = tsc('consumer.ts');
    expect(ok.stdout).toBe('');
    expect(ok.status).toBe(0);
    const deep = tsc('deep.ts');
    expect(deep.stdout).toMatch(/deep\.ts.*error TS2307: Cannot find module 'qdrant-stack\/lib\/constructs\/ollama'/);
  });
});
