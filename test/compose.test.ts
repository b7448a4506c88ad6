import Ajv from 'ajv';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderCompose, renderEnvExample } from '../src/compose/render';
import { resolveConfig } from '../src/config/load';
import type { StackInput } from '../src/config/schema';
import { main } from '../src/cli/main';
import { localStack } from '../src/local/services';
import { COMPONENTS } from '../src/stack/components';
import { rerankerComponent } from './support/reranker-component';
import { findRedisServer, freePort, hasRedisServer } from './support/redis-server';

// The Compose Specification's JSON schema, as shipped by dclint (a maintained Compose linter).
const schema = JSON.parse(readFileSync(join(__dirname, '..', 'node_modules', 'dclint', 'schemas', 'compose.schema.json'), 'utf8'));
// Its $schema names draft-07 by its https URI, which ajv does not register; the keywords are draft-07's.
const validate = new Ajv({ strict: false, allErrors: true, validateSchema: false, validateFormats: false }).compile(schema);

const compose = (input: StackInput = {}) => parse(renderCompose(resolveConfig(input)));

describe('docker-compose.yml', () => {
  test.each([
    ['default stack', {}],
    ['Qdrant only', { ollama: { enabled: false }, redis: { enabled: false } }],
    ['no model pull, Redis without persistence', { ollama: { pullModels: false }, redis: { persistence: false } }],
    ['collections not managed', { qdrant: { manageCollections: false } }],
  ])('%s is valid against the Compose Specification schema', (_title, input) => {
    const file = compose(input);
    const valid = validate(file);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('the schema check can fail (an unknown key is rejected)', () => {
    const file = compose();
    file.services.qdrant.healthcheck.bogus = true;
    expect(validate(file)).toBe(false);
  });

  test('top-level name, pinned images, services as enabled', () => {
    const file = compose();
    expect(file.name).toBe('qdrant-stack');
    expect(Object.keys(file.services)).toEqual(['collections', 'ollama', 'ollama-pull', 'ollama-volumes', 'qdrant', 'redis']);
    expect(file.services.qdrant.image).toBe('qdrant/qdrant:v1.19.0-unprivileged');
    expect(file.services.collections.image).toBe('node:22-alpine');
    expect(Object.keys(compose({ ollama: { enabled: false }, redis: { enabled: false } }).services)).toEqual(['collections', 'qdrant']);
    expect(Object.keys(compose({ ollama: { enabled: false }, redis: { enabled: false }, qdrant: { manageCollections: false } }).services)).toEqual(['qdrant']);
    expect(Object.keys(compose({ ollama: { enabled: false }, redis: { enabled: false }, qdrant: { collections: [] } }).services)).toEqual(['qdrant']);
  });

  test('ports are published on 127.0.0.1 only; data on named volumes', () => {
    const file = compose();
    expect(file.services.qdrant.ports).toEqual(['127.0.0.1:6333:6333', '127.0.0.1:6334:6334']);
    expect(file.services.ollama.ports).toEqual(['127.0.0.1:11434:11434']);
    expect(file.services.redis.ports).toEqual(['127.0.0.1:6379:6379']);
    expect(Object.keys(file.volumes)).toEqual(['qdrant-storage', 'qdrant-snapshots', 'ollama-models', 'ollama-home', 'redis-data']);
  });

  test('health checks that work inside each image, and depends_on service_healthy for the model pull', () => {
    const file = compose();
    const qdrantCheck = file.services.qdrant.healthcheck.test;
    expect(qdrantCheck.slice(0, 3)).toEqual(['CMD', 'bash', '-c']);
    expect(qdrantCheck[3]).toMatch(/\/dev\/tcp\/127\.0\.0\.1\/6333/);
    expect(JSON.stringify(file.services.qdrant.healthcheck)).not.toMatch(/curl|wget/);
    expect(file.services.ollama.healthcheck.test).toEqual(['CMD', 'ollama', 'list']);
    expect(file.services.redis.healthcheck.test).toEqual(['CMD-SHELL', 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG']);
    expect(file.services['ollama-pull'].depends_on).toEqual({ ollama: { condition: 'service_healthy' } });
    expect(file.services['ollama-pull'].restart).toBe('no');
    expect(renderCompose(resolveConfig({}))).toContain('restart: "no"');
  });

  test('the Qdrant health check really speaks HTTP over bash /dev/tcp', async () => {
    // Against a local HTTP server, with the command as the container runs it (after Compose's $$ unescaping).
    const server = createServer((req, res) => res.writeHead(req.url === '/readyz' ? 200 : 503).end('ready?'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const command = compose().services.qdrant.healthcheck.test[3].replaceAll('$$', '$').replace('/6333', `/${port}`);
    const run = (cmd: string) => new Promise<number | null>((done) => spawn('bash', ['-c', cmd], { stdio: 'ignore' }).on('close', done));
    try {
      expect(await run(command)).toBe(0);
      expect(await run(command.replace('/readyz', '/not-ready'))).not.toBe(0);
    } finally {
      server.close();
    }
  });

  test('secrets come from the env file with ${VAR:?...}, never inline', () => {
    const text = renderCompose(resolveConfig({}));
    const file = parse(text);
    expect(file.services.qdrant.environment.QDRANT__SERVICE__API_KEY).toBe('${QDRANT_API_KEY:?copy .env.example to .env and set it}');
    expect(file.services.redis.environment.REDISCLI_AUTH).toBe('${REDIS_PASSWORD:?copy .env.example to .env and set it}');
    expect(renderEnvExample(resolveConfig({}))).toMatch(/^QDRANT_API_KEY=$/m);
    expect(renderEnvExample(resolveConfig({}))).toMatch(/^REDIS_PASSWORD=$/m);
    expect(renderEnvExample(resolveConfig({ redis: { enabled: false } }))).not.toMatch(/REDIS_PASSWORD/);
    // The collections one-shot needs the admin key too: the same reference, the value nowhere in the file.
    expect(file.services.collections.environment.QDRANT_API_KEY).toBe('${QDRANT_API_KEY:?copy .env.example to .env and set it}');
  });

  test('shell text escapes $ for Compose, so the container gets what Kubernetes runs', () => {
    const file = compose();
    expect(file.services.redis.entrypoint[2]).toContain('"$$REDISCLI_AUTH"');
    expect(file.services['ollama-pull'].entrypoint[2]).toContain('for model in $$MODELS');
  });

  test('hardened like the pods: non-root users, read-only root, no capabilities, no new privileges', () => {
    for (const [name, service] of Object.entries<any>(compose().services)) {
      expect(service).toMatchObject({ read_only: true, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] });
      if (name === 'ollama-volumes') continue;
      expect([name, service.user, service.cap_add]).toEqual([name, expect.stringMatching(/^(1000:1000|999:999)$/), undefined]);
    }
  });

  test('the Ollama volumes are handed to its non-root user first (Docker creates them root-owned)', () => {
    const file = compose();
    const init = file.services['ollama-volumes'];
    expect(init).toMatchObject({ user: '0:0', cap_add: ['CHOWN'], restart: 'no', entrypoint: ['chown', '-R', '1000:1000', '/models', '/home/ollama'] });
    expect(init.volumes).toEqual(file.services.ollama.volumes);
    expect(file.services.ollama.depends_on).toEqual({ 'ollama-volumes': { condition: 'service_completed_successfully' } });
  });
});

test('services in the order they always had: names of lowercase letters, digits and `-`, so code-unit order is localeCompare order', () => {
  // src/compose/render.ts sorts by code unit (localeCompare would load ICU's collator); the built-in components
  // and a user's one (the reranker) give names for which both orders agree, every service enabled.
  const everything = [...COMPONENTS, rerankerComponent({ model: 'bge-reranker-base' })];
  for (const components of [COMPONENTS, everything]) {
    const config = resolveConfig({});
    const names = localStack(config, components).services.map((s) => s.name);
    for (const n of names) expect(n).toMatch(/^[a-z0-9-]+$/);
    const services = Object.keys(parse(renderCompose(config, components)).services);
    expect(services).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(services).toEqual(components === COMPONENTS ? ['collections', 'ollama', 'ollama-pull', 'ollama-volumes', 'qdrant', 'redis'] : ['collections', 'ollama', 'ollama-pull', 'ollama-volumes', 'qdrant', 'redis', 'reranker']);
  }
});

test('dclint, a Compose linter, finds nothing to warn about', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dclint-'));
  writeFileSync(join(dir, 'docker-compose.yml'), renderCompose(resolveConfig({})));
  const lint = spawnSync(process.execPath, [join(__dirname, '..', 'node_modules', 'dclint', 'bin', 'dclint.cjs'), '--max-warnings', '0', join(dir, 'docker-compose.yml')], { encoding: 'utf8' });
  expect(lint.stdout + lint.stderr).not.toMatch(/warning|error/);
  expect(lint.status).toBe(0);
});

describe('qdrant-stack compose', () => {
  test('writes the Compose file and .env.example beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-cli-'));
    writeFileSync(join(dir, 'stack.yaml'), 'name: laptop\nredis: { enabled: false }\n');
    let err = '';
    const code = await main(['node', 'qdrant-stack', 'compose', '--config', join(dir, 'stack.yaml'), '--out', join(dir, 'out', 'compose.yml')], { out: () => {}, err: (t) => (err += t) });
    expect(code).toBe(0);
    expect(parse(readFileSync(join(dir, 'out', 'compose.yml'), 'utf8')).name).toBe('laptop');
    expect(readFileSync(join(dir, 'out', '.env.example'), 'utf8')).toContain('QDRANT_API_KEY=');
    expect(err).toContain('compose.yml');
  });

  test('an invalid config exits 2 and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-cli-'));
    writeFileSync(join(dir, 'stack.yaml'), 'redis: { maxMemory: lots }\n');
    let err = '';
    const code = await main(['node', 'qdrant-stack', 'compose', '--config', join(dir, 'stack.yaml'), '--out', join(dir, 'compose.yml')], { out: () => {}, err: (t) => (err += t) });
    expect(code).toBe(2);
    expect(err).toContain('redis.maxMemory: must be a positive quantity');
    expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.trim()).toBe('stack.yaml');
  });
});

