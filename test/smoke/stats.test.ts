import { backoffDelay, mapPool, retry } from '../../src/smoke/backoff';
import { changeLine, compareSizeAndDistance, pickVector } from '../../src/smoke/checks/schema';
import { exitCodeOf, redact, redactUrl, scrubDeep, urlPasswords, CheckResult } from '../../src/smoke/report';
import { histogram, meanRecall, percentile, recallAtK, summarize } from '../../src/smoke/stats';
import { batches } from '../../src/smoke/vectors';

const check = (status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult => ({ name: 'x', status, value: null, threshold: null, durationMs: 0, message: '', ...extra });

describe('statistics', () => {
  it('takes nearest-rank percentiles: never a value that was not measured', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 95)).toBe(95);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(summarize([1.23456, 2, 3])).toEqual({ p50: 2, p95: 3, p99: 3, max: 3 });
    expect(() => percentile([], 50)).toThrow(/empty/);
    expect(() => percentile([1], 101)).toThrow(/0..100/);
  });

  it('computes recall@10 against the exact ids, ignoring order and id type', () => {
    expect(recallAtK([1, 2, 3], ['3', '2', '1'])).toBe(1);
    expect(recallAtK([1, 2, 9, 8], [1, 2, 3, 4])).toBe(0.5);
    expect(recallAtK([], [])).toBe(1);
    expect(recallAtK(Array.from({ length: 20 }, (_, i) => i), Array.from({ length: 20 }, (_, i) => 19 - i))).toBe(0); // only the top 10 count
    expect(meanRecall([{ approximate: [1], exact: [1] }, { approximate: [2], exact: [3] }])).toBe(0.5);
  });

  it('counts samples into histogram buckets and trims empty ends', () => {
    expect(histogram([0.3, 0.7, 0.8, 3, 2000], [0.5, 1, 2, 5])).toEqual([
      { from: 0, to: 0.5, count: 1 },
      { from: 0.5, to: 1, count: 2 },
      { from: 1, to: 2, count: 0 },
      { from: 2, to: 5, count: 1 },
      { from: 5, to: Infinity, count: 1 },
    ]);
    expect(histogram([1.5, 1.6], [0.5, 1, 2, 5])).toEqual([{ from: 1, to: 2, count: 2 }]);
    expect(histogram([])).toEqual([]);
  });

  it('splits the seed into batches', () => {
    expect(batches(1000, 256)).toEqual([[0, 256], [256, 512], [512, 768], [768, 1000]]);
  });
});

describe('backoff', () => {
  it('draws full-jitter delays below an exponentially growing, capped ceiling', () => {
    const opts = { baseMs: 100, capMs: 1000 };
    expect(backoffDelay(0, { ...opts, random: () => 0.5 })).toBe(50);
    expect(backoffDelay(3, { ...opts, random: () => 0.5 })).toBe(400);
    expect(backoffDelay(10, { ...opts, random: () => 0.999 })).toBeLessThan(1000);
    expect(backoffDelay(2, { ...opts, random: () => 0 })).toBe(0);
  });

  it('retries retryable errors only, up to the limit', async () => {
    let calls = 0;
    const flaky = async () => {
      if (++calls < 3) throw Object.assign(new Error('busy'), { status: 503 });
      return 'ok';
    };
    await expect(retry(flaky, { retries: 5, baseMs: 1, capMs: 1, isRetryable: () => true })).resolves.toBe('ok');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retry(flaky, { retries: 5, baseMs: 1, capMs: 1, isRetryable: () => false })).rejects.toThrow('busy');
    expect(calls).toBe(1);
    calls = -10;
    await expect(retry(flaky, { retries: 2, baseMs: 1, capMs: 1, isRetryable: () => true })).rejects.toThrow('busy');
    expect(calls).toBe(-7);
  });

  it('keeps the input order and at most N calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapPool([5, 1, 3, 2, 4], 2, async (x) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, x));
      inFlight--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 30, 20, 40]);
    expect(most).toBe(2);
  });
});

describe('report helpers', () => {
  it('maps checks to exit codes: unreachable 3, failed 1, else 0', () => {
    expect(exitCodeOf([check('pass'), check('skip')])).toBe(0);
    expect(exitCodeOf([check('pass'), check('fail')])).toBe(1);
    expect(exitCodeOf([check('fail'), check('fail', { unreachable: true })])).toBe(3);
  });

  it('redacts secrets in text and every string of a check', () => {
    expect(redact('key=abcd1234 and abcd1234', ['abcd1234'])).toBe('key=*** and ***');
    const [c] = scrubDeep([check('fail', { message: 'saw s3cret!', value: 's3cret!', threshold: 5 })], ['s3cret!']);
    expect(c).toMatchObject({ message: 'saw ***', value: '***', threshold: 5 });
    expect(scrubDeep({ a: ['x\u001b[31mred', { b: 'k-s3cret!' }] }, ['s3cret!'])).toEqual({ a: ['x [31mred', { b: 'k-***' }] });
  });

  it.each([
    ['http://admin:PASS@host', 'http://admin:***@host'],
    ['http://admin:PASS@host:6333/', 'http://admin:***@host:6333/'],
    ['redis://:p%40ss@redis:6379/0', 'redis://:***@redis:6379/0'],
    ['redis://app:pw@redis:6379', 'redis://app:***@redis:6379'],
    ['http://admin:p@ss@host/x@y', 'http://admin:***@host/x@y'],
    ['http://admin:PASS@host:notaport', 'http://admin:***@host:notaport'],
    ['http://admin:pa/ss@host', 'http://admin:***@host'],
    ['admin:PASS@host:6333', 'admin:***@host:6333'],
    ['http://token@host', 'http://token@host'],
    ['http://host:6333/a:b@c', 'http://host:6333/a:b@c'],
    ['not a url', 'not a url'],
  ])('redacts the password of %s, keeping the rest as written', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });

  it('knows a URL password as written and decoded', () => {
    expect(urlPasswords('redis://:p%40ss@redis:6379')).toEqual(['p%40ss', 'p@ss']);
    expect(urlPasswords('http://host')).toEqual([]);
    expect(urlPasswords(undefined)).toEqual([]);
  });
});

