import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseConfig, resolveConfig } from '../src/config/load';
import { problemsOf } from './support/problems';


describe('stack model defaults', () => {
  test('an empty model is a single-node Qdrant 1.19.0 with one 1024/Cosine collection', () => {
    const config = resolveConfig({});
    expect(config.name).toBe('qdrant-stack');
    expect(config.qdrant.version).toBe('1.19.0');
    expect(config.qdrant.replicas).toBe(1);
    expect(config.qdrant.storage.size).toBe('10Gi');
    expect(config.qdrant.apiKey).toBe('generate');
    expect(config.qdrant.collections).toEqual([{ name: 'knowledge', vectorSize: 1024, distance: 'Cosine' }]);
  });

  test('the committed stack.yaml holds exactly the defaults', () => {
    const committed = parse(readFileSync(join(__dirname, '..', 'stack.yaml'), 'utf8'));
    // Besides the defaults it declares example environments.
    const { environments, ...base } = resolveConfig(committed);
    expect(base).toEqual({ ...resolveConfig({}), namespace: 'qdrant-stack', createNamespace: true });
    expect(Object.keys(environments ?? {})).toEqual(['staging', 'prod']);
  });

  test('a "v" prefix on the version is accepted and normalised', () => {
    expect(resolveConfig({ qdrant: { version: 'v1.18.2' } }).qdrant.version).toBe('1.18.2');
  });

  test('existing Secret references and overrides pass through', () => {
    const config = resolveConfig({
      qdrant: { apiKey: { secretName: 'qdrant-admin', key: 'token' }, resources: { limits: { cpu: 4 } }, storage: { size: '50Gi', storageClass: 'fast-ssd' } },
    });
    expect(config.qdrant.apiKey).toEqual({ secretName: 'qdrant-admin', key: 'token' });
    expect(config.qdrant.resources?.limits?.cpu).toBe('4');
    expect(config.qdrant.storage).toEqual({ size: '50Gi', storageClass: 'fast-ssd', retainOnDelete: true });
  });
});