(hasRedisServer() ? describe : describe.skip)('the local Redis service, run as rendered', () => {
  test('its entrypoint writes redis.conf into its tmpfs, the password into the auth include, and starts an authenticated Redis', async () => {
    const service = compose().services.redis;
    const dir = mkdtempSync(join(tmpdir(), 'local-redis-'));
    const port = await freePort();
    // The container's paths moved into a folder; its port moved to a free one.
    const script = (service.entrypoint[2] as string)
      .replaceAll('$$', '$')
      .replace(/\/etc\/redis|\/run\/redis-auth|\/data/g, (p) => join(dir, p.replaceAll('/', '_')))
      .replace('port 6379', `port ${port}`)
      .replace('exec redis-server', `exec ${findRedisServer()}`);
    // The tmpfs mounts and the volume exist in the container: here, folders.
    for (const folder of ['_etc_redis', '_run_redis-auth', '_data']) mkdirSync(join(dir, folder));
    const child = spawn('/bin/sh', ['-c', script], { env: { PATH: process.env.PATH!, REDISCLI_AUTH: 'local-redis-pw' } });
    try {
      let pong = '';
      for (let i = 0; i < 50 && !pong.includes('PONG'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        pong = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8', env: { ...process.env, REDISCLI_AUTH: 'local-redis-pw' } }).stdout;
      }
      expect(pong).toContain('PONG');
      const anonymous = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8', env: { PATH: process.env.PATH! } });
      expect(`${anonymous.stdout}${anonymous.stderr}`).toMatch(/NOAUTH/);
      expect(readFileSync(join(dir, '_etc_redis', 'redis.conf'), 'utf8')).toContain('maxmemory-policy volatile-lru');
      expect(readFileSync(join(dir, '_etc_redis', 'redis.conf'), 'utf8')).not.toContain('local-redis-pw');
    } finally {
      child.kill();
    }
  }, 30_000);
});
