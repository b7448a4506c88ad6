/**
 * The in-cluster runner's bundle (scripts/bundle-smoke.mjs): deterministic, and holding only what the Job
 * executes — none of the CLI's libraries, no undici (Node's own fetch serves the Qdrant client), not the
 * whole `redis` package. That it still works is proven by test/smoke-job.test.ts, which runs it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Builds the bundle in a fresh node (the script is an ES module); returns its hash, inputs and size. */
function build(): { hash: string; inputs: string[]; bytes: number } {
  const program = `
    import { createHash } from 'node:crypto';
    import { buildSmokeRunner } from './scripts/bundle-smoke.mjs';
    const { compressed, metafile } = await buildSmokeRunner();
    const hash = createHash('sha256').update(compressed).digest('hex');
    console.log(JSON.stringify({ hash, inputs: Object.keys(metafile.inputs), bytes: compressed.length }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', program], { cwd: ROOT, encoding: 'utf8' }));
}

describe('the smoke runner bundle', () => {
  const built = build();
  const packages = new Set(built.inputs.map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1]).filter(Boolean));

  test('is deterministic: the same sources give the same bytes, in another process too', () => {
    expect(build().hash).toBe(built.hash);
  });

  test('bundles the runner and the two clients, none of the CLI', () => {
    expect(built.inputs).toContain('src/smoke/runner.ts');
    expect([...packages].sort()).toEqual(['@qdrant/js-client-rest', '@qdrant/openapi-typescript-fetch', '@redis/client']);
    for (const cliOnly of ['src/smoke/command.ts', 'src/smoke/flags.ts', 'src/smoke/progress.ts', 'src/smoke/format/junit.ts', 'src/config/load.ts', 'src/config/schema.ts']) {
      expect(built.inputs).not.toContain(cliOnly);
    }
  });

  test('is small: under 100 KB compressed', () => {
    expect(built.bytes).toBeLessThan(100 * 1000);
  });
});
