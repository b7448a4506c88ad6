import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { stackJsonSchema, stackJsonSchemaText } from '../src/config/json-schema';
import { stackSchema } from '../src/config/schema';
import { uniquePaths } from './support/model-paths';

const root = join(__dirname, '..');
const committed = readFileSync(join(root, 'schema', 'stack.schema.json'), 'utf8');
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(stackJsonSchema());

/** Errors of the JSON Schema for a config, as "path message" lines (empty when valid). */
function errorsOf(config: unknown): string[] {
  return validate(config) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Key paths a JSON Schema describes, in the notation of uniquePaths(). */
function jsonSchemaPaths(node: any, prefix = ''): string[] {
  if (!node || typeof node !== 'object') return [];
  const join = (key: string) => (prefix ? `${prefix}.${key}` : key);
  const props = Object.entries((node.properties ?? {}) as Record<string, unknown>).flatMap(([key, sub]) => [join(key), ...jsonSchemaPaths(sub, join(key))]);
  const items = node.items ? jsonSchemaPaths(node.items, `${prefix}[]`) : [];
  const values = typeof node.additionalProperties === 'object' ? jsonSchemaPaths(node.additionalProperties, join('<name>')) : [];
  const options = ['anyOf', 'oneOf', 'allOf'].flatMap((k) => ((node[k] ?? []) as unknown[]).flatMap((o) => jsonSchemaPaths(o, prefix)));
  return [...props, ...items, ...values, ...options];
}

describe('JSON Schema for stack.yaml', () => {
  test('the committed schema/stack.schema.json is up to date', () => {
    if (committed !== stackJsonSchemaText()) {
      throw new Error('schema/stack.schema.json is stale: run `npm run schema` and commit the result');
    }
  });

  test('the committed stack.yaml validates against it', () => {
    expect(errorsOf(parse(readFileSync(join(root, 'stack.yaml'), 'utf8')) ?? {})).toEqual([]);
    expect(errorsOf({})).toEqual([]);
  });

  test('a mistyped key, a wrong enum value and a wrong type are rejected', () => {
    expect(errorsOf({ qdrant: { replica: 1 } })).toContain('/qdrant must NOT have additional properties');
    const collection = { name: 'docs', vectorSize: 1024, distance: 'cosine' };
    expect(errorsOf({ qdrant: { collections: [collection] } }).join('\n')).toMatch(/\/qdrant\/collections\/0\/distance must be equal to one of the allowed values/);
    expect(errorsOf({ qdrant: { collections: [{ ...collection, distance: 'Cosine', vectorSize: '1024' }] } })).toContain('/qdrant/collections/0/vectorSize must be integer');
    expect(errorsOf({ ollama: { enabled: 'yes' } })).toContain('/ollama/enabled must be boolean');
  });

  test('every key of the zod model appears in the JSON Schema, and no other', () => {
    const fromZod = uniquePaths(stackSchema).sort();
    expect([...new Set(jsonSchemaPaths(stackJsonSchema()))].sort()).toEqual(fromZod);
    expect(fromZod).toContain('qdrant.collections[].vectorSize');
  });

  test('keys with a default are optional, and the defaults are shown to editors', () => {
    const qdrant = (stackJsonSchema() as any).properties.qdrant;
    expect(qdrant.required ?? []).toEqual([]);
    expect(qdrant.properties.version.default).toBe('1.19.0');
    expect(qdrant.properties.storage.properties.size.default).toBe('10Gi');
  });
});
