/**
 * `qdrant-stack smoke` as a user meets it: exit codes, --help, the three formats, --out, usage
 * errors, --config, secrets kept out of every output, and SIGINT on the in-cluster runner's entry point.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convert } from 'xmlbuilder2';
import { TEMP_COLLECTION_PREFIX } from '../../src/smoke/options';
import { startOllamaStandIn } from './support/ollama-stand-in';
import { startQdrantStandIn, QdrantStandIn } from './support/qdrant-stand-in';
import { ADMIN_KEY, appCollection, READ_ONLY_KEY } from './support/fixtures';
import { smokeCli } from './support/cli';

const cli = smokeCli;

const fast = ['--vectors', '300', '--queries', '10', '--vector-size', '64', '--deadline-s', '2'];
let qdrant: QdrantStandIn;
let dir: string;
beforeAll(async () => {
  qdrant = await startQdrantStandIn({ apiKey: ADMIN_KEY, readOnlyApiKey: READ_ONLY_KEY, collections: { knowledge: appCollection() } });
  dir = mkdtempSync(join(tmpdir(), 'smoke-cli-'));
});
afterAll(() => qdrant.close());

describe('qdrant-stack smoke', () => {
  it('documents every option and the exit codes in --help', async () => {
    const { code, out } = await cli(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--url', '--api-key', '--config', '--collection', '--vector-size', '--distance', '--vectors', '--queries', '--max-p95-ms', '--deadline-s', '--read-only', '--ollama-url', '--embedding-model', '--redis-url', '--format', '--out']) {
      expect(out).toContain(flag);
    }
    expect(out).toMatch(/env: QDRANT_API_KEY/);
    expect(out).toMatch(/REDIS_PASSWORD/);
    for (const line of [/0\s+all checks passed/, /1\s+a check failed/, /2\s+usage or config error/, /3\s+Qdrant unreachable or not ready/]) expect(out).toMatch(line);
  });

  it('exits 0 with a text table and histogram; the key from QDRANT_API_KEY never shows', async () => {
    const { code, out, err } = await cli(['--url', qdrant.url, ...fast], { QDRANT_API_KEY: ADMIN_KEY });
    expect(code).toBe(0);
    expect(out).toMatch(/^latency\.server\.p95\s+PASS/m);
    expect(out).toMatch(/client round trip histogram:/);
    expect(out).toMatch(/PASSED/);
    expect(out + err).not.toContain(ADMIN_KEY);
  });

  it('writes a JSON report of the documented shape, key redacted', async () => {
    const { code, out } = await cli(['--url', qdrant.url, '--api-key', ADMIN_KEY, '--format', 'json', '--collection', 'knowledge', ...fast]);
    expect(code).toBe(0);
    expect(out).not.toContain(ADMIN_KEY);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ target: { url: qdrant.url, apiKey: '***' }, version: '1.19.0', startedAt: expect.any(String) });
    expect(Date.parse(report.startedAt)).not.toBeNaN();
    for (const c of report.checks) expect(Object.keys(c)).toEqual(expect.arrayContaining(['name', 'status', 'value', 'threshold', 'durationMs', 'message']));
    for (const side of ['client', 'server']) expect(Object.keys(report.latency[side]).sort()).toEqual(['max', 'p50', 'p95', 'p99']);
    expect(report.latency.recall).toBe(1);
  });

  it('writes JUnit XML to --out, one testcase per check, failures marked (exit 1)', async () => {
    const file = join(dir, 'smoke.xml');
    const { code, out, err } = await cli(['--url', qdrant.url, '--api-key', ADMIN_KEY, '--format', 'junit', '--out', file, '--collection', 'missing-one', ...fast]);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/FAILED \(exit 1\), report in /);
    const xml = readFileSync(file, 'utf8');
    expect(xml).not.toContain(ADMIN_KEY);
    const doc = convert(xml, { format: 'object' }) as any;
    const suite = doc.testsuites.testsuite;
    const cases = [suite.testcase].flat();
    expect(Number(suite['@tests'])).toBe(cases.length);
    expect(Number(suite['@failures'])).toBe(1);
    const failed = cases.find((c: any) => c['@name'] === 'collection.missing-one');
    expect(failed.failure['@message']).toMatch(/does not exist/);
  });

  it('exits 1 for a refused key and 3 for an unreachable target', async () => {
    expect((await cli(['--url', qdrant.url, '--api-key', 'wrong-key-0000', ...fast])).code).toBe(1);
    const down = await cli(['--url', 'http://127.0.0.1:1', '--deadline-s', '0.2', '--format', 'json']);
    expect(down.code).toBe(3);
    expect(JSON.parse(down.out).checks[0]).toMatchObject({ name: 'qdrant.reachable', status: 'fail' });
  });

  it('measures on an expected collection with a read-only key (exit 0)', async () => {
    const { code, out } = await cli(['--url', qdrant.url, '--api-key', READ_ONLY_KEY, '--collection', 'knowledge', '--format', 'json', ...fast]);
    expect(code).toBe(0);
    expect(JSON.parse(out).latency).toMatchObject({ mode: 'read-only', collection: 'knowledge' });
    expect(out).not.toContain(READ_ONLY_KEY);
  });

  it('takes expectations from --config (collections and version)', async () => {
    const file = join(dir, 'stack.yaml');
    writeFileSync(file, 'qdrant:\n  version: "1.19.0"\n  collections:\n    - { name: knowledge, vectorSize: 64, distance: Cosine }\n    - { name: faq, vectorSize: 64, distance: Dot }\nollama: { enabled: false }\n');
    const { code, out } = await cli(['--url', qdrant.url, '--api-key', ADMIN_KEY, '--config', file, '--format', 'json', '--vectors', '300', '--queries', '10', '--deadline-s', '1']);
    const report = JSON.parse(out);
    expect(report.checks.filter((c: any) => c.name.startsWith('collection.')).map((c: any) => [c.name, c.status])).toEqual([['collection.knowledge', 'pass'], ['collection.faq', 'fail']]);
    // Declared and missing: waited for until the deadline, then the command that creates it (run by hand: no Job to point to).
    expect(report.checks.find((c: any) => c.name === 'collection.faq')).toMatchObject({ value: 'missing', threshold: 'in sync green|yellow' });
    expect(report.checks.find((c: any) => c.name === 'collection.faq').message).toMatch(
      /^collection "faq" does not exist within the deadline \(1 s from the start of the run\) \(waited [\d.]+ s for it to be created\): run qdrant-stack collections apply \(with the same --url and --config\) to create it$/,
    );
    expect(report.checks.find((c: any) => c.name === 'qdrant.version')).toMatchObject({ status: 'pass', threshold: '1.19.0' });
    expect(code).toBe(1);
  });

  it('takes the embedding model and its dimension from --config; only the Ollama URL is a flag', async () => {
    const ollama = await startOllamaStandIn({ models: ['test-embed:latest'], dimension: 384 });
    try {
      const file = join(dir, 'stack-ollama.yaml');
      writeFileSync(file, 'qdrant:\n  collections:\n    - { name: knowledge, vectorSize: 64, distance: Cosine }\nollama: { embeddingModel: test-embed, embeddingDimensions: 64 }\n');
      const { out, err } = await cli(['--url', qdrant.url, '--api-key', ADMIN_KEY, '--config', file, '--ollama-url', ollama.url, '--format', 'json', '--vectors', '300', '--queries', '10']);
      expect(err).not.toMatch(/invalid stack config/);
      const checks = JSON.parse(out).checks;
      expect(checks.find((c: any) => c.name === 'ollama.model')).toMatchObject({ status: 'pass', value: 'test-embed' });
      // The model says 64 dimensions; this Ollama embeds with 384: the mismatch is caught.
      expect(checks.find((c: any) => c.name === 'ollama.embed')).toMatchObject({ status: 'fail', value: 384, threshold: 64 });
    } finally {
      await ollama.close();
    }
  });

  it.each([
    [['--vectors', 'many'], /--vectors <n>.*expected a number of vectors, a positive integer/],
    [['--max-p95-ms', '0'], /--max-p95-ms <x>.*expected milliseconds, a positive number/],
    [['--distance', 'cosine'], /--distance <d>.*Allowed choices are Cosine, Dot, Euclid, Manhattan/],
    [['--format', 'xml'], /--format <format>.*Allowed choices are text, json, junit/],
    [['--redis-url', 'http://redis:6379'], /--redis-url <url>.*expected a redis: or rediss: URL/],
    [['--ollama-url', 'http://ollama:11434'], /--ollama-url and --embedding-model go together/],
    [['--read-only'], /--read-only measures an expected collection/],
    [['--config', '/nonexistent/stack.yaml'], /file not found/],
  ])('exits 2 on bad input %j, naming the option', async (args, message) => {
    const { code, err } = await cli(['--url', qdrant.url, ...args]);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it('--collection may repeat what --config declares, not contradict it (exit 2 before any request)', async () => {
    const file = join(dir, 'stack-declared.yaml');
    writeFileSync(file, 'qdrant:\n  collections:\n    - { name: knowledge, vectorSize: 64, distance: Cosine }\nollama: { enabled: false }\n');
    const before = qdrant.log.length;
    const { code, err } = await cli(['--url', qdrant.url, '--api-key', ADMIN_KEY, '--config', file, '--collection', 'knowledge', '--vector-size', '768', '--vectors', '300', '--queries', '10']);
    expect(code).toBe(2);
    expect(err).toMatch(/--vector-size 768 contradicts the stack model, which declares collection "knowledge" with 64: leave the flag out, or --config out to check size and distance only/);
    expect(qdrant.log.length).toBe(before);
    const same = await cli(['--url', qdrant.url, '--api-key', ADMIN_KEY, '--config', file, '--collection', 'knowledge', '--vector-size', '64', '--distance', 'Cosine', '--format', 'json', '--vectors', '300', '--queries', '10']);
    expect(JSON.parse(same.out).checks.find((c: any) => c.name === 'collection.knowledge')).toMatchObject({ status: 'pass', message: 'in sync with the stack model' });
    expect(same.code).toBe(0);
  });

  it('exits 2 without --url, naming it', async () => {
    const { code, err } = await cli([]);
    expect(code).toBe(2);
    expect(err).toMatch(/required option '--url <url>' not specified/);
  });
});

describe('the runner entry point (src/smoke/runner.ts)', () => {
  it('on SIGINT stops, deletes the temporary collection, reports and exits 1; secrets stay out of its output', async () => {
    let child: ReturnType<typeof spawn> | undefined;
    let upserts = 0;
    const q = await startQdrantStandIn({
      apiKey: ADMIN_KEY,
      onRequest: (m, p) => {
        if (m === 'PUT' && p.endsWith('/points') && ++upserts === 2) child!.kill('SIGINT');
      },
    });
    try {
      child = spawn(process.execPath, ['--import', 'tsx', 'src/smoke/runner.ts'], {
        cwd: join(__dirname, '../..'),
        env: { ...process.env, QDRANT_URL: q.url, QDRANT_API_KEY: ADMIN_KEY, SMOKE_VECTORS: '50000', SMOKE_VECTOR_SIZE: '64', SMOKE_DEADLINE_S: '5' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (err += d));
      const code = await new Promise<number | null>((resolve) => child!.on('exit', resolve));
      expect(code).toBe(1);
      expect(out).toMatch(/^interrupted\s+FAIL\s.*received SIGINT/m);
      expect(out).toMatch(/^cleanup\s+PASS\s/m);
      expect(out).toMatch(/FAILED: 1 check\(s\) failed \(exit 1\)/);
      expect(q.collectionNames().filter((n) => n.startsWith(TEMP_COLLECTION_PREFIX))).toEqual([]);
      expect(upserts).toBeLessThan(50_000 / 512);
      expect(out + err).not.toContain(ADMIN_KEY);
    } finally {
      await q.close();
    }
  });
});
