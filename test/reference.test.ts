import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationReference } from '../src/config/reference';
import { stackSchema } from '../src/config/schema';
import { uniquePaths } from './support/model-paths';

const committed = readFileSync(join(__dirname, '..', 'docs', 'configuration.md'), 'utf8');
const fresh = configurationReference();

/** The table row of a key path in the reference. */
const rowOf = (path: string) => fresh.split('\n').find((line) => line.startsWith(`| \`${path}\` |`));

describe('configuration reference', () => {
  test('the committed docs/configuration.md is up to date', () => {
    if (committed !== fresh) throw new Error('docs/configuration.md is stale: run `npm run docs` and commit the result');
  });

  test('every leaf key of the model has a row', () => {
    const leaves = uniquePaths(stackSchema, true);
    expect(leaves.length).toBeGreaterThan(20);
    expect(leaves.filter((path) => !rowOf(path))).toEqual([]);
  });

  test('rows show the type and the default', () => {
    expect(rowOf('qdrant.version')).toContain('`1.19.0`');
    expect(rowOf('qdrant.storage.size')).toMatch(/`quantity` \| `10Gi`/);
    expect(rowOf('qdrant.collections[].vectorSize')).toMatch(/`integer 1–65536` \| — \| Dimensions of the single unnamed vector/);
    expect(rowOf('qdrant.collections[].name')).toMatch(/\| required \|/);
    expect(rowOf('qdrant.collections[].distance')).toContain('"Cosine" \\| "Dot"');
    expect(rowOf('qdrant.apiKey')).toContain('`"generate" \\| { secretName, key }` | `generate`');
    expect(rowOf('qdrant.apiKey.secretName')).toBeDefined();
  });
});

describe('reference generator on other zod constructs', () => {
  test('records, unions of objects, nullable, literals and number bounds', async () => {
    const { z } = await import('zod');
    const model = z.strictObject({
      profiles: z.record(z.string(), z.strictObject({ replicas: z.number().int().min(0).describe('Peers.') })).default({}),
      tls: z
        .discriminatedUnion('mode', [z.strictObject({ mode: z.literal('off') }), z.strictObject({ mode: z.literal('secret'), secretName: z.string() })])
        .optional(),
      ratio: z.number().gt(0).lt(1).nullable().default(null).describe('A | B ratio.'),
    });
    const text = configurationReference(model);
    expect(text).toContain('| `profiles` | `map of string → object` | `{}` | — |');
    expect(text).toContain('| `profiles.<name>.replicas` | `integer ≥ 0` | required | Peers. |');
    expect(text).toContain('| `tls` | `{ mode } \\| { mode, secretName }` | — | — |');
    expect(text).toContain('| `tls.mode` | `"off" \\| "secret"` | required | — |');
    expect(text).toContain('| `ratio` | `number > 0 and < 1 \\| null` | `null` | A \\| B ratio. |');
  });
});
