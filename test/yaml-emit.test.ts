/**
 * src/yaml-emit.ts writes every manifest document byte for byte as cdk8s' serializer (the yaml package) does,
 * or declines: over every object of a broad matrix of models (every environment of stack.yaml among them), over
 * generated tricky strings in every position, and for the values it must decline.
 */
import { Yaml } from 'cdk8s';
import { dirname, join } from 'node:path';
import { loadStack, resolveConfig } from '../src/config/load';
import type { StackConfig } from '../src/config/schema';
import { manifestText, renderModel } from '../src/synth';
import { emitDocument, YAML_11_TAG_TESTS } from '../src/yaml-emit';
import { MODEL_MATRIX } from './support/config-matrix';

const ROOT = join(__dirname, '..');

/** What cdk8s writes for one document. */
const reference = (object: unknown) => Yaml.stringify(object);

const stack = loadStack(join(ROOT, 'stack.yaml'));
const MATRIX: [string, StackConfig][] = [
  ['stack.yaml', stack.base],
  ...[...stack.environments].map(([name, env]) => [`stack.yaml, environment ${name}`, env] as [string, StackConfig]),
  ...MODEL_MATRIX.map(([title, input]) => [title, resolveConfig(input)] as [string, StackConfig]),
];

describe('every rendered document: the emitter writes what cdk8s writes', () => {
  test.each(MATRIX)('%s', (_title, config) => {
    const render = renderModel(config);
    let emitted = 0;
    for (const object of render.objects) {
      const text = emitDocument(object);
      if (text === undefined) continue;
      emitted++;
      expect(text).toBe(reference(object));
    }
    // The point of it: every document of these models is written without yaml's document model.
    expect(emitted).toBe(render.objects.length);
    for (const chart of render.charts) expect(chart.text).toBe(Yaml.stringify(...chart.objects));
  });
});

test("the schema's tests are those of the yaml package cdk8s writes with (its copy, YAML 1.1)", () => {
  // cdk8s writes YAML 1.1 (its Yaml.stringify passes version '1.1'): "yes", "on", "0777", "1_000", "12:30", dates are quoted.
  expect(Yaml.stringify({ a: ['yes', 'on', '0777', '1_000', '12:30', '2001-12-14', '0o17'] })).toBe('a:\n  - "yes"\n  - "on"\n  - "0777"\n  - "1_000"\n  - "12:30"\n  - "2001-12-14"\n  - 0o17\n');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require(require.resolve('yaml', { paths: [dirname(require.resolve('cdk8s'))] })) as typeof import('yaml');
  const doc = new yaml.Document(null, { version: '1.1' });
  const schema = doc.schema as unknown as { tags: { default?: boolean | string; tag: string; test?: RegExp }[]; compat: unknown };
  const tests = schema.tags.filter((t) => t.default === true && t.tag !== 'tag:yaml.org,2002:str' && t.test).map((t) => `${t.test}`);
  expect(tests.sort()).toEqual(YAML_11_TAG_TESTS.map((t) => `${t}`).sort());
  // The only other tag with a test: the merge key, which the emitter declines.
  expect(schema.tags.filter((t) => t.test && t.default !== true).map((t) => `${t.tag} ${t.test}`)).toEqual(['tag:yaml.org,2002:merge /^<<$/']);
  expect(emitDocument({ a: '<<' })).toBeUndefined();
  expect(schema.compat).toBeNull();
});

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces strings are made of: indicators, quotes, separators, whitespace, numbers and words YAML reads as other types. */
const PIECES = [
  ...'abcxyzABZ019-_./:#,[]{}&*!|>\'"%@`?~=+<$^()\\ \n\t\r'.split(''),
  ': ', ' #', '- ', '? ', '---', '...', '%YAML', '0x1F', '0o17', '1e3', '.5', '1.', '-1', '+1', '.inf', '-.Inf', '.nan', 'NaN',
  'true', 'True', 'TRUE', 'false', 'yes', 'no', 'on', 'off', 'null', 'Null', '~', 'y', 'n', '1_000', '0b101', '12:30', '2024-01-01',
  '<<', '=', '0777', '0_7', '+0x_1', '0b1_0', '1:20', '190:20:30.15', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43', '1.5e+3', 'Yes', 'ON', 'Off', 'N',
  '\u00e9', '\u2014', '\u00a0', '\u0085', '\u2028', '\ufeff', '\ud83d\ude00', '\ud800', '\x7f', '\x00', '\x1b', '  ', '\n\n', ' \n', '\n ',
];

function trickyString(next: () => number): string {
  const n = Math.floor(next() * 6);
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(next() * PIECES.length)];
  return s;
}

