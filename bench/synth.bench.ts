/**
 * What a user waits for, against a minimal one-Deployment cdk8s-plus app (bench/minimal-app.js) run the same
 * way: each command a fresh `node` process (compiled CLI: `npm run build` first), interleaved in one run so
 * machine noise hits all alike, several runs, medians and their ratio to the baseline's median.
 *  - `--version`, `validate` (default model), `synth` of the default model, of a model with ten environments,
 *    and of the default model again over its previous render (what `npm run synth` does in a checkout);
 *  - in process: construct + synthesize to YAML only, after a warm-up.
 * Target: full-stack `synth` <= 1.5x the baseline app. Run: npm run bench (RUNS=n, IN_PROCESS_RUNS=n).
 * BEFORE=<a bin, e.g. a copy of bin/qdrant-stack.js loading an older bundle>: its `synth` of the default model too,
 * in the same interleaved run, for before/after figures.
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveConfig } from '../src/config/load';
import { addStack } from '../src/synth';

const RUNS = Number(process.env.RUNS ?? 10);
const IN_PROCESS_RUNS = Number(process.env.IN_PROCESS_RUNS ?? 40);
const ROOT = join(__dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'synth-bench-'));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// The default model alone (the committed stack.yaml also declares two example environments), and with ten.
const one = join(scratch, 'one.yaml');
writeFileSync(one, '{}\n');
const ten = join(scratch, 'ten.yaml');
const envs = Array.from({ length: 10 }, (_, i) => `  env${i + 1}:\n    profile: ${i % 2 ? 'prod' : 'dev'}\n    namespace: qdrant-env${i + 1}\n`);
writeFileSync(ten, `environments:\n${envs.join('')}`);
// A previous render of the default model, copied in before each run (not timed).
const previous = join(scratch, 'previous');
execFileSync(process.execPath, ['bin/qdrant-stack.js', 'synth', '--config', one, '--out', previous], { cwd: ROOT, stdio: 'ignore' });

interface Case {
  readonly label: string;
  readonly args: (out: string) => string[];
  readonly before?: (out: string) => void;
}
const before = process.env.BEFORE;
const cases: Case[] = [
  { label: 'baseline: minimal cdk8s-plus app (1 Deployment), files written', args: (out) => ['bench/minimal-app.js', out] },
  ...(before ? [{ label: `BEFORE (${before}) synth (default model, 1 render)`, args: (out: string) => [before, 'synth', '--config', one, '--out', out] }] : []),
  { label: 'qdrant-stack --version', args: () => ['bin/qdrant-stack.js', '--version'] },
  { label: 'qdrant-stack validate (default model)', args: () => ['bin/qdrant-stack.js', 'validate', '--config', one] },
  { label: 'qdrant-stack synth (default model, 1 render)', args: (out) => ['bin/qdrant-stack.js', 'synth', '--config', one, '--out', out] },
  { label: 'qdrant-stack synth (10 environments, 11 renders)', args: (out) => ['bin/qdrant-stack.js', 'synth', '--config', ten, '--out', out] },
  {
    label: 'qdrant-stack synth over its previous render (1 render)',
    args: (out) => ['bin/qdrant-stack.js', 'synth', '--config', one, '--out', out],
    before: (out) => cpSync(previous, out, { recursive: true }),
  },
];

function timeProcess(c: Case): number {
  const out = join(mkdtempSync(join(scratch, 'run-')), 'dist');
  c.before?.(out);
  const start = performance.now();
  execFileSync(process.execPath, c.args(out), { cwd: ROOT, stdio: 'ignore' });
  const elapsed = performance.now() - start;
  rmSync(join(out, '..'), { recursive: true, force: true });
  return elapsed;
}

for (const c of cases) timeProcess(c); // warm the file system cache
const times = cases.map(() => [] as number[]);
for (let i = 0; i < RUNS; i++) {
  // Interleaved, each run in a rotated order, so machine noise and ordering hit every case alike.
  for (let j = 0; j < cases.length; j++) {
    const k = (i + j) % cases.length;
    times[k].push(timeProcess(cases[k]));
  }
}
const baseline = median(times[0]);
console.log(`end to end: a fresh node process each, ${RUNS} runs each, interleaved (median ms, ratio to the baseline's median)`);
cases.forEach((c, k) => console.log(`  ${c.label.padEnd(66)} ${median(times[k]).toFixed(0).padStart(5)}  ${(median(times[k]) / baseline).toFixed(2)}x`));
console.log(`  target: full-stack synth <= 1.5x the baseline`);

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
  if (fn().length === 0) throw new Error('empty synth');
  return performance.now() - start;
}
for (let i = 0; i < 5; i++) (minimalApp(), defaultStack());
const minimal: number[] = [];
const stack: number[] = [];
for (let i = 0; i < IN_PROCESS_RUNS; i++) {
  minimal.push(time(minimalApp));
  stack.push(time(defaultStack));
}
console.log(`in process (construct + YAML, no I/O, warm), ${IN_PROCESS_RUNS} runs each (median ms)`);
console.log(`  minimal cdk8s-plus app (1 Deployment): ${median(minimal).toFixed(2)}`);
console.log(`  qdrant-stack default stack:            ${median(stack).toFixed(2)} (${(median(stack) / median(minimal)).toFixed(1)}x)`);
rmSync(scratch, { recursive: true, force: true });
