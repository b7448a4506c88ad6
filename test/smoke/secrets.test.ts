/**
 * Secrets never reach an output: every failing scenario (unreachable, refused, hung, not Qdrant, a server
 * quoting the key in its version, its errors or its HTML, companions down or refusing, bad URLs on the
 * command line and in the environment) is run through `qdrant-stack smoke` in each format (text, json,
 * junit) and through the in-cluster runner (its text report), and stdout and stderr are searched for the
 * API key, the Redis password and every URL password — as written, decoded, and as Basic credentials.
 */
import { createServer } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { runnerMain } from '../../src/smoke/runner';
import { smokeCli } from './support/cli';
import { appCollection } from './support/fixtures';
import { Impostor, startImpostor } from './support/impostor';
import { startQdrantStandIn, QdrantStandIn } from './support/qdrant-stand-in';
import { findRedisServer, RedisServer, startRedis } from '../support/redis-server';

const API_KEY = 'sk-qdrant-7f3a9c1e5b';
const REDIS_PASSWORD = 'redis-pw-2d8e4a6c';
/** URL passwords with characters that are percent-encoded in a URL, so both spellings are searched. */
const QDRANT_URL_PASSWORD = 'q-url/pw@4711';
const OLLAMA_URL_PASSWORD = 'o-url pw:0815';
const REDIS_URL_PASSWORD = 'r-url%pw#2342';
const userinfo = (user: string, password: string) => `${user}:${encodeURIComponent(password)}@`;
const withCredentials = (url: string, user: string, password: string) => url.replace('://', `://${userinfo(user, password)}`);

/** Every spelling of every secret that must not appear. */
const FORBIDDEN = [
  API_KEY,
  REDIS_PASSWORD,
  ...[QDRANT_URL_PASSWORD, OLLAMA_URL_PASSWORD, REDIS_URL_PASSWORD].flatMap((p) => [p, encodeURIComponent(p)]),
  ...[['admin', QDRANT_URL_PASSWORD], ['admin', OLLAMA_URL_PASSWORD]].map(([u, p]) => Buffer.from(`${u}:${p}`).toString('base64')),
];

/** A scenario's target: what the CLI gets as flags and environment, the runner as environment. */
interface Target {
  url: string;
  apiKey?: string;
  ollamaUrl?: string;
  redisUrl?: string;
  redisPassword?: string;
  expectVersion?: string;
  deadlineS?: string;
  /** Give the Qdrant URL through QDRANT_URL rather than --url. */
  urlFromEnv?: boolean;
}

interface Scenario {
  target: () => Target;
  /** Exit code of the CLI (the runner's is the same unless `runnerCode` says otherwise). */
  code: number;
  runnerCode?: number;
  /** Text each output must show, proving the scenario ran into its failure. */
  shows: RegExp;
  /** How the CLI shows the URL it was given, redacted (`admin:***@` by default). */
  redacted?: RegExp;
  needsRedis?: boolean;
}

const cliRun = (t: Target, format: string) => {
  const args = [...(t.urlFromEnv ? [] : ['--url', t.url]), '--vectors', '50', '--queries', '3', '--vector-size', '64', '--deadline-s', t.deadlineS ?? '0.3', '--format', format];
  if (t.ollamaUrl) args.push('--ollama-url', t.ollamaUrl, '--embedding-model', 'nomic-embed-text');
  if (t.redisUrl) args.push('--redis-url', t.redisUrl);
  if (t.expectVersion) args.push('--expect-version', t.expectVersion);
  const env: Record<string, string> = {};
  if (t.urlFromEnv) env.QDRANT_URL = t.url;
  if (t.apiKey) env.QDRANT_API_KEY = t.apiKey;
  if (t.redisPassword) env.REDIS_PASSWORD = t.redisPassword;
  return smokeCli(args, env);
};

