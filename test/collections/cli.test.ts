/**
 * `qdrant-stack collections plan|apply` as a user meets it, through src/cli/main.ts: exit codes, text and
 * JSON, --env, usage errors, and no API key or URL password in any output.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main';
import { CollectionsStandIn, startCollectionsStandIn } from '../support/qdrant-collections-stand-in';
import { ADMIN_KEY, HYBRID, READ_ONLY_KEY } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'collections-cli-'));
const config = join(dir, 'stack.yaml');
writeFileSync(
  config,
  stringify({
    ollama: { enabled: false },
    qdrant: { collections: [HYBRID, { name: 'knowledge', vectorSize: 4, distance: 'Dot', shardNumber: 2 }] },
    environments: { prod: { qdrant: { replicas: 3, workload: 'statefulset' } } },
  }),
);

const outputs: string[] = [];
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await main(['node', 'qdrant-stack', 'collections', ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
    outputs.push(out, err);
    return { code, out, err };
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
  }
}

let qdrant: CollectionsStandIn;
afterEach(() => qdrant?.close());
const withKey = { QDRANT_API_KEY: ADMIN_KEY };
const fast = ['--config', config, '--deadline-s', '5'];

afterAll(() => {
  // No output of any test holds a secret.
  for (const text of outputs) {
    expect(text).not.toContain(ADMIN_KEY);
    expect(text).not.toContain(READ_ONLY_KEY);
    expect(text).not.toContain('s3cret-pw');
  }
});

describe('qdrant-stack collections', () => {
  it('documents plan, apply, their options and exit codes in --help', async () => {
    const { code, out } = await cli(['apply', '--help']);
    expect(code).toBe(0);
    for (const flag of ['--url', '--api-key', '--config', '--env', '--format', '--deadline-s']) expect(out).toContain(flag);
    expect(out).toMatch(/env:\s+QDRANT_API_KEY/);
    expect(out).toMatch(/env:\s+QDRANT_URL/);
    for (const line of [/0\s+the plan was computed/, /1\s+drift that cannot be applied/, /2\s+usage or config error/, /3\s+Qdrant unreachable or not ready within --deadline-s/]) expect(out).toMatch(line);
  });

  it('plans creates (exit 0, nothing written), applies them, then finds everything in sync', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY });
    const plan = await cli(['plan', '--url', qdrant.url, ...fast], withKey);
    expect(plan.code).toBe(0);
    expect(plan.out).toContain(`collections plan against ${qdrant.url} (Qdrant 1.19.0)`);
    expect(plan.out).toMatch(/^\+ create   docs       vectors dense 1024\/Cosine; sparse text \(idf\); payload indexes tenant, lang; aliases docs-current; 1 copy of each shard$/m);
    expect(plan.out).toMatch(/^\+ create   knowledge  vector 4\/Dot; 1 copy of each shard$/m);
    expect(plan.out).toContain('plan: 2 to create, 0 to update, 0 in drift, 0 in sync');
    expect(qdrant.writes()).toEqual([]);

    const apply = await cli(['apply', '--url', qdrant.url, '--format', 'json', ...fast], withKey);
    expect(apply.code).toBe(0);
    const report = JSON.parse(apply.out);
    expect(report.collections.map((c: { name: string; action: string }) => [c.name, c.action])).toEqual([['docs', 'create'], ['knowledge', 'create']]);
    expect(apply.err).toContain('created collection docs');
    expect([...qdrant.state.collections.keys()]).toEqual(['docs', 'knowledge']);

    const writes = qdrant.writes().length;
    const again = await cli(['apply', '--url', qdrant.url, ...fast], withKey);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^= in sync  docs$/m);
    expect(again.out).toContain('apply: 0 created, 0 updated, 0 in drift, 2 in sync');
    expect(qdrant.writes().length).toBe(writes);
  });

  it('reports an update per leaf in text and JSON, and extras it leaves alone', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY });
    qdrant.seed('knowledge', { vectors: { size: 4, distance: 'Dot' }, shard_number: 2, hnsw_config: { m: 8 } }, [{ field_name: 'legacy', field_schema: 'integer' }], ['kb-old']);
    writeFileSync(join(dir, 'one.yaml'), stringify({ ollama: { enabled: false }, qdrant: { collections: [{ name: 'knowledge', vectorSize: 4, distance: 'Dot', hnsw: { m: 16 }, payloadIndexes: { lang: 'keyword' } }] } }));
    const args = ['--url', qdrant.url, '--config', join(dir, 'one.yaml'), '--deadline-s', '5'];
    const text = await cli(['plan', ...args], withKey);
    expect(text.code).toBe(0);
    expect(text.out).toContain(
      [
        '~ update   knowledge',
        '    knowledge.hnsw.m: declared 16, found 8',
        '    knowledge.payloadIndexes.lang: declared keyword, found (none)',
        '    extra payload indexes (not in the model, left alone): legacy',
        '    extra aliases (not in the model, left alone): kb-old',
      ].join('\n'),
    );
    const json = JSON.parse((await cli(['plan', ...args, '--format', 'json'], withKey)).out);
    expect(json.collections).toEqual([
      {
        name: 'knowledge',
        action: 'update',
        changes: [
          { field: 'knowledge.hnsw.m', declared: 16, found: 8, kind: 'mutable' },
          { field: 'knowledge.payloadIndexes.lang', declared: 'keyword', found: null, kind: 'index' },
        ],
        extra: { indexes: ['legacy'], aliases: ['kb-old'] },
      },
    ]);
    expect(qdrant.writes()).toEqual([]);
  });

  it('exits 1 on drift and writes nothing to that collection', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY });
    qdrant.seed('docs', { vectors: { dense: { size: 768, distance: 'Cosine', datatype: 'float16' } }, sparse_vectors: { text: { modifier: 'idf', index: { on_disk: true } } } });
    qdrant.seed('knowledge', { vectors: { size: 4, distance: 'Dot' }, shard_number: 2 });
    const { code, out } = await cli(['apply', '--url', qdrant.url, ...fast], withKey);
    expect(code).toBe(1);
    expect(out).toContain('! drift    docs\n    docs.vectors.dense.size: declared 1024, found 768 (fixed at creation: not changed)');
    expect(out).toContain('apply: 0 created, 0 updated, 1 in drift');
    expect(qdrant.writes()).toEqual([]);
  });

  it('with a read-only key: plan exits 0, apply exits 1 and writes nothing', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY, readOnlyApiKey: READ_ONLY_KEY });
    expect((await cli(['plan', '--url', qdrant.url, '--api-key', READ_ONLY_KEY, ...fast])).code).toBe(0);
    const apply = await cli(['apply', '--url', qdrant.url, ...fast], { QDRANT_API_KEY: READ_ONLY_KEY });
    expect(apply.code).toBe(1);
    expect(apply.err).toMatch(/^error: the API key may not write \(HTTP 403: .*\): apply needs the admin key; plan works with a read-only key\. Nothing was written\.$/m);
    expect(qdrant.writes().map((r) => r.status)).toEqual([403]);
    expect(qdrant.state.collections.size).toBe(0);
  });

  it('exits 3 when Qdrant is unreachable within --deadline-s, in text and JSON', async () => {
    qdrant = await startCollectionsStandIn();
    const url = qdrant.url;
    await qdrant.close();
    const text = await cli(['plan', '--url', url, '--config', config, '--deadline-s', '0.3'], withKey);
    expect(text.code).toBe(3);
    expect(text.err).toMatch(/^error: Qdrant did not answer ready within the deadline \(fetch failed \(ECONNREFUSED\)\)$/m);
    const json = await cli(['apply', '--url', url, '--config', config, '--deadline-s', '0.3', '--format', 'json'], withKey);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.out)).toMatchObject({ error: { kind: 'unreachable' }, collections: [] });
  });

  it('uses the environment\'s peers: 2 copies by default, and the replicate_shard step for existing shards', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: ADMIN_KEY, peers: 3 });
    qdrant.seed('knowledge', { vectors: { size: 4, distance: 'Dot' }, shard_number: 2, replication_factor: 1 });
    const { code, out } = await cli(['apply', '--url', qdrant.url, '--env', 'prod', ...fast], withKey);
    expect(code).toBe(1);
    expect(out).toContain('~ updated  knowledge\n    knowledge.replicationFactor: declared 2, found 1');
    expect(out).toContain('    knowledge.shards.0.replicas: declared 2, found 1 (a manual step)\n      add a copy: POST /collections/knowledge/cluster {"replicate_shard": {"shard_id": 0, "from_peer_id": 1, "to_peer_id": 2}}');
    expect(qdrant.state.collections.get('knowledge')!.params.replication_factor).toBe(2);
    // docs was created with 2 copies of each shard.
    expect(qdrant.writes().find((r) => r.method === 'PUT' && r.path === '/collections/docs')?.body.replication_factor).toBe(2);
  });

  it('exits 2 on usage and config errors, without quoting a URL\'s password', async () => {
    const cases: [string[], RegExp][] = [
      [['plan', '--config', config], /required option '--url <url>' not specified/],
      [['plan', '--url', 'ftp://user:s3cret-pw@host', '--config', config], /--url: must be an http:\/\/ or https:\/\/ URL/],
      [['plan', '--url', 'http://127.0.0.1:6333', '--config', config, '--deadline-s', '0'], /--deadline-s.*must be a number of seconds above 0/],
      [['plan', '--url', 'http://127.0.0.1:6333', '--config', config, '--format', 'xml'], /Allowed choices are text, json/],
      [['plan', '--url', 'http://127.0.0.1:6333', '--config', config, '--env', 'nope'], /--env: unknown environment "nope" \(defined: prod\)/],
      [['plan', '--url', 'http://127.0.0.1:6333', '--config', join(dir, 'missing.yaml')], /missing\.yaml/],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await cli(args);
      expect([args.join(' '), code]).toEqual([args.join(' '), 2]);
      expect(err).toMatch(message);
    }
  });

  it('never shows the key or a URL password, even when the server quotes what it was sent', async () => {
    qdrant = await startCollectionsStandIn({ apiKey: 'another-key', echoKey: true });
    const url = qdrant.url.replace('http://', 'http://admin:s3cret-pw@');
    for (const format of ['text', 'json']) {
      const { code, err, out } = await cli(['plan', '--url', url, '--api-key', ADMIN_KEY, '--format', format, ...fast]);
      expect(code).toBe(1);
      expect(err).toContain('the API key was refused (HTTP 401: Invalid API key or JWT: ***)');
      expect(`${out}${err}`).not.toContain('s3cret-pw');
    }
  });
});
