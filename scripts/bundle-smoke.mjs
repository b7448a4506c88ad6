// Bundles the smoke runner (src/smoke/runner.ts and everything it imports) into one gzipped file,
// lib/smoke-runner.js.gz, which the in-cluster smoke Job runs on a stock node image. Deterministic:
// the same sources give the same bytes (no absolute paths, no timestamps).
import { buildSync } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const result = buildSync({
  entryPoints: ['src/smoke/runner.ts'],
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  write: false,
  logLevel: 'warning',
});
const out = join(root, 'lib', 'smoke-runner.js.gz');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, gzipSync(result.outputFiles[0].contents, { level: 9 }));