describe('invalid configs name the path, the problem and what was expected', () => {
  const cases: [string, unknown, string][] = [
    ['negative vector size', { qdrant: { collections: [{ name: 'a', vectorSize: -3, distance: 'Cosine' }] } }, 'qdrant.collections[0].vectorSize: must be a positive integer (got -3)'],
    ['fractional vector size', { qdrant: { collections: [{ name: 'a', vectorSize: 3.5, distance: 'Cosine' }] } }, 'qdrant.collections[0].vectorSize: must be a positive integer (got 3.5)'],
    ['vector size as text', { qdrant: { collections: [{ name: 'a', vectorSize: '1024', distance: 'Cosine' }] } }, 'qdrant.collections[0].vectorSize: must be a positive integer (got "1024")'],
    ['vector size above the limit', { qdrant: { collections: [{ name: 'a', vectorSize: 70000, distance: 'Cosine' }] } }, "qdrant.collections[0].vectorSize: must be at most 65536 (Qdrant's limit) (got 70000)"],
    ['lower-case distance', { qdrant: { collections: [{ name: 'a', vectorSize: 8, distance: 'cosine' }] } }, 'qdrant.collections[0].distance: must be one of Cosine, Dot, Euclid, Manhattan (case-sensitive) (got "cosine")'],
    ['missing distance', { qdrant: { collections: [{ name: 'a', vectorSize: 8 }] } }, 'qdrant.collections[0].distance: is required'],
    ['bad collection name', { qdrant: { collections: [{ name: 'a/b', vectorSize: 8, distance: 'Dot' }] } }, 'qdrant.collections[0].name: must be 1-255 letters, digits, "_" or "-" (got "a/b")'],
    ['duplicate collection', { qdrant: { collections: [{ name: 'a', vectorSize: 8, distance: 'Dot' }, { name: 'a', vectorSize: 8, distance: 'Dot' }] } }, 'qdrant.collections[1].name: duplicate collection name (also at qdrant.collections[0])'],
    ['collections not a list', { qdrant: { collections: { name: 'a' } } }, 'qdrant.collections: must be a list of collections (got an object)'],
    ['unknown top-level key with suggestion', { namspace: 'x' }, 'namspace: unknown key (did you mean "namespace"?'],
    ['unknown nested key with suggestion', { qdrant: { replica: 1 } }, 'qdrant.replica: unknown key (did you mean "replicas"?'],
    ['unknown key inside a collection', { qdrant: { collections: [{ name: 'a', vectorSize: 8, distance: 'Dot', size: 8 }] } }, 'qdrant.collections[0].size: unknown key'],
    ['upper-case stack name', { name: 'My_Stack' }, 'name: must be a DNS-1035 label'],
    ['stack name starting with a digit (Services are named after it)', { name: '1stack' }, 'name: must be a DNS-1035 label'],
    ['stack name too long for its longest object name', { name: 's'.repeat(36) }, 'name: must be at most 35 characters'],
    ['API server CIDR that is not one', { networkPolicies: { apiServer: { cidrs: ['10.0.0.1'] } } }, 'networkPolicies.apiServer.cidrs[0]: must be a CIDR such as "10.0.0.1/32"'],
    ['API server port out of range', { networkPolicies: { apiServer: { ports: [70000] } } }, 'networkPolicies.apiServer.ports[0]: must be 1-65535 (got 70000)'],
    ['ServiceMonitor label value too long', { metrics: { serviceMonitorLabels: { release: 'r'.repeat(64) } } }, 'metrics.serviceMonitorLabels.release: must be a label value'],
    ['namespace too long', { namespace: 'n'.repeat(64) }, 'namespace: must be at most 63 characters'],
    ['storage size without unit system', { qdrant: { storage: { size: '10GB' } } }, 'qdrant.storage.size: must be a positive quantity such as "512Mi" or "20Gi" (got "10GB")'],
    ['zero storage size', { qdrant: { storage: { size: '0Gi' } } }, 'qdrant.storage.size: must be a positive quantity'],
    ['bad cpu quantity', { qdrant: { resources: { requests: { cpu: 'lots' } } } }, 'qdrant.resources.requests.cpu: must be a positive CPU quantity such as "500m" or "2" (got "lots")'],
    ['limit below request', { qdrant: { resources: { requests: { memory: '4Gi' }, limits: { memory: '2Gi' } } } }, 'qdrant.resources.limits.memory: 2Gi must be at least the memory request (4Gi)'],
    ['api key as an unknown word', { qdrant: { apiKey: 'random' } }, 'qdrant.apiKey: must be "generate" or an existing Secret reference { secretName, key } (got "random")'],
    ['api key reference without key', { qdrant: { apiKey: { secretName: 'qdrant' } } }, 'qdrant.apiKey.key: is required'],
    ['api key reference with a bad Secret name', { qdrant: { apiKey: { secretName: 'Qdrant_Key', key: 'k' } } }, 'qdrant.apiKey.secretName: must be a DNS-1123 subdomain'],
    ['version "latest"', { qdrant: { version: 'latest' } }, 'qdrant.version: must be a release version such as "1.19.0"'],
    ['zero replicas', { qdrant: { replicas: 0 } }, 'qdrant.replicas: must be a positive integer (got 0)'],
    ['sizing without vectors', { qdrant: { sizing: { dimensions: 1024 } } }, 'qdrant.sizing.vectors: is required'],
    ['sizing without dimensions and no collection', { qdrant: { sizing: { vectors: 10 }, collections: [] } }, 'qdrant.sizing.dimensions: is required when qdrant.collections is empty'],
    ['createNamespace as text', { createNamespace: 'yes' }, 'createNamespace: must be true or false (got "yes")'],
  ];

  test.each(cases)('%s', (_title, input, expected) => {
    expect(problemsOf(input).join('\n')).toContain(expected);
  });

  test('every problem is reported at once', () => {
    const problems = problemsOf({
      name: 'Bad',
      qdrant: { storage: { size: 'big' }, collections: [{ name: 'a', vectorSize: -1, distance: 'cos' }], extra: 1 },
    });
    expect(problems).toHaveLength(5);
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['name', 'qdrant.collections[0].distance', 'qdrant.collections[0].vectorSize', 'qdrant.extra', 'qdrant.storage.size'].sort(),
    );
  });

  test('the error message lists each problem on its own line, with the source file', () => {
    try {
      parseConfig('qdrant:\n  replicas: 0\n', 'stack.yaml');
      throw new Error('expected failure');
    } catch (e) {
      expect((e as Error).message).toBe('stack.yaml: invalid stack config (1 problem):\n  qdrant.replicas: must be a positive integer (got 0)');
    }
  });

  test('YAML syntax errors carry line and column', () => {
    expect(() => parseConfig('qdrant:\n  collections: [\n', 'x.yaml')).toThrow(/x\.yaml: .*\n  line 3, column 1/);
  });

  test('duplicate YAML keys are errors, not a silent last-one-wins', () => {
    expect(() => parseConfig('name: a\nname: b\n')).toThrow(/Map keys must be unique/);
  });
});
