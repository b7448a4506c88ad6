import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATE_SECRETS_SCRIPT } from '../src/jobs/generate-secrets';

/** A stand-in for the Kubernetes API's Secret endpoints: GET and merge-PATCH, with bearer auth. */
class SecretsApi {
  readonly secrets = new Map<string, Record<string, string>>();
  readonly requests: string[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer(async (req, res) => {
      const body = await read(req);
      this.requests.push(`${req.method} ${req.url}`);
      const match = /^\/api\/v1\/namespaces\/stack\/secrets\/([^/]+)$/.exec(req.url ?? '');
      const reply = (status: number, json: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      if (req.headers.authorization !== 'Bearer test-token') return reply(401, { kind: 'Status', code: 401 });
      if (!match) return reply(404, { kind: 'Status', code: 404 });
      const data = this.secrets.get(match[1]);
      if (!data) return reply(404, { kind: 'Status', reason: 'NotFound', code: 404 });
      if (req.method === 'GET') return reply(200, { kind: 'Secret', metadata: { name: match[1] }, ...(Object.keys(data).length ? { data } : {}) });
      if (req.method === 'PATCH' && req.headers['content-type'] === 'application/merge-patch+json') {
        Object.assign(data, JSON.parse(body).data);
        return reply(200, { kind: 'Secret', data });
      }
      return reply(405, { kind: 'Status', code: 405 });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()));
  }
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => resolve(text));
  });
}

function runScript(apiUrl: string, wanted: { secret: string; key: string }[], token = 'test-token'): Promise<{ code: number | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'generate-secrets-'));
  writeFileSync(join(dir, 'token'), `${token}\n`);
  writeFileSync(join(dir, 'namespace'), 'stack');
  writeFileSync(join(dir, 'generate.js'), GENERATE_SECRETS_SCRIPT);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(dir, 'generate.js')], {
      env: { PATH: process.env.PATH, KUBE_API_URL: apiUrl, SERVICE_ACCOUNT_DIR: dir, GENERATE_KEYS: JSON.stringify(wanted) },
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('the in-cluster secret generator script', () => {
  const api = new SecretsApi();
  let url: string;
  beforeAll(async () => (url = await api.start()));
  afterAll(() => api.stop());

  test('fills a missing key with 32 random bytes (hex), keeps an existing one, and never prints a value', async () => {
    api.secrets.set('qdrant-api-key', {});
    api.secrets.set('redis-password', { password: Buffer.from('keep-me').toString('base64') });
    const result = await runScript(url, [
      { secret: 'qdrant-api-key', key: 'api-key' },
      { secret: 'redis-password', key: 'password' },
    ]);
    expect(result.code).toBe(0);
    const generated = Buffer.from(api.secrets.get('qdrant-api-key')!['api-key'], 'base64').toString();
    expect(generated).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(api.secrets.get('redis-password')!.password, 'base64').toString()).toBe('keep-me');
    expect(result.output).toContain('secret qdrant-api-key: key api-key generated');
    expect(result.output).toContain('secret redis-password: key password already set, kept');
    expect(result.output).not.toContain(generated);
    expect(result.output).not.toContain('keep-me');
  });

  test('a second run changes nothing (idempotent)', async () => {
    api.secrets.set('once', {});
    await runScript(url, [{ secret: 'once', key: 'k' }]);
    const first = api.secrets.get('once')!.k;
    const again = await runScript(url, [{ secret: 'once', key: 'k' }]);
    expect(again.code).toBe(0);
    expect(api.secrets.get('once')!.k).toBe(first);
    expect(api.requests.filter((r) => r.startsWith('PATCH') && r.endsWith('/once'))).toHaveLength(1);
  });

  test('a refused request fails the Job with the status, not silently', async () => {
    api.secrets.set('other', {});
    const result = await runScript(url, [{ secret: 'other', key: 'k' }], 'wrong-token');
    expect(result.code).toBe(1);
    expect(result.output).toContain('generate-secrets: secret other: read answered 401');
    expect(api.secrets.get('other')).toEqual({});
  });
});
