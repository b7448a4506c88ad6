/**
 * The in-cluster runners bundle the reconciler: it must not carry zod (nor the model's schemas), only
 * types from the model and the zod-free helpers.
 */
import { build } from 'esbuild';
import { join } from 'node:path';

test.each(['reconcile.ts', 'diff.ts', 'wire.ts', 'report.ts'])('src/collections/%s bundles without zod or the model schemas', async (file) => {
  const result = await build({ entryPoints: [join(__dirname, '../../src/collections', file)], bundle: true, platform: 'node', write: false, metafile: true, logLevel: 'silent' });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.filter((i) => /node_modules\/zod\/|src\/config\/(collection|schema|load)\.ts$/.test(i))).toEqual([]);
  expect(inputs).toContain(`src/collections/${file}`);
});
