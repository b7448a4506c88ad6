/**
 * `qdrant-stack token`: a JWT Qdrant's RBAC accepts (HS256 with the admin API key, its claims), and
 * `qdrant-stack smoke --token-env NAME` sending it to Qdrant as it sends an API key.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { main } from '../src/cli/main';
import { startQdrantStandIn } from './smoke/support/qdrant-stand-in';
import { appCollection } from './smoke/support/fixtures';
import { smokeCli } from './smoke/support/cli';

const ADMIN_KEY = 'admin-key-0123456789abcdef0123456789abcdef';
const secret = new TextEncoder().encode(ADMIN_KEY);

/** Runs `qdrant-stack token ...args` with QDRANT_API_KEY as given (unset when null). */
async function token(args: string[], apiKey: string | null = ADMIN_KEY) {
  let out = '';
  let err = '';
  const saved = process.env.QDRANT_API_KEY;
  if (apiKey === null) delete process.env.QDRANT_API_KEY;
  else process.env.QDRANT_API_KEY = apiKey;
  try {
    const code = await main(['node', 'qdrant-stack', 'token', ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
    return { code, out, err };
  } finally {
    if (saved === undefined) delete process.env.QDRANT_API_KEY;
    else process.env.QDRANT_API_KEY = saved;
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('qdrant-stack token', () => {
  test('per-collection read-write access, expiring in 1h, signed HS256 with the admin key; only the token on stdout', async () => {
    const { code, out, err } = await token(['--collection', 'knowledge', '--collection', 'faq', '--expires', '1h']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const { payload } = await jwtVerify(out.trim(), secret, { algorithms: ['HS256'] });
    expect(payload.access).toEqual([
      { collection: 'knowledge', access: 'rw' },
      { collection: 'faq', access: 'rw' },
    ]);
    expect(payload.exp! - nowSeconds()).toBeGreaterThan(3590);
    expect(payload.exp! - nowSeconds()).toBeLessThanOrEqual(3600);
    expect(decodeProtectedHeader(out.trim()).alg).toBe('HS256');
  });

  test('--read-only: "r" per collection, or global "r"; without collections or --read-only: global manage "m"', async () => {
    const claims = async (args: string[]) => (await jwtVerify((await token(args)).out.trim(), secret)).payload.access;
    expect(await claims(['--collection', 'knowledge', '--read-only', '--expires', '30d'])).toEqual([{ collection: 'knowledge', access: 'r' }]);
    expect(await claims(['--read-only', '--expires', '30d'])).toBe('r');
    expect(await claims(['--expires', '30d'])).toBe('m');
  });

  test('an ISO date is the expiry itself', async () => {
    const { out } = await token(['--expires', '2099-12-31T00:00:00Z']);
    expect((await jwtVerify(out.trim(), secret)).payload.exp).toBe(Date.parse('2099-12-31T00:00:00Z') / 1000);
  });

  test('the key from --api-key-file (its trailing newline dropped) rather than the environment', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'token-')), 'api-key');
    writeFileSync(file, `${ADMIN_KEY}\n`);
    const { code, out } = await token(['--expires', '1h', '--api-key-file', file], 'another-key');
    expect(code).toBe(0);
    await expect(jwtVerify(out.trim(), secret)).resolves.toBeDefined();
    await expect(jwtVerify(out.trim(), new TextEncoder().encode('another-key'))).rejects.toThrow(/signature/);
  });

  test('no key: exit 2, saying where the key comes from; nothing on stdout', async () => {
    const { code, out, err } = await token(['--expires', '1h'], null);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/no admin API key: set QDRANT_API_KEY or give --api-key-file PATH/);
  });

  test('a bad or past expiry and a missing key file: exit 2 with the reason', async () => {
    for (const [expires, message] of [
      ['soon', /--expires soon: expected a duration such as 1h, 30d/],
      ['2020-13-45', /--expires 2020-13-45: not a date/],
      ['2001-01-01', /--expires 2001-01-01: must be in the future/],
    ] as const) {
      const { code, out, err } = await token(['--expires', expires]);
      expect({ code, out }).toEqual({ code: 2, out: '' });
      expect(err).toMatch(message);
    }
    const missing = await token(['--expires', '1h', '--api-key-file', '/nonexistent/key']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--api-key-file \/nonexistent\/key: cannot read it \(ENOENT\)/);
  });

  test('there is no option that takes the key itself', async () => {
    const { code, err } = await token(['--expires', '1h', '--api-key', ADMIN_KEY]);
    expect(code).toBe(2);
    expect(err).toMatch(/unknown option '--api-key'/);
  });
});

describe('qdrant-stack smoke --token-env', () => {
  test('the token reaches Qdrant in place of the API key: a server that accepts only the token passes the run', async () => {
    const jwt = (await token(['--collection', 'knowledge', '--expires', '1h'])).out.trim();
    // The stand-in accepts exactly this credential; QDRANT_API_KEY in the environment holds another.
    const qdrant = await startQdrantStandIn({ apiKey: jwt, collections: { knowledge: appCollection() } });
    try {
      const fast = ['--collection', 'knowledge', '--read-only', '--queries', '5', '--format', 'json'];
      const withToken = await smokeCli(['--url', qdrant.url, '--token-env', 'APP_JWT', ...fast], { APP_JWT: jwt, QDRANT_API_KEY: 'not-the-token' });
      expect(withToken.err).not.toMatch(/error/);
      expect(withToken.code).toBe(0);
      expect(withToken.out).not.toContain(jwt);
      const withoutToken = await smokeCli(['--url', qdrant.url, ...fast], { QDRANT_API_KEY: 'not-the-token' });
      expect(withoutToken.code).toBe(1);
    } finally {
      await qdrant.close();
    }
  });

  test('an unset variable or a second credential on the command line is a usage error', async () => {
    const unset = await smokeCli(['--url', 'http://127.0.0.1:1', '--token-env', 'NO_SUCH_JWT']);
    expect(unset.code).toBe(2);
    expect(unset.err).toMatch(/--token-env NO_SUCH_JWT: the environment variable NO_SUCH_JWT is not set or empty/);
    const both = await smokeCli(['--url', 'http://127.0.0.1:1', '--token-env', 'APP_JWT', '--api-key', 'k'], { APP_JWT: 'a.b.c' });
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--token-env and --api-key both give a credential: give one/);
  });
});
