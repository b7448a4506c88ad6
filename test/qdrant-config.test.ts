/**
 * qdrant.config and qdrant.jwtRbac: validated as Qdrant's own keys, refused where the stack owns them,
 * rendered as a ConfigMap mounted over config/production.yaml (Kubernetes) and as QDRANT__ variables (local),
 * the same settings on both.
 */
import { parse } from 'yaml';
import { CONFIG_CHECKSUM_ANNOTATION } from '../src/charts/finalize';
import { renderCompose } from '../src/compose/render';
import { qdrantConfigEnv, qdrantConfigFile } from '../src/components/qdrant-config';
import { ConfigError } from '../src/config/errors';
import { resolveConfig } from '../src/config/load';
import type { StackInput } from '../src/config/schema';
import { find, Manifest, synthStack } from './support/stack';

const TUNED = {
  log_level: 'DEBUG',
  storage: {
    on_disk_payload: false,
    performance: { max_search_threads: 4, optimizer_cpu_budget: -1, update_rate_limit: 64 },
    optimizers: { deleted_threshold: 0.1, vacuum_min_vector_number: 500, default_segment_number: 2, max_segment_size_kb: 200000, indexing_threshold_kb: 20000, flush_interval_sec: 10, max_optimization_threads: 2 },
    hnsw_index: { m: 32, ef_construct: 200 },
  },
  service: { max_request_size_mb: 64 },
} as const;

const model = (qdrant: Record<string, unknown>): StackInput => ({ name: 'shop', qdrant: qdrant as StackInput['qdrant'] });

function problems(input: StackInput): string[] {
  try {
    resolveConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

const qdrantTemplate = (objects: Manifest[]) => find(objects, 'Deployment', 'shop-qdrant').spec.template;
const qdrantContainer = (objects: Manifest[]) => qdrantTemplate(objects).spec.containers.find((c: { name: string }) => c.name === 'qdrant');

describe('qdrant.config: the model', () => {
  test("accepts Qdrant's own keys", () => {
    expect(problems(model({ config: TUNED, jwtRbac: true }))).toEqual([]);
  });

  test('an unknown key names the closest one', () => {
    expect(problems(model({ config: { storage: { optimizers: { deleted_treshold: 0.1 } } } }))).toEqual([
      expect.stringMatching(/^qdrant\.config\.storage\.optimizers\.deleted_treshold: unknown key \(did you mean "deleted_threshold"\?/),
    ]);
  });

  test("values outside Qdrant's ranges are refused, saying what is expected", () => {
    expect(problems(model({ config: { log_level: 'LOUD', storage: { optimizers: { deleted_threshold: 2, vacuum_min_vector_number: 50 }, hnsw_index: { ef_construct: 2 } }, service: { max_request_size_mb: 0 } } }))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^qdrant\.config\.log_level: must be one of TRACE, DEBUG, INFO, WARN, ERROR/),
        expect.stringMatching(/^qdrant\.config\.storage\.optimizers\.deleted_threshold: must be a fraction between 0 and 1/),
        expect.stringMatching(/^qdrant\.config\.storage\.optimizers\.vacuum_min_vector_number: must be a whole number of at least 100/),
        expect.stringMatching(/^qdrant\.config\.storage\.hnsw_index\.ef_construct: must be a whole number of at least 4/),
        expect.stringMatching(/^qdrant\.config\.service\.max_request_size_mb: must be a whole number of at least 1/),
      ]),
    );
  });

  test('keys the stack owns are refused with the stack key that sets them, and a refused value is never quoted', () => {
    const found = problems(
      model({
        config: {
          service: { api_key: 'hunter2-secret', read_only_api_key: 'ro-secret', jwt_rbac: true, enable_tls: true, http_port: 8080 },
          storage: { snapshots_config: { snapshots_storage: 's3', s3_config: { secret_key: 's3-secret' } }, storage_path: '/data' },
          cluster: { enabled: true },
        },
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        'qdrant.config.service.api_key: is set by the stack: use qdrant.apiKey (a generated or existing Secret)',
        'qdrant.config.service.read_only_api_key: is set by the stack: use qdrant.readOnlyApiKey (a generated or existing Secret)',
        'qdrant.config.service.jwt_rbac: is set by the stack: use qdrant.jwtRbac',
        'qdrant.config.service.enable_tls: is set by the stack: use qdrant.tls',
        expect.stringMatching(/^qdrant\.config\.service\.http_port: is set by the stack: the REST port is 6333/),
        expect.stringMatching(/^qdrant\.config\.storage\.snapshots_config: is set by the stack: snapshots/),
        expect.stringMatching(/^qdrant\.config\.storage\.storage_path: is set by the stack/),
        expect.stringMatching(/^qdrant\.config\.cluster: is set by the stack: use qdrant\.replicas/),
      ]),
    );
    expect(found.join('\n')).not.toMatch(/hunter2|ro-secret|s3-secret/);
  });

  test('jwtRbac must be a boolean', () => {
    expect(problems(model({ jwtRbac: 'yes' }))).toEqual([expect.stringMatching(/^qdrant\.jwtRbac: must be true or false/)]);
  });
});

