/**
 * Size of the in-cluster smoke runner: the bundle (minified; gzip -9 for comparison; Brotli 11 as
 * shipped; base64 as it sits in the ConfigMap), the smoke ConfigMap serialized as JSON (the figure
 * client-side `kubectl apply` copies into last-applied-configuration, 262,144 bytes at most), and the
 * largest inputs from esbuild's metafile. Builds the bundle afresh and writes lib/smoke-runner.js.br
 * (exactly what `npm run bundle` writes) so the rendered ConfigMap carries it.
 * Run: npm run bench:runner
 */
import { Testing } from 'cdk8s';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { resolveConfig } from '../src/config/load';
import { SMOKE_BUNDLE_PATH } from '../src/smoke/bundle';
import { addStack } from '../src/synth';

/** What scripts/bundle-smoke.mjs exports (plain JS, so typed here). */
interface BundleScript {
  buildSmokeRunner(): Promise<{
    js: Uint8Array;
    compressed: Buffer;
    metafile: { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  }>;
}

const TARGET = 150 * 1000;
const HARD_LIMIT = 200 * 1000;
const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`.padStart(9);
const row = (label: string, bytes: number, note = '') => console.log(`${label.padEnd(44)} ${String(bytes).padStart(9)} B ${kb(bytes)}${note ? `  ${note}` : ''}`);

async function main(): Promise<void> {
  // A computed specifier: tsc leaves the .mjs alone, tsx loads it as the ES module it is.
  const script = (await import(pathToFileURL(join(__dirname, '..', 'scripts', 'bundle-smoke.mjs')).href)) as BundleScript;
  const { js, compressed, metafile } = await script.buildSmokeRunner();
  writeFileSync(SMOKE_BUNDLE_PATH, compressed);

  const app = Testing.app();
  addStack(app, resolveConfig({}));
  const objects = app.charts.flatMap((chart) => Testing.synth(chart) as { kind: string; metadata: { name: string }; binaryData?: object }[]);
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.binaryData && o.metadata.name === 'qdrant-stack-smoke');
  if (!configMap) throw new Error('no smoke ConfigMap rendered (smoke.enabled false?)');
  const configMapBytes = Buffer.byteLength(JSON.stringify(configMap));
  const largest = objects.map((o) => ({ name: `${o.kind}/${o.metadata.name}`, bytes: Buffer.byteLength(JSON.stringify(o)) })).sort((a, b) => b.bytes - a.bytes)[0];

  console.log('in-cluster smoke runner (src/smoke/runner.ts)\n');
  row('minified', js.length);
  row('gzip -9 (for comparison)', gzipSync(js, { level: 9 }).length);
  row('Brotli 11 (shipped)', compressed.length);
  row('base64 in binaryData', compressed.toString('base64').length);
  row(`ConfigMap ${configMap.metadata.name} as JSON`, configMapBytes, `target ≤ ${TARGET / 1000} KB: ${configMapBytes <= TARGET ? 'met' : 'MISSED'}`);
  row(`largest object: ${largest.name}`, largest.bytes, `hard limit ${HARD_LIMIT / 1000} KB: ${largest.bytes <= HARD_LIMIT ? 'met' : 'MISSED'}`);

  const inputs = Object.entries(Object.values(metafile.outputs)[0].inputs).map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }));
  const total = inputs.reduce((sum, i) => sum + i.bytes, 0);
  const share = (bytes: number) => `${((100 * bytes) / total).toFixed(1)}%`.padStart(6);
  console.log('\nlargest inputs (bytes in the minified output):');
  for (const i of [...inputs].sort((a, b) => b.bytes - a.bytes).slice(0, 5)) console.log(`  ${String(i.bytes).padStart(7)} ${share(i.bytes)}  ${i.path}`);
  const byPackage = new Map<string, number>();
  for (const i of inputs) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(i.path)?.[1] ?? (i.path.startsWith('src/') ? 'src (this project)' : i.path);
    byPackage.set(name, (byPackage.get(name) ?? 0) + i.bytes);
  }
  console.log('\nby package:');
  for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`  ${String(bytes).padStart(7)} ${share(bytes)}  ${name}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