describe('schema comparison of a collection given by flags', () => {
  const expected = { name: 'docs', vectorSize: 64, distance: 'Cosine' as const };

  it('reads unnamed and named vectors', () => {
    expect(pickVector({ size: 64, distance: 'Cosine' }, expected)).toEqual({ params: { size: 64, distance: 'Cosine' } });
    const named = { title: { size: 32, distance: 'Dot' }, body: { size: 64, distance: 'Cosine' } };
    expect(pickVector(named, expected).name).toBe('body');
    expect(pickVector(named, { ...expected, vectorName: 'title' }).name).toBe('title');
    expect(pickVector(named, { ...expected, vectorName: 'image' }).problem).toMatch(/no named vector "image" \(has: title, body\)/);
  });

  it('names every mismatch: size, distance, status, payload index', () => {
    const info = { status: 'red', config: { params: { vectors: { size: 32, distance: 'Dot' } } }, payload_schema: { tenant: { data_type: 'integer' } } };
    const out = compareSizeAndDistance(info, { ...expected, payloadIndexes: { tenant: 'keyword', lang: true } });
    expect(out.status).toBe('fail');
    expect(out.message).toBe('size is 32, expected 64; distance is Dot, expected Cosine; status is red, expected green or yellow; payload index on "tenant" is integer, expected keyword; payload index on "lang" is missing');
    const ok = compareSizeAndDistance({ status: 'yellow', config: { params: { vectors: { size: 64, distance: 'Cosine' } } } }, expected);
    expect(ok).toMatchObject({ status: 'pass', value: '64/Cosine yellow' });
  });
});

describe('a change as the schema check lists it: the reconciler\'s per-leaf line', () => {
  it.each([
    [{ field: 'docs.hnsw.m', declared: 32, found: 16, kind: 'mutable' as const }, 'docs.hnsw.m: declared 32, found 16'],
    [{ field: 'docs.payloadIndexes.lang', declared: 'keyword', found: null, kind: 'index' as const }, 'docs.payloadIndexes.lang: declared keyword, found (none)'],
    [{ field: 'docs.vectors.dense.size', declared: 1024, found: 768, kind: 'immutable' as const }, 'docs.vectors.dense.size: declared 1024, found 768 (fixed at creation)'],
    [{ field: 'docs.quantization', declared: { binary: {} }, found: null, kind: 'mutable' as const }, 'docs.quantization: declared {"binary":{}}, found (none)'],
    [{ field: 'docs.shards.0.replicas', declared: 2, found: 1, kind: 'replicas' as const, note: 'add a copy: POST /collections/docs/cluster {...}' }, 'docs.shards.0.replicas: declared 2, found 1 (a manual step: add a copy: POST /collections/docs/cluster {...})'],
  ])('%j', (change, line) => {
    expect(changeLine(change)).toBe(line);
  });
});

describe('expectations from the stack model', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { expectationsFromConfig } = require('../../src/smoke/options');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolveConfig } = require('../../src/config/load');

  test('each collection carries its declaration as validated and the peers: compared as the reconciler compares', () => {
    const declared = { name: 'knowledge', vectorSize: 1024, distance: 'Cosine', payloadIndexes: { tenant: { type: 'keyword', isTenant: true }, created: 'datetime' }, hnsw: { m: 32 } };
    const config = resolveConfig({ qdrant: { replicas: 3, collections: [declared] } });
    expect(expectationsFromConfig(config).collections).toEqual([{ name: 'knowledge', vectorSize: 1024, distance: 'Cosine', declared: config.qdrant.collections[0], peers: 3 }]);
    expect(config.qdrant.collections[0]).toEqual(declared);
  });

  test('named vectors: the embedding vector is the one named (the temporary collection and a read-only run follow it)', () => {
    const config = resolveConfig({
      qdrant: { collections: [{ name: 'docs', vectors: { title: { size: 384, distance: 'Dot' }, body: { size: 1024, distance: 'Cosine' } }, embeddingVector: 'body' }] },
    });
    expect(expectationsFromConfig(config).collections[0]).toMatchObject({ name: 'docs', vectorName: 'body', vectorSize: 1024, distance: 'Cosine' });
  });

  test('an unknown index type is a config error', () => {
    expect(() => resolveConfig({ qdrant: { collections: [{ name: 'k', vectorSize: 1024, distance: 'Cosine', payloadIndexes: { tenant: 'string' } }] } })).toThrow(
      /qdrant\.collections\[0\]\.payloadIndexes\.tenant: must be one of keyword, integer, float, bool, geo, datetime, text, uuid .*\(got "string"\)/,
    );
  });
});