const runnerRun = async (t: Target) => {
  const env: Record<string, string> = { QDRANT_URL: t.url, SMOKE_VECTORS: '50', SMOKE_QUERIES: '3', SMOKE_VECTOR_SIZE: '64', SMOKE_DEADLINE_S: t.deadlineS ?? '0.3' };
  if (t.apiKey) env.QDRANT_API_KEY = t.apiKey;
  if (t.ollamaUrl) Object.assign(env, { OLLAMA_URL: t.ollamaUrl, OLLAMA_EMBEDDING_MODEL: 'nomic-embed-text' });
  if (t.redisUrl) env.REDIS_URL = t.redisUrl;
  if (t.redisPassword) env.REDIS_PASSWORD = t.redisPassword;
  if (t.expectVersion) env.SMOKE_EXPECT_VERSION = t.expectVersion;
  let out = '';
  let err = '';
  const code = await runnerMain(env, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
};

let closedPort: number;
let qdrant: QdrantStandIn;
let echoingQdrant: QdrantStandIn;
let versionEchoingQdrant: QdrantStandIn;
let silent: Impostor;
let nginxEcho: Impostor;
let jsonEcho: Impostor;
let redis: RedisServer | undefined;
const redisBinary = findRedisServer();

/** Quotes what a careless page might: the api-key header and the decoded Basic credentials. */
const quoteHeaders = (h: IncomingHttpHeaders) => {
  const basic = /^Basic (.+)$/.exec(h.authorization ?? '')?.[1];
  return ` key=${h['api-key'] ?? ''} auth=${h.authorization ?? ''} user=${basic ? Buffer.from(basic, 'base64').toString() : ''}`;
};

beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  qdrant = await startQdrantStandIn({ apiKey: API_KEY, collections: { knowledge: appCollection() } });
  echoingQdrant = await startQdrantStandIn({ apiKey: 'the-real-key-000', faults: { echoKey: true } });
  versionEchoingQdrant = await startQdrantStandIn({ apiKey: API_KEY, version: `1.19.0+${API_KEY}` });
  silent = await startImpostor('silent');
  nginxEcho = await startImpostor('nginx', quoteHeaders);
  jsonEcho = await startImpostor('invalid-json', quoteHeaders);
  if (redisBinary) redis = await startRedis('the-real-redis-pw');
});
afterAll(async () => {
  await Promise.all([qdrant, echoingQdrant, versionEchoingQdrant, silent, nginxEcho, jsonEcho].map((s) => s?.close()));
  await redis?.stop();
});

const q = (url: string) => withCredentials(url, 'admin', QDRANT_URL_PASSWORD);
const ADMIN = /admin:\*\*\*@/;

