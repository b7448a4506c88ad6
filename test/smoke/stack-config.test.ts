/**
 * `qdrant-stack smoke --config stack.yaml`, the README's own command: a stack with Ollama and Redis, run
 * from outside the cluster without their URLs, checks Qdrant and says for each companion exactly which
 * port-forward and flag to add; run inside a cluster (KUBERNETES_SERVICE_HOST), it reaches them through
 * the Services the chart renders.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/load';
import type { StackInput } from '../../src/config/schema';
import { companionServices } from '../../src/smoke/services';
import { find, synthStack } from '../support/stack';
import { smokeCli } from './support/cli';
import { appCollection, checkNamed } from './support/fixtures';
import { startQdrantStandIn, QdrantStandIn } from './support/qdrant-stand-in';

const KEY = 'stack-config-key-8c1d';
const dir = mkdtempSync(join(tmpdir(), 'smoke-stack-config-'));
let qdrant: QdrantStandIn;
beforeAll(async () => {
  qdrant = await startQdrantStandIn({ apiKey: KEY, collections: { knowledge: appCollection(1024, 20) } });
});
afterAll(() => qdrant.close());

/** A stack.yaml as the README's quick start has it: the defaults, Ollama and Redis on. */
const stack = (yaml = 'name: shop\nnamespace: search\n') => {
  const path = join(dir, `stack-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, yaml);
  return path;
};
const fast = ['--vectors', '300', '--queries', '5', '--format', 'json'];

describe('smoke --config with a stack that has Ollama and Redis', () => {
  it('outside the cluster: checks Qdrant (exit 0) and skips the companions, naming the port-forward and the flag', async () => {
    const { code, out, err } = await smokeCli(['--url', qdrant.url, '--config', stack(), ...fast], { QDRANT_API_KEY: KEY });
    expect(err).not.toMatch(/error/);
    const checks = JSON.parse(out).checks;
    expect(checkNamed(checks, 'collection.knowledge').status).toBe('pass');
    expect(checkNamed(checks, 'ollama.model')).toMatchObject({
      status: 'skip',
      message:
        "not checked: the stack's Ollama is shop-ollama.search.svc:11434; run `kubectl -n search port-forward svc/shop-ollama 11434` and add --ollama-url http://127.0.0.1:11434 (in the cluster, the URL is http://shop-ollama.search.svc:11434)",
    });
    expect(checkNamed(checks, 'redis')).toMatchObject({
      status: 'skip',
      message:
        "not checked: the stack's Redis is shop-redis.search.svc:6379; run `kubectl -n search port-forward svc/shop-redis 6379` and add --redis-url redis://127.0.0.1:6379 (password in REDIS_PASSWORD) (in the cluster, the URL is redis://shop-redis.search.svc:6379)",
    });
    expect(checks.find((c: { name: string }) => c.name === 'rag')).toBeUndefined();
    expect(code).toBe(0);
  });

  it('a flag given checks that companion; --embedding-model without --ollama-url is still a usage error', async () => {
    const { out } = await smokeCli(['--url', qdrant.url, '--config', stack(), '--redis-url', 'redis://127.0.0.1:1', '--deadline-s', '1', ...fast], { QDRANT_API_KEY: KEY });
    expect(checkNamed(JSON.parse(out).checks, 'redis').status).toBe('fail');
    const usage = await smokeCli(['--url', qdrant.url, '--config', stack(), '--embedding-model', 'all-minilm'], { QDRANT_API_KEY: KEY });
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/--ollama-url and --embedding-model go together/);
  });

  it('in a cluster (KUBERNETES_SERVICE_HOST): reaches the companions through the stack\'s Services', async () => {
    const { out } = await smokeCli(['--url', qdrant.url, '--config', stack(), '--deadline-s', '0.5', ...fast], { QDRANT_API_KEY: KEY, KUBERNETES_SERVICE_HOST: '10.96.0.1' });
    const report = JSON.parse(out);
    expect(report.target).toMatchObject({ ollamaUrl: 'http://shop-ollama.search.svc:11434', redisUrl: 'redis://shop-redis.search.svc:6379' });
    // This machine has no such Services: the checks ran against them, and failed.
    expect(checkNamed(report.checks, 'ollama.model').status).toBe('fail');
    expect(checkNamed(report.checks, 'redis').status).toBe('fail');
  });
});

describe('the companions\' addresses are those the chart renders', () => {
  it.each<[string, StackInput]>([
    ['the defaults', {}],
    ['a namespace', { name: 'shop', namespace: 'search' }],
    ['the longest stack name', { name: `s${'x'.repeat(30)}` }],
  ])('%s', (_what, input) => {
    const objects = synthStack(input);
    const config = resolveConfig(input);
    const connection = find(objects, 'ConfigMap', `${config.name}-connection`);
    const services = companionServices(config);
    expect(services.ollama?.url).toBe(connection.data.OLLAMA_URL);
    expect(services.redis?.url).toBe(connection.data.REDIS_URL);
    for (const s of [services.ollama!, services.redis!]) {
      expect(objects.filter((o) => o.kind === 'Service' && o.metadata.name === s.service && o.metadata.namespace === s.namespace)).toHaveLength(1);
    }
  });

  it('none for companions the model turns off', () => {
    expect(companionServices(resolveConfig({ ollama: { enabled: false }, redis: { enabled: false } }))).toEqual({});
  });
});
