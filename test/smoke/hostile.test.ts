/**
 * What answers that is not Qdrant or Ollama, what never answers, and what never stops answering: the
 * verdict names it (exit 1 for a wrong answer, 3 only for silence), the deadline and Ctrl-C cut requests
 * in flight, and a body without end neither crashes nor hangs the run. Through the real client.
 */
import { createServer, Server, Socket } from 'node:net';
import { runSmoke } from '../../src/smoke/run';
import { MAX_RESPONSE_BYTES } from '../../src/smoke/http';
import { TEMP_COLLECTION_PREFIX } from '../../src/smoke/options';
import { pointsPerRequest } from '../../src/smoke/vectors';
import { Impostor, startImpostor } from './support/impostor';
import { startOllamaStandIn } from './support/ollama-stand-in';
import { startQdrantStandIn, QdrantStandIn } from './support/qdrant-stand-in';
import { ADMIN_KEY, appCollection, checkNamed, fastOptions } from './support/fixtures';

let closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});
const impostor = async (...args: Parameters<typeof startImpostor>): Promise<Impostor> => {
  const i = await startImpostor(...args);
  closers.push(i.close);
  return i;
};
const qdrantStandIn = async (options: Parameters<typeof startQdrantStandIn>[0] = {}): Promise<QdrantStandIn> => {
  const q = await startQdrantStandIn({ apiKey: ADMIN_KEY, collections: { knowledge: appCollection() }, ...options });
  closers.push(q.close);
  return q;
};
const statuses = (checks: readonly { name: string; status: string }[]) => Object.fromEntries(checks.map((c) => [c.name, c.status]));
const small = { apiKey: ADMIN_KEY, vectors: 300, queries: 5 };

