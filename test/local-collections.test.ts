/**
 * Collections as code on the local targets: the Compose file's one-shot `collections` service, run for real.
 * Its command is taken out of the rendered Compose file as the container gets it ($$ unescaped, ${VAR:?}
 * resolved from the env file's values, the `qdrant` host name resolved as Docker's network would, /tmp moved
 * into a folder) and started with node against the stateful Qdrant stand-in.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderCompose } from '../src/compose/render';
import { resolveConfig } from '../src/config/load';
import type { StackInput } from '../src/config/schema';
import { CollectionsStandIn, startCollectionsStandIn } from './support/qdrant-collections-stand-in';
import { HYBRID } from './support/hybrid-collection';


const API_KEY = 'compose-admin-key-3c9d';


const composeFile = (input: StackInput) => parse(renderCompose(resolveConfig(input)));

/** Compose's interpolation of one value: `$$` is a `$`, `${NAME:?hint}` the env file's value or an error. */
function interpolate(text: string, envFile: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Z_]+):\?[^}]*\}/g, (match, name?: string) => {
    if (!name) return '$';
    if (envFile[name] === undefined) throw new Error(`Compose would refuse to start: ${name} is not set`);
    return envFile[name];
  });
}

/** Runs the rendered `collections` service's entrypoint with node, as its container would. */
function runService(service: any, qdrantUrl: string, envFile: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'compose-collections-'));
  const moved = (text: string) => text.replaceAll('http://qdrant:6333', qdrantUrl).replaceAll('"/tmp/', `"${dir}/`).replace(/^\/tmp\//, `${dir}/`);
  const [node, flag, program] = service.entrypoint.map((part: string) => moved(interpolate(part, envFile)));
  expect([node, flag]).toEqual(['node', '-e']);
  const env: Record<string, string> = { PATH: process.env.PATH! };
  for (const [name, value] of Object.entries<string>(service.environment)) env[name] = moved(interpolate(value, envFile));
  return new Promise<{ code: number | null; output: string; dir: string }>((done) => {
    const child = spawn(process.execPath, [flag, program], { env });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('close', (code) => done({ code, output, dir }));
  });
}

describe('the collections one-shot in docker-compose.yml', () => {
  const service = composeFile({}).services.collections;

  test('runs once after Qdrant is healthy, on the stock node image, hardened like the Job', () => {
    expect(service).toMatchObject({
      image: 'node:22-alpine',
      depends_on: { qdrant: { condition: 'service_healthy' } },
      restart: 'no',
      user: '1000:1000',
      read_only: true,
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges:true'],
      tmpfs: ['/tmp'],
      deploy: { resources: { limits: { cpus: '0.2', memory: '128M' } } },
    });
    expect(service.environment).toEqual({
      QDRANT_URL: 'http://qdrant:6333',
      QDRANT_API_KEY: '${QDRANT_API_KEY:?copy .env.example to .env and set it}',
      COLLECTIONS_FILE: '/tmp/collections.json',
      COLLECTIONS_DEADLINE_S: '600',
    });
    // Nothing to mount: Compose refuses inline `configs` in a read-only service; the program carries it all.
    expect(service.configs).toBeUndefined();
    expect(service.volumes).toBeUndefined();
    expect(service.ports).toBeUndefined();
    expect(service.entrypoint.slice(0, 2)).toEqual(['node', '-e']);
  });

  test('the declared collections are in the program, and the key only as the env file reference', () => {
    const text = renderCompose(resolveConfig({ qdrant: { collections: [HYBRID] } }));
    const program: string = parse(text).services.collections.entrypoint[2];
    const written = /^fs\.writeFileSync\("\/tmp\/collections\.json", (".*")\);$/m.exec(program);
    expect(JSON.parse(JSON.parse(written![1]))).toEqual({ peers: 1, collections: [HYBRID] });
    // The key's one mention outside Compose's references is its name in the service's environment.
    const rest = text.replaceAll('${QDRANT_API_KEY:?copy .env.example to .env and set it}', '<reference>');
    expect(rest.match(/.*QDRANT_API_KEY.*/g)).toEqual(['      QDRANT_API_KEY: <reference>']);
  });

  test('none when collections are not managed or none are declared', () => {
    expect(composeFile({ qdrant: { manageCollections: false } }).services.collections).toBeUndefined();
    expect(composeFile({ ollama: { enabled: false }, qdrant: { collections: [] } }).services.collections).toBeUndefined();
  });
});