describe('generated strings, in every position', () => {
  const next = random(0x5eed);
  const cases = Array.from({ length: 4000 }, () => trickyString(next));
  // Whole words alone too: each piece, and each with a newline before or after.
  const words = PIECES.flatMap((p) => [p, `${p}\n`, `x\n${p}`, `${p}\nx`, `${p} x`, `x ${p}`]);
  test('numbers and booleans', () => {
    const nextNumber = random(7);
    const numbers = [0, 1, -1, 42, 1.5, -0.25, 1e21, 1e-7, 123456789012345680000, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, Number.MAX_VALUE, 0.1 + 0.2];
    for (let i = 0; i < 500; i++) numbers.push((nextNumber() - 0.5) * 10 ** Math.floor(nextNumber() * 40 - 20), Math.floor((nextNumber() - 0.5) * 2 ** 40));
    const object = { numbers, nested: numbers.map((n) => ({ n, flag: n > 0, none: null })) };
    expect(emitDocument(object)).toBe(reference(object));
  });

  const positions: [string, (s: string) => unknown][] = [
    ['a value', (s) => ({ kind: 'ConfigMap', data: { key: s } })],
    ['a key', (s) => ({ kind: 'ConfigMap', data: { [s]: 'value' } })],
    ['an item', (s) => ({ kind: 'Pod', args: [s, 'next'] })],
    ['deep in lists and maps', (s) => ({ spec: { containers: [{ args: [[s]], env: [{ name: s, value: s }] }] } })],
    ['a key at the first level', (s) => ({ [s]: { a: 1 } })],
  ];
  test.each(positions)('%s', (_title, place) => {
    let emitted = 0;
    for (const s of [...cases, ...words]) {
      const object = place(s);
      const text = emitDocument(object);
      if (text === undefined) continue;
      emitted++;
      if (text !== reference(object)) throw new Error(`differs for ${JSON.stringify(s)}:\n${text}\n---- yaml:\n${reference(object)}`);
    }
    // Most of them are written without the fallback (the rest is what it declines).
    expect(emitted).toBeGreaterThan(cases.length / 2);
  });

  test('multi-line strings: literal blocks with clip or strip chomping', () => {
    const lines = ['line', '  indented', '', '# not a comment', 'key: value', '- item', '---', '...', '%TAG', '"quoted"', "'single'", 'trailing  ', '\u00e9t\u00e9'];
    const nextLine = random(42);
    for (let i = 0; i < 2000; i++) {
      const count = 1 + Math.floor(nextLine() * 5);
      let s = Array.from({ length: count }, () => lines[Math.floor(nextLine() * lines.length)]).join('\n');
      if (nextLine() < 0.4) s += '\n';
      const object = { data: { 'script.sh': s, list: [s, { nested: s }] } };
      const text = emitDocument(object);
      if (text !== undefined && text !== reference(object)) throw new Error(`differs for ${JSON.stringify(s)}:\n${text}\n---- yaml:\n${reference(object)}`);
    }
  });
});

describe('values it declines (yaml writes them)', () => {
  const shared = { a: 1 };
  test.each<[string, unknown]>([
    ['an object met twice (yaml writes an anchor and an alias)', { a: shared, b: shared }],
    ['a list met twice', (() => { const l = [1]; return { a: l, b: [l] }; })()],
    ['undefined', { a: undefined }],
    ['a hole in a list', { a: [1, , 3] }],
    ['NaN', { a: NaN }],
    ['Infinity', { a: -Infinity }],
    ['-0', { a: -0 }],
    ['a bigint', { a: 10n }],
    ['a Date', { a: new Date(0) }],
    ['a Map', { a: new Map([['k', 'v']]) }],
    ['a function', { a: () => 1 }],
    ['an empty key', { '': 1 }],
    ['a tab', { a: 'x\ty' }],
    ['a carriage return', { a: 'x\r\ny' }],
    ['a control character', { a: 'x\u001by' }],
    ['a lone surrogate', { a: 'x\ud800' }],
    ['a block with a leading space', { a: ' x\ny' }],
    ['a block with two trailing newlines', { a: 'x\ny\n\n' }],
    ['a block ending in spaces after a newline', { a: 'x\n  ' }],
    ['a multi-line key', { 'a\nb': 1 }],
    ['a key starting like a document marker', { '--- x': 1 }],
    ['a very long key', { ['k'.repeat(1100)]: 1 }],
    ['not a map at the top', ['a']],
    ['an empty map at the top', {}],
  ])('%s', (_title, object) => {
    expect(emitDocument(object)).toBeUndefined();
    // ... and the manifest text is still exactly cdk8s' (the fallback), or the same error.
    const outcome = (write: () => string) => {
      try {
        return write();
      } catch (e) {
        return `throws ${(e as Error).message}`;
      }
    };
    expect(outcome(() => manifestText([object as never]))).toBe(outcome(() => Yaml.stringify(object)));
  });
});

test('what cdk8s writes for a list of documents: joined with ---, undefined as an empty document', () => {
  const objects = [{ a: 1 }, undefined, { b: [{ c: 'x\ny' }] }, { d: { e: shared() } }];
  expect(manifestText(objects as never[])).toBe(Yaml.stringify(...objects));
  function shared() {
    const s = { z: 1 };
    return [s, s];
  }
});
