/**
 * JSON Schema for `stack.yaml`, generated from the zod model so editors check exactly what the
 * loader accepts. `npm run schema` writes it to schema/stack.schema.json; never edit that file.
 */
import { z } from 'zod';
import { stackSchema } from './schema';

/** Identifies the schema; a URN because the package has no published schema URL. */
export const STACK_SCHEMA_ID = 'urn:qdrant-stack:stack.schema.json';

/**
 * The JSON Schema (draft 2020-12) of the stack model as a user writes it: the input side, so every
 * key with a default is optional, and `additionalProperties: false` everywhere so typos are flagged.
 */
export function stackJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(stackSchema, {
    io: 'input',
    // A construct JSON Schema cannot express (a custom type, a date) becomes "any value" instead of
    // breaking generation; the loader still validates it at runtime.
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const def = (zodSchema as unknown as z.ZodType).def;
      // zod drops defaults of transforming schemas on the input side (the default is an output
      // value); most are valid input too (version "1.19.0"), and editors should show them.
      if (def.type === 'default' && jsonSchema.default === undefined) {
        const { innerType, defaultValue } = def as z.core.$ZodDefaultDef;
        if (z.safeParse(innerType, defaultValue).success) jsonSchema.default = defaultValue;
      }
      // cidrv4/cidrv6 are zod's names, not JSON Schema formats (editors warn); the pattern beside them says it.
      if ((jsonSchema.format === 'cidrv4' || jsonSchema.format === 'cidrv6') && jsonSchema.pattern) delete jsonSchema.format;
      // `.int()` adds the safe-integer range; it is noise in an editor tooltip.
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: STACK_SCHEMA_ID,
    title: 'qdrant-stack configuration (stack.yaml)',
    description: 'Generated from src/config/schema.ts by `npm run schema`; do not edit by hand.',
    ...rest,
  };
}

/** The schema file's exact text: 2-space JSON with a trailing newline, so regeneration is a no-op diff. */
export function stackJsonSchemaText(): string {
  return `${JSON.stringify(stackJsonSchema(), null, 2)}\n`;
}