describe('an answer that is not Qdrant\'s fails the check (exit 1), naming what answered', () => {
  it('nginx\'s welcome page on every route: not reachable-and-fine, not "qdrant undefined", no key check', async () => {
    const nginx = await impostor('nginx');
    const { report } = await runSmoke(fastOptions(nginx.url, small));
    const reach = checkNamed(report.checks, 'qdrant.reachable');
    expect(reach).toMatchObject({ status: 'fail' });
    expect(reach.unreachable).toBeUndefined();
    expect(reach.message).toBe('GET / did not answer as Qdrant (expected {title, version}): HTTP 200 text/html from "nginx/1.27.0": "<!DOCTYPE html> <html> <head> <title>Welcome to nginx!</title> </head> <body> <h…"');
    expect(report.checks.some((c) => c.status === 'pass')).toBe(false);
    expect(report.checks.find((c) => c.name === 'qdrant.auth')).toBeUndefined();
    expect(JSON.stringify(report)).not.toMatch(/undefined/);
    expect(report).toMatchObject({ exitCode: 1, version: null });
    // Not polled until the deadline: one answer was enough to tell.
    expect(nginx.requests()).toBe(1);
  });

  it('invalid JSON on GET /: a failed check saying so, not "unreachable"', async () => {
    const broken = await impostor('invalid-json');
    const { report } = await runSmoke(fastOptions(broken.url, small));
    expect(checkNamed(report.checks, 'qdrant.reachable')).toMatchObject({ status: 'fail' });
    expect(checkNamed(report.checks, 'qdrant.reachable').message).toMatch(/^GET \/ did not answer as Qdrant: invalid JSON \(/);
    expect(report.exitCode).toBe(1);
  });

  it('Qdrant on GET / but a proxy\'s HTML on /collections: the key check fails instead of passing with 0 collections', async () => {
    const q = await qdrantStandIn({ faults: { nginx: (_m, p) => p === '/collections' } });
    const { report } = await runSmoke(fastOptions(q.url, small));
    expect(statuses(report.checks)).toMatchObject({ 'qdrant.reachable': 'pass', 'qdrant.readyz': 'pass', 'qdrant.auth': 'fail', 'latency.server.p95': 'skip' });
    expect(checkNamed(report.checks, 'qdrant.auth').message).toMatch(/^GET \/collections did not answer as Qdrant \(no \{result, status, time\}\): HTTP 200 text\/html from "nginx\/1\.27\.0"/);
    expect(report.exitCode).toBe(1);
  });
});

describe('bodies are bounded', () => {
  it(`a GET / that never ends is cut at ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB: no crash, no hang, a failed check (exit 1)`, async () => {
    const endless = await impostor('endless');
    const started = Date.now();
    const { report } = await runSmoke(fastOptions(endless.url, { ...small, deadlineS: 30, requestTimeoutMs: 30_000 }));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(checkNamed(report.checks, 'qdrant.reachable')).toMatchObject({ status: 'fail', message: 'GET / did not answer as Qdrant: the answer passed the 32 MiB a smoke check reads' });
    expect(report.exitCode).toBe(1);
    // It read up to the cap, not much further.
    expect(endless.bytesSent()).toBeLessThan(4 * MAX_RESPONSE_BYTES);
  });

  it('Ollama\'s model list that never ends fails the model check, without waiting for the deadline', async () => {
    const q = await qdrantStandIn();
    const endless = await impostor('endless');
    const started = Date.now();
    const { report } = await runSmoke(fastOptions(q.url, { ...small, deadlineS: 30, ollama: { url: endless.url, embeddingModel: 'nomic-embed-text' } }));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(checkNamed(report.checks, 'ollama.model')).toMatchObject({ status: 'fail', message: 'Ollama /api/tags did not answer as Ollama: the answer passed the 32 MiB a smoke check reads' });
    expect(endless.requests()).toBe(1);
    expect(report.exitCode).toBe(1);
  });

  it('an Ollama answer declaring gigabytes is refused before reading it', async () => {
    const q = await qdrantStandIn();
    const huge = await impostor('huge-length');
    const started = Date.now();
    const { report } = await runSmoke(fastOptions(q.url, { ...small, deadlineS: 30, ollama: { url: huge.url, embeddingModel: 'nomic-embed-text' } }));
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(checkNamed(report.checks, 'ollama.model').message).toBe(`Ollama /api/tags did not answer as Ollama: the answer is ${3 * 1024 ** 3} bytes, more than the 32 MiB a smoke check reads`);
  });

  it('seeds 65,536-dimension vectors in requests of 15 points (8 MiB, under Qdrant\'s 32 MB limit)', async () => {
    const q = await qdrantStandIn({ collections: {} });
    const { report } = await runSmoke(fastOptions(q.url, { apiKey: ADMIN_KEY, vectors: 40, queries: 3, warmupQueries: 0, recallSample: 1, collections: [], vectorSize: 65_536 }));
    expect(pointsPerRequest(65_536, 512)).toBe(15);
    expect(pointsPerRequest(1024, 512)).toBe(512);
    expect(q.log.filter((r) => r.method === 'PUT' && r.path.endsWith('/points')).length).toBe(3);
    expect(checkNamed(report.checks, 'latency.seed')).toMatchObject({ status: 'pass', value: 40 });
    expect(report.exitCode).toBe(0);
  });
});

// The bounds on elapsed time leave room for a loaded machine; without the cut, each of these runs
// would take the 30 s request timeout.
describe('the deadline and Ctrl-C cut requests in flight', () => {
  it('a server that accepts and never answers: exit 3 at the deadline (1 s), not after the 30 s request timeout', async () => {
    const silent = await impostor('silent');
    const started = Date.now();
    const { report } = await runSmoke(fastOptions(silent.url, { ...small, deadlineS: 1, requestTimeoutMs: 30_000 }));
    const elapsed = Date.now() - started;
    expect(checkNamed(report.checks, 'qdrant.reachable')).toMatchObject({ status: 'fail', unreachable: true, message: 'no answer on GET / within the deadline: no answer within 1.0 s' });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(8_000);
    expect(report.exitCode).toBe(3);
  });

  it('/readyz that hangs is cut at the deadline too', async () => {
    const q = await qdrantStandIn({ faults: { silent: (_m, p) => p === '/readyz' } });
    const started = Date.now();
    const { report } = await runSmoke(fastOptions(q.url, { ...small, deadlineS: 1, requestTimeoutMs: 30_000 }));
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(checkNamed(report.checks, 'qdrant.readyz')).toMatchObject({ status: 'fail', unreachable: true });
    expect(report.exitCode).toBe(3);
  });

  it('Ctrl-C while GET / hangs ends the run at once (exit 1, interrupted)', async () => {
    const silent = await impostor('silent');
    const controller = new AbortController();
    setTimeout(() => controller.abort('received SIGINT, cleaning up'), 200);
    const started = Date.now();
    const { report } = await runSmoke(fastOptions(silent.url, { ...small, deadlineS: 60, requestTimeoutMs: 30_000 }), { signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(checkNamed(report.checks, 'interrupted').message).toMatch(/received SIGINT/);
    expect(report.exitCode).toBe(1);
  });

  it('Ctrl-C while an upsert hangs: the run stops at once and still deletes the temporary collection', async () => {
    const controller = new AbortController();
    const q = await qdrantStandIn({
      faults: { silent: (m, p) => m === 'PUT' && p.endsWith('/points') },
      onRequest: (m, p) => {
        if (m === 'PUT' && p.endsWith('/points')) setTimeout(() => controller.abort('received SIGTERM, cleaning up'), 100);
      },
    });
    const started = Date.now();
    const { report } = await runSmoke(fastOptions(q.url, { ...small, requestTimeoutMs: 30_000 }), { signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(checkNamed(report.checks, 'interrupted').message).toMatch(/received SIGTERM/);
    expect(checkNamed(report.checks, 'cleanup').status).toBe('pass');
    expect(q.collectionNames().filter((n) => n.startsWith(TEMP_COLLECTION_PREFIX))).toEqual([]);
  });

  it('Ctrl-C while Ollama hangs ends the run at once', async () => {
    const q = await qdrantStandIn();
    const silent = await impostor('silent');
    const controller = new AbortController();
    const polling = setInterval(() => silent.requests() > 0 && controller.abort('received SIGINT, cleaning up'), 10);
    try {
      const started = Date.now();
      const { report } = await runSmoke(fastOptions(q.url, { ...small, deadlineS: 60, requestTimeoutMs: 30_000, ollama: { url: silent.url, embeddingModel: 'm' } }), { signal: controller.signal });
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(checkNamed(report.checks, 'interrupted').message).toMatch(/received SIGINT/);
    } finally {
      clearInterval(polling);
    }
  });
});

describe('Redis that never answers', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.resume();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('fails the Redis check after the request timeout', async () => {
    const q = await qdrantStandIn();
    const started = Date.now();
    const { report } = await runSmoke(fastOptions(q.url, { ...small, requestTimeoutMs: 500, redis: { url: `redis://127.0.0.1:${port}`, password: 'pw-1234567' } }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(checkNamed(report.checks, 'redis').status).toBe('fail');
    expect(report.exitCode).toBe(1);
  });

  it('Ctrl-C ends the wait at once', async () => {
    const q = await qdrantStandIn();
    const controller = new AbortController();
    const polling = setInterval(() => sockets.size > 0 && controller.abort('received SIGINT, cleaning up'), 10);
    try {
      const started = Date.now();
      const { report } = await runSmoke(fastOptions(q.url, { ...small, requestTimeoutMs: 30_000, redis: { url: `redis://127.0.0.1:${port}` } }), { signal: controller.signal });
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(checkNamed(report.checks, 'interrupted').message).toMatch(/received SIGINT/);
      // Interrupted at Redis, after everything before it.
      expect(checkNamed(report.checks, 'cleanup').status).toBe('pass');
      expect(report.checks.find((c) => c.name === 'redis')).toBeUndefined();
    } finally {
      clearInterval(polling);
    }
  });
});

describe('an Ollama behind basic auth, credentials in its URL', () => {
  it('sends them as a header and shows the URL redacted', async () => {
    const q = await qdrantStandIn();
    const ollama = await startOllamaStandIn({ models: ['nomic-embed-text:latest'], dimension: 64, basicAuth: { user: 'admin', password: 'ollama-pw-4711' } });
    closers.push(ollama.close);
    const url = ollama.url.replace('http://', 'http://admin:ollama-pw-4711@');
    const { report } = await runSmoke(fastOptions(q.url, { ...small, ollama: { url, embeddingModel: 'nomic-embed-text' } }));
    expect(statuses(report.checks)).toMatchObject({ 'ollama.model': 'pass', 'ollama.embed': 'pass', rag: 'pass' });
    expect(report.target.ollamaUrl).toBe(ollama.url.replace('http://', 'http://admin:***@'));
    const wrong = await runSmoke(fastOptions(q.url, { ...small, deadlineS: 1, ollama: { url: url.replace('4711', '0000'), embeddingModel: 'nomic-embed-text' } }));
    expect(checkNamed(wrong.report.checks, 'ollama.model').message).toMatch(/HTTP 401 401 Authorization Required/);
    expect(JSON.stringify(wrong.report)).not.toMatch(/ollama-pw-/);
  });
});
