/**
 * Writes schema/stack.schema.json and docs/configuration.md from the zod model (`npm run schema`,
 * `npm run docs`). Both files are committed; tests fail when they are stale. `--check` only compares.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { stackJsonSchemaText } from '../src/config/json-schema';
import { configurationReference, undescribedKeys } from '../src/config/reference';

const root = join(__dirname, '..');
const outputs: Record<string, () => string> = {
  'schema/stack.schema.json': stackJsonSchemaText,
  'docs/configuration.md': () => configurationReference(),
};

const check = process.argv.includes('--check');
let stale = 0;
for (const [file, generate] of Object.entries(outputs)) {
  const path = join(root, file);
  const text = generate();
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) continue;
  if (check) {
    stale++;
    console.error(`${file} is stale: run \`npm run schema\``);
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`wrote ${relative(process.cwd(), path) || file}`);
  }
}

// A key without `.describe()` shows "—" in the reference; say so, so it gets a text.
const undescribed = undescribedKeys();
if (undescribed.length) console.warn(`keys without a description (add .describe() in src/config/schema.ts):\n  ${undescribed.join('\n  ')}`);
process.exitCode = stale ? 1 : 0;
