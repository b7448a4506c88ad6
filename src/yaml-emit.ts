/**
 * A small YAML emitter for rendered Kubernetes objects, byte for byte what cdk8s writes (`Yaml.stringify`: the
 * yaml package's `stringify(doc, { keepUndefined: true, lineWidth: 0, version: '1.1' })` per document, joined
 * with `---\n`), without building yaml's document model: on a cold process that model cost ~55 ms for the main
 * manifest (README "## Performance").
 *
 * It covers what manifests hold — plain objects, arrays, strings, finite numbers, booleans, null — and mirrors
 * yaml's own choices for them (src: yaml/dist/stringify/*.js, 2.x): block maps and sequences indented by two
 * (`indentSeq`), `{}` and `[]` for empty ones, plain scalars unless yaml's plain-scalar test or a tag of its YAML
 * 1.1 schema (null, bool, int, float, timestamp) would read them otherwise, then single quotes when the text holds `"` and no
 * `'`, else JSON's double quotes; multi-line values as literal blocks (`|`, `|-`). Whatever it is not sure
 * of — a shared object (yaml writes anchors), undefined, a non-plain object, control characters, tabs, a
 * leading space or newline in a block, several trailing newlines, keys that are long, empty, multi-line or
 * start like a document marker, non-finite numbers, -0 — makes it give up on that document: `emitDocument` returns
 * undefined and the caller uses yaml itself (`manifestText`, src/synth.ts). test/yaml-emit.test.ts compares
 * both over every rendered object of a broad matrix of models and over generated tricky strings.
 */

/** Thrown inside the emitter when a value is not one it is sure of; caught by emitDocument. */
class Unsure extends Error {}
const UNSURE = new Unsure();

/** yaml: not a plain scalar when it starts with an indicator, is `-`/`?`, holds `: ` or ` #`, ends with a space or `:`. */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/**
 * The tags of yaml's YAML 1.1 schema (cdk8s writes YAML 1.1) that would read a plain scalar as something other
 * than a string: null, bool (yes/no/on/off and y/n too), int (binary, octal, decimal, hex), float (.inf/.nan,
 * exponent, decimal), sexagesimal int and float, timestamp. test/yaml-emit.test.ts checks these are exactly the
 * yaml package's; the merge key `<<` is declined (see MERGE_KEY).
 */
export const YAML_11_TAG_TESTS: readonly RegExp[] = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
  /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
  /^[-+]?0b[0-1_]+$/,
  /^[-+]?0[0-7_]+$/,
  /^[-+]?[0-9][0-9_]*$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\.[0-9]+)?)(?:[ \t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/,
];
/** The merge key of YAML 1.1, a tag of its own in yaml's schema: declined. */
const MERGE_KEY = '<<';
/** Characters yaml escapes or double-quotes (control characters, lone surrogates), and tabs and CRs: not handled here. */
const UNHANDLED_CHARS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** A leading `---`, `...` or `%` on any line: yaml quotes such a key at the first level. */
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;

/** A one-line string as yaml writes it (as a value or, `key`, an implicit key). */
function lineScalar(value: string): string {
  if (value === MERGE_KEY) throw UNSURE;
  if (!NOT_PLAIN.test(value) && !YAML_11_TAG_TESTS.some((t) => t.test(value))) return value;
  // quotedString: single quotes when it holds " and no ', else double (JSON's escaping, nothing to escape further
  // here: no control characters, no newline).
  return value.includes('"') && !value.includes("'") ? `'${value}'` : JSON.stringify(value);
}

/** A string value at `indent` (its context's indentation; never empty: the root is a map). */
function stringValue(value: string, indent: string): string {
  // (A document marker in a value matters to yaml only at the root, which is a map.)
  if (UNHANDLED_CHARS.test(value)) throw UNSURE;
  if (!value.includes('\n')) return lineScalar(value);
  // Multi-line: a literal block. Handled: no leading space or newline (no indentation indicator), and at most one
  // trailing newline right after a non-space character (chomping `-` or clip).
  const first = value[0];
  if (first === ' ' || first === '\n') throw UNSURE;
  let body = value;
  let chomp = '-';
  const last = value[value.length - 1];
  if (last === '\n') {
    const before = value[value.length - 2];
    if (before === '\n' || before === ' ') throw UNSURE;
    chomp = '';
    body = value.slice(0, -1);
  } else if (last === ' ') {
    throw UNSURE;
  }
  return `|${chomp}\n${indent}${body.replace(/\n+/g, `$&${indent}`)}`;
}

function keyScalar(key: string): string {
  if (key.length === 0 || key.length > 1000 || key.includes('\n') || UNHANDLED_CHARS.test(key) || DOCUMENT_MARKER.test(key)) throw UNSURE;
  return lineScalar(key);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A value at `indent` (the indentation of its context), as yaml's block style writes it. */
function node(value: unknown, indent: string, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return stringValue(value, indent);
    case 'number':
      if (!Number.isFinite(value) || Object.is(value, -0)) throw UNSURE;
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      // yaml writes an object met twice in a document as an anchor and aliases.
      if (seen.has(value)) throw UNSURE;
      seen.add(value);
      if (Array.isArray(value)) return sequence(value, indent, seen);
      if (!isPlainObject(value)) throw UNSURE;
      return mapping(value as Record<string, unknown>, indent, seen);
    default:
      throw UNSURE; // undefined, functions, symbols, bigints
  }
}

function isNonEmptyCollection(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0);
}

function sequence(items: readonly unknown[], indent: string, seen: Set<object>): string {
  if (Object.getPrototypeOf(items) !== Array.prototype) throw UNSURE;
  if (items.length === 0) return '[]';
  const inner = `${indent}  `;
  let out = '';
  for (let i = 0; i < items.length; i++) {
    if (!(i in items)) throw UNSURE; // a hole
    out += `${i ? `\n${indent}` : ''}- ${node(items[i], inner, seen)}`;
  }
  return out;
}

function mapping(map: Record<string, unknown>, indent: string, seen: Set<object>): string {
  const keys = Object.keys(map);
  if (keys.length === 0) return '{}';
  const inner = `${indent}  `;
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const value = map[keys[i]];
    const text = node(value, inner, seen);
    out += `${i ? `\n${indent}` : ''}${keyScalar(keys[i])}:${isNonEmptyCollection(value) ? `\n${inner}` : ' '}${text}`;
  }
  return out;
}

/**
 * One document as yaml's `stringify(object, { keepUndefined: true, lineWidth: 0, version: '1.1' })` writes it
 * (with its final newline), or undefined when this emitter is not sure it would write the same: use yaml then.
 */
export function emitDocument(object: unknown): string | undefined {
  if (typeof object !== 'object' || object === null || Array.isArray(object) || !isPlainObject(object) || Object.keys(object).length === 0) return undefined;
  try {
    return `${mapping(object as Record<string, unknown>, '', new Set([object]))}\n`;
  } catch (e) {
    if (e === UNSURE) return undefined;
    throw e;
  }
}