describe('qdrant.config on Kubernetes', () => {
  const objects = synthStack(model({ config: TUNED, jwtRbac: true }));

  test('a ConfigMap <stack>-qdrant-config holds production.yaml: the model\'s settings and jwt_rbac', () => {
    const configMap = find(objects, 'ConfigMap', 'shop-qdrant-config');
    expect(parse(configMap.data['production.yaml'])).toEqual({ ...TUNED, service: { ...TUNED.service, jwt_rbac: true } });
  });

  test('mounted alone (subPath) as /qdrant/config/production.yaml, so the image\'s config.yaml stays', () => {
    const mount = qdrantContainer(objects).volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/qdrant/config/production.yaml');
    expect(mount).toEqual({ name: 'config', mountPath: '/qdrant/config/production.yaml', subPath: 'production.yaml', readOnly: true });
    const volume = qdrantTemplate(objects).spec.volumes.find((v: { name: string }) => v.name === 'config');
    expect(volume.configMap.name).toBe('shop-qdrant-config');
  });

  test('no settings, nothing new: no ConfigMap and no mount, the Qdrant workload as without the key', () => {
    const plain = synthStack(model({}));
    const empty = synthStack(model({ config: { storage: { optimizers: {} } }, jwtRbac: false }));
    for (const objects of [plain, empty]) {
      expect(objects.filter((o) => o.metadata.name === 'shop-qdrant-config')).toEqual([]);
      expect(qdrantContainer(objects).volumeMounts.map((m: { mountPath: string }) => m.mountPath)).not.toContain('/qdrant/config/production.yaml');
    }
    expect(find(empty, 'Deployment', 'shop-qdrant')).toEqual(find(plain, 'Deployment', 'shop-qdrant'));
  });

  test("a change of qdrant.config rolls Qdrant's pods (checksum/config) and leaves Redis' alone", () => {
    const changed = synthStack(model({ config: { ...TUNED, log_level: 'WARN' }, jwtRbac: true }));
    const checksum = (objects: Manifest[], name: string) => find(objects, 'Deployment', name).spec.template.metadata.annotations?.[CONFIG_CHECKSUM_ANNOTATION];
    expect(checksum(objects, 'shop-qdrant')).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(changed, 'shop-qdrant')).not.toBe(checksum(objects, 'shop-qdrant'));
    expect(checksum(changed, 'shop-redis')).toBe(checksum(objects, 'shop-redis'));
  });
});

describe('qdrant.config locally (Compose, Pulumi): QDRANT__ variables', () => {
  /** Qdrant's reading of QDRANT__A__B=v: key a.b, the value parsed as its config loader converts strings. */
  function asQdrantReadsThem(environment: Record<string, string>): Record<string, unknown> {
    const file: Record<string, any> = {};
    for (const [name, raw] of Object.entries(environment)) {
      const path = name.split('__').slice(1).map((p) => p.toLowerCase());
      const leaf = path.pop()!;
      const section = path.reduce((at, key) => (at[key] ??= {}), file);
      section[leaf] = parse(raw);
    }
    return file;
  }

  test('the variables of the Compose service say what the ConfigMap says', () => {
    const input = model({ config: TUNED, jwtRbac: true });
    const configMap = find(synthStack(input), 'ConfigMap', 'shop-qdrant-config');
    const base = parse(renderCompose(resolveConfig(model({})))).services.qdrant.environment as Record<string, string>;
    const environment = parse(renderCompose(resolveConfig(input))).services.qdrant.environment as Record<string, string>;
    const added = Object.fromEntries(Object.entries(environment).filter(([name]) => !(name in base)));
    expect(asQdrantReadsThem(added)).toEqual(parse(configMap.data['production.yaml']));
    expect(added.QDRANT__SERVICE__JWT_RBAC).toBe('true');
  });

  test('one flattening: nested keys joined with "__", upper-cased', () => {
    const file = qdrantConfigFile(resolveConfig(model({ config: { storage: { optimizers: { deleted_threshold: 0.3 } } } })));
    expect(qdrantConfigEnv(file)).toEqual({ QDRANT__STORAGE__OPTIMIZERS__DELETED_THRESHOLD: '0.3' });
    expect(qdrantConfigEnv(qdrantConfigFile(resolveConfig(model({}))))).toEqual({});
  });
});
