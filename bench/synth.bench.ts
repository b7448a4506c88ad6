/**
 * Synthesis time of the default stack against a minimal one-Deployment cdk8s-plus app, in the same run,
 * interleaved, several runs, medians and their ratio (target: ≤ 1.5×). Two views:
 *  - end to end: `qdrant-stack synth` (compiled, `npm run build` first) against `node bench/minimal-app.js`,
 *    each a fresh process writing its files — what a user or a CI job waits for;
 *  - in process: construct + synthesize to YAML only, after a warm-up.
 * Run: npm run bench
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveConfig } from '../src/config/load';
import { addStack } from '../src/synth';

const RUNS = Number(process.env.RUNS ?? 40);
const WARMUP = 5;

function minimalApp(): string {
  const app = new App();
  const chart = new Chart(app, 'minimal', { disableResourceNameHashes: true });
  new kplus.Deployment(chart, 'web', { replicas: 1, containers: [{ image: 'nginx:1.27', portNumber: 80 }] });
  return app.synthYaml();
}

const config = resolveConfig({});
function defaultStack(): string {
  const app = new App();
  addStack(app, config);
  return app.synthYaml();
}

function time(fn: () => string): number {
  const start = performance.now();
  const yaml = fn();
  const elapsed = performance.now() - start;
  if (yaml.length === 0) throw new Error('empty synth');
  return elapsed;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const ROOT = join(__dirname, '..');
const PROCESS_RUNS = Number(process.env.PROCESS_RUNS ?? 10);
function timeProcess(args: string[]): number {
  const out = mkdtempSync(join(tmpdir(), 'synth-bench-'));
  const start = performance.now();
  execFileSync(process.execPath, args.map((a) => a.replace('$OUT', join(out, 'dist'))), { cwd: ROOT, stdio: 'ignore' });
  const elapsed = performance.now() - start;
  rmSync(out, { recursive: true, force: true });
  return elapsed;
}
// The default model alone (the committed stack.yaml also declares two example environments).
const defaults = join(mkdtempSync(join(tmpdir(), 'synth-bench-config-')), 'stack.yaml');
writeFileSync(defaults, '{}\n');
const processMinimal: number[] = [];
const processStack: number[] = [];
timeProcess(['bench/minimal-app.js', '$OUT']);
for (let i = 0; i < PROCESS_RUNS; i++) {
  processMinimal.push(timeProcess(['bench/minimal-app.js', '$OUT']));
  processStack.push(timeProcess(['bin/qdrant-stack.js', 'synth', '--config', defaults, '--out', '$OUT']));
}
console.log(`end to end (fresh process, files written), ${PROCESS_RUNS} runs each (median, ms)`);
console.log(`  minimal cdk8s-plus app (1 Deployment): ${median(processMinimal).toFixed(0)}`);
console.log(`  qdrant-stack synth (default stack):    ${median(processStack).toFixed(0)}`);
console.log(`  ratio: ${(median(processStack) / median(processMinimal)).toFixed(2)}x (target <= 1.5x)`);

for (let i = 0; i < WARMUP; i++) (minimalApp(), defaultStack());
const minimal: number[] = [];
const stack: number[] = [];
for (let i = 0; i < RUNS; i++) {
  // Interleaved so machine noise hits both alike.
  minimal.push(time(minimalApp));
  stack.push(time(defaultStack));
}
const ratio = median(stack) / median(minimal);
console.log(`in process (construct + YAML, no I/O), ${RUNS} runs each (median, ms)`);
console.log(`  minimal cdk8s-plus app (1 Deployment): ${median(minimal).toFixed(2)}`);
console.log(`  qdrant-stack default stack:            ${median(stack).toFixed(2)}`);
console.log(`  ratio: ${ratio.toFixed(2)}x (the stack renders ${config.qdrant.collections.length ? 'about ten' : 'several'} objects to the baseline's one)`);
