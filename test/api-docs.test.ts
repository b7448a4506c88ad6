/**
 * docs/api/ is generated from the JSDoc of the library's entry points (`npm run docs:api`, typedoc.json) and
 * committed; this test regenerates it into a temporary folder and fails when the committed copy differs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');
const committedDir = join(root, 'docs', 'api');
const FIX = 'run `npm run docs:api` and commit docs/api/';

/** Every file under `dir`, relative, with its text. */
function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path).split('\\').join('/'), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

describe('API reference (docs/api/)', () => {
  let out: string;
  let log: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'qdrant-stack-api-docs-'));
    // typedoc is ESM-only: run its CLI rather than import it into jest's CommonJS.
    const run = spawnSync(process.execPath, [join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out, '--logLevel', 'Warn'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    log = `${run.stdout}${run.stderr}`;
    if (run.status !== 0) throw new Error(`typedoc failed (${run.status ?? run.signal}):\n${log}`);
  }, 60_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('the committed docs/api/ is up to date', () => {
    let committed: Map<string, string>;
    try {
      committed = readTree(committedDir);
    } catch {
      throw new Error(`docs/api/ is missing: ${FIX}`);
    }
    const fresh = readTree(out);
    const stale = [...new Set([...committed.keys(), ...fresh.keys()])]
      .filter((file) => committed.get(file) !== fresh.get(file))
      .map((file) => (committed.has(file) ? (fresh.has(file) ? `changed: ${file}` : `no longer generated: ${file}`) : `missing: ${file}`))
      .sort();
    if (stale.length) throw new Error(`docs/api/ is stale (${stale.join(', ')}): ${FIX}`);
  });

  test('one page per entry point, named by its import path (package.json exports)', () => {
    expect(log).not.toContain('no export of package.json');
    const pages = [...readTree(out).keys()].sort();
    expect(pages).toEqual(['README.md', 'qdrant-stack.md', 'qdrant-stack/collections.md', 'qdrant-stack/pulumi.md', 'qdrant-stack/smoke.md']);
    const smoke = readFileSync(join(out, 'qdrant-stack', 'smoke.md'), 'utf8');
    expect(smoke).toMatch(/^# qdrant-stack\/smoke$/m);
    expect(smoke).toMatch(/^### runSmoke\(\)$/m);
    const collections = readFileSync(join(out, 'qdrant-stack', 'collections.md'), 'utf8');
    for (const name of ['planCollections', 'applyCollections', 'compareCollection']) expect(collections).toMatch(new RegExp(`^### ${name}\\(\\)$`, 'm'));
  });

  test('deterministic: no source links, commit hashes, absolute paths or dates', () => {
    const text = [...readTree(out).values()].join('\n');
    expect(text).not.toMatch(/github\.com\/[^ ]*\/blob\//);
    expect(text).not.toMatch(/Defined in/);
    expect(text).not.toContain(root);
    expect(text).not.toMatch(/Generated (on|at|using)/i);
  });
});