describe('the collections one-shot, run as rendered', () => {
  let qdrant: CollectionsStandIn;
  beforeEach(async () => {
    qdrant = await startCollectionsStandIn({ apiKey: API_KEY });
  });
  afterEach(() => qdrant?.close());

  test('creates the collection, its index and alias; a second run writes nothing; no key printed', async () => {
    const service = composeFile({ qdrant: { collections: [HYBRID] }, smoke: { deadlineSeconds: 5 } }).services.collections;
    const first = await runService(service, qdrant.url, { QDRANT_API_KEY: API_KEY });
    expect(first.output).toMatch(/\+ created +docs +vectors dense 1024\/Cosine; sparse bm25 \(idf\)/);
    expect(first.output).toContain('apply: 1 created');
    expect(first.code).toBe(0);
    expect(first.output).not.toContain(API_KEY);
    expect(JSON.parse(readFileSync(join(first.dir, 'collections.json'), 'utf8'))).toEqual({ peers: 1, collections: [HYBRID] });
    const create = qdrant.log.find((r) => r.method === 'PUT' && r.path === '/collections/docs');
    expect(create?.body).toMatchObject({ vectors: { dense: { size: 1024, distance: 'Cosine', hnsw_config: { m: 32 } } }, sparse_vectors: { bm25: { modifier: 'idf' } } });
    expect(qdrant.log.some((r) => r.method === 'PUT' && r.path === '/collections/docs/index' && r.body?.field_name === 'tenant')).toBe(true);
    expect(qdrant.state.aliases.get('docs-current')).toBe('docs');
    const writes = qdrant.writes().length;
    const second = await runService(service, qdrant.url, { QDRANT_API_KEY: API_KEY });
    expect(second.code).toBe(0);
    expect(second.output).toContain('in sync');
    expect(qdrant.writes().length).toBe(writes);
  }, 60_000);

  test("a cluster's model runs on the local single node: one copy per shard, no drift", async () => {
    const input: StackInput = { profile: 'prod', qdrant: { collections: [{ name: 'knowledge', vectorSize: 1024, distance: 'Cosine', shardNumber: 3, replicationFactor: 2, writeConsistencyFactor: 2 }] } };
    const service = composeFile(input).services.collections;
    const first = await runService(service, qdrant.url, { QDRANT_API_KEY: API_KEY });
    expect(first.code).toBe(0);
    expect(qdrant.log.find((r) => r.method === 'PUT' && r.path === '/collections/knowledge')?.body).toMatchObject({ shard_number: 3, replication_factor: 1 });
    const second = await runService(service, qdrant.url, { QDRANT_API_KEY: API_KEY });
    expect(second.output).toMatch(/= in sync +knowledge/);
    expect(second.output).toContain('0 in drift');
    expect(second.code).toBe(0);
  }, 60_000);

  test('a wrong key fails it (exit 1) without printing the key; without the env file Compose refuses', async () => {
    const service = composeFile({ smoke: { deadlineSeconds: 5 } }).services.collections;
    const refused = await runService(service, qdrant.url, { QDRANT_API_KEY: 'not-the-admin-key' });
    expect(refused.code).toBe(1);
    expect(refused.output).not.toContain('not-the-admin-key');
    expect(qdrant.writes()).toEqual([]);
    expect(() => interpolate(service.environment.QDRANT_API_KEY, {})).toThrow('QDRANT_API_KEY is not set');
  }, 60_000);
});