const SCENARIOS: Record<string, Scenario> = {
  'Qdrant unreachable': { target: () => ({ url: q(`http://127.0.0.1:${closedPort}`), apiKey: API_KEY }), code: 3, shows: /ECONNREFUSED/ },
  'Qdrant hung': { target: () => ({ url: q(silent.url), apiKey: API_KEY }), code: 3, shows: /no answer within/ },
  'API key refused, and quoted in the 401 text': { target: () => ({ url: q(echoingQdrant.url), apiKey: API_KEY }), code: 1, shows: /Invalid API key or JWT: \*\*\*/ },
  'the key in the reported version': { target: () => ({ url: q(versionEchoingQdrant.url), apiKey: API_KEY, expectVersion: '1.18.0' }), code: 1, shows: /1\.19\.0\+\*\*\*/ },
  'nginx quoting the request headers': { target: () => ({ url: q(nginxEcho.url), apiKey: API_KEY }), code: 1, shows: /did not answer as Qdrant/ },
  'invalid JSON quoting the request headers': { target: () => ({ url: q(jsonEcho.url), apiKey: API_KEY }), code: 1, shows: /invalid JSON/ },
  'Ollama down': {
    target: () => ({ url: q(qdrant.url), apiKey: API_KEY, ollamaUrl: withCredentials(`http://127.0.0.1:${closedPort}`, 'admin', OLLAMA_URL_PASSWORD) }),
    code: 1,
    shows: /Ollama \/api\/tags: ECONNREFUSED/,
  },
  'Ollama answered by nginx quoting the headers': {
    target: () => ({ url: q(qdrant.url), apiKey: API_KEY, ollamaUrl: withCredentials(nginxEcho.url, 'admin', OLLAMA_URL_PASSWORD) }),
    code: 1,
    shows: /did not answer as Ollama/,
  },
  'Redis down': {
    target: () => ({ url: q(qdrant.url), apiKey: API_KEY, redisUrl: `redis://${userinfo('', REDIS_URL_PASSWORD)}127.0.0.1:${closedPort}` }),
    code: 1,
    shows: /ECONNREFUSED/,
  },
  'Redis refusing the password of its URL': {
    target: () => ({ url: q(qdrant.url), apiKey: API_KEY, redisUrl: `redis://${userinfo('', REDIS_URL_PASSWORD)}127.0.0.1:${redis!.port}` }),
    code: 1,
    shows: /WRONGPASS/,
    needsRedis: true,
  },
  'Redis refusing REDIS_PASSWORD': { target: () => ({ url: q(qdrant.url), apiKey: API_KEY, redisUrl: redis!.url, redisPassword: REDIS_PASSWORD }), code: 1, shows: /WRONGPASS/, needsRedis: true },
  'an invalid --url': {
    target: () => ({ url: q('http://qdrant:notaport'), apiKey: API_KEY }),
    code: 2,
    shows: /--url <url>|QDRANT_URL/,
    redacted: /option '--url <url>' argument 'http:\/\/admin:\*\*\*@qdrant:notaport' is invalid/,
  },
  'an invalid QDRANT_URL': {
    target: () => ({ url: q('http://qdrant:notaport'), apiKey: API_KEY, urlFromEnv: true }),
    code: 2,
    shows: /QDRANT_URL/,
    redacted: /option '--url <url>' value 'http:\/\/admin:\*\*\*@qdrant:notaport' from env 'QDRANT_URL' is invalid/,
  },
  'an invalid --ollama-url': { target: () => ({ url: q(qdrant.url), apiKey: API_KEY, ollamaUrl: withCredentials('ftp://ollama:11434', 'admin', OLLAMA_URL_PASSWORD) }), code: 2, shows: /OLLAMA_URL|--ollama-url/ },
  'an invalid --redis-url': {
    target: () => ({ url: q(qdrant.url), apiKey: API_KEY, redisUrl: `http://${userinfo('', REDIS_URL_PASSWORD)}redis:6379` }),
    code: 2,
    shows: /REDIS_URL|--redis-url/,
    redacted: /argument 'http:\/\/:\*\*\*@redis:6379' is invalid/,
  },
};

const cases = Object.entries(SCENARIOS).map(([name, s]) => [name, s] as const);

describe.each(cases)('%s', (name, scenario) => {
  const run = !scenario.needsRedis || redisBinary ? test : test.skip;

  run.each(['text', 'json', 'junit'])(`qdrant-stack smoke --format %s prints no secret`, async (format) => {
    const { code, out, err } = await cliRun(scenario.target(), format);
    const all = out + err;
    expect(all).toMatch(scenario.shows);
    for (const secret of FORBIDDEN) expect(all).not.toContain(secret);
    expect(code).toBe(scenario.code);
    // The target is shown, with the password of its URL redacted.
    expect(all).toMatch(scenario.redacted ?? ADMIN);
  });

  run('the in-cluster runner prints no secret', async () => {
    const { code, out, err } = await runnerRun(scenario.target());
    const all = out + err;
    expect(all).toMatch(scenario.shows);
    for (const secret of FORBIDDEN) expect(all).not.toContain(secret);
    expect(code).toBe(scenario.runnerCode ?? scenario.code);
    if (code !== 2) expect(out).toMatch(ADMIN);
  });
  void name;
});
