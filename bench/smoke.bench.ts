/**
 * Smoke-test bench against the Qdrant stand-in in its own process, on loopback:
 * - client overhead per query: client round trip − the server's `time` (median per run, then median);
 * - seeding throughput: the run's own 10k × 1024 upsert (batched, 4 in flight, wait=true).
 * Overhead is also measured on a 100-point collection: on 10k × 1024 the stand-in's JavaScript scan
 * takes ~20 ms per query, and waking the idle client after it adds to the figure.
 * Baseline in the same run: a bare `fetch` of GET / against the same server — the loopback HTTP floor
 * that any client pays; the ratio shows what the Qdrant client adds on top.
 * Targets (issue 4): median overhead ≤ 0.5 ms, 10k × 1024 seeded in ≤ 3 s. Run: npm run bench:smoke
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { withDefaults } from '../src/smoke/options';
import { runSmoke } from '../src/smoke/run';
import { median } from '../src/smoke/stats';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const VECTORS = 10_000;
const DIMENSIONS = 1024;
const QUERIES = 200;

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../test/smoke/support/serve-qdrant.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`stand-in exited (${code})`)));
  });
  return { url, stop: () => child.stdin!.end() };
}

/** Median round trip of a bare fetch of GET / (keep-alive), after a warm-up. */
async function bareFetchMs(url: string, n = QUERIES): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n + 10; i++) {
    const started = performance.now();
    await (await fetch(`${url}/`)).text();
    if (i >= 10) times.push(performance.now() - started);
  }
  return median(times);
}

async function main(): Promise<void> {
  const server = await startServer();
  const rows: string[][] = [['run', 'seed s', 'vectors/s', 'overhead p50 ms', 'client p50 ms', 'server p50 ms', 'overhead p50 ms (100 pts)', 'bare fetch p50 ms']];
  const bare: number[] = [];
  const seeds: number[] = [];
  const overheads: number[] = [];
  const smallOverheads: number[] = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      const { report, samples } = await runSmoke(withDefaults({ url: server.url, vectors: VECTORS, vectorSize: DIMENSIONS, queries: QUERIES, maxP95Ms: 1e6, deadlineS: 30 }));
      const seed = report.checks.find((c) => c.name === 'latency.seed');
      if (report.exitCode !== 0 || !seed) throw new Error(`run ${run} failed: ${JSON.stringify(report.checks.filter((c) => c.status === 'fail'))}`);
      const seedS = Number(/in ([\d.]+) s/.exec(seed.message)![1]);
      const overhead = median(samples.client.map((c, i) => c - samples.server[i]));
      const small = await runSmoke(withDefaults({ url: server.url, vectors: 100, vectorSize: DIMENSIONS, queries: QUERIES, maxP95Ms: 1e6, deadlineS: 30 }));
      const smallOverhead = median(small.samples.client.map((c, i) => c - small.samples.server[i]));
      const floor = await bareFetchMs(server.url);
      bare.push(floor);
      seeds.push(seedS);
      overheads.push(overhead);
      smallOverheads.push(smallOverhead);
      rows.push([String(run), seedS.toFixed(2), Math.round(VECTORS / seedS).toString(), overhead.toFixed(3), median(samples.client).toFixed(3), median(samples.server).toFixed(3), smallOverhead.toFixed(3), floor.toFixed(3)]);
    }
  } finally {
    server.stop();
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => c.padStart(widths[i])).join('  '));
  const seedMedian = median(seeds);
  const overheadMedian = median(overheads);
  console.log(`\nmedian over ${RUNS} runs: seeding ${VECTORS} × ${DIMENSIONS} in ${seedMedian.toFixed(2)} s (target ≤ 3 s: ${seedMedian <= 3 ? 'met' : 'MISSED'}),`);
  console.log(`client overhead per query ${overheadMedian.toFixed(3)} ms on 10k × ${DIMENSIONS}, ${median(smallOverheads).toFixed(3)} ms on 100 points (target ≤ 0.5 ms: ${median(smallOverheads) <= 0.5 ? 'met' : 'MISSED'})`);
  console.log(`baseline: a bare fetch of GET / takes ${median(bare).toFixed(3)} ms; the client's overhead is ${(median(smallOverheads) / median(bare)).toFixed(2)}× that floor`);
  console.log(`node ${process.version}, ${QUERIES} queries per run, stand-in in its own process on loopback`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
