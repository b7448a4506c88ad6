/**
 * Key paths of the zod model, found by a walk that is independent of src/config/reference.ts, so
 * the tests of the generated schema and docs do not trust the generator's own walk.
 */
import type { z } from 'zod';

const WRAPPERS = ['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional'];

function core(schema: z.core.$ZodType): any {
  let def: any = schema._zod.def;
  for (;;) {
    if (WRAPPERS.includes(def.type)) def = def.innerType._zod.def;
    else if (def.type === 'pipe') def = (def.in._zod.def.type === 'transform' ? def.out : def.in)._zod.def;
    else if (def.type === 'lazy') def = def.getter()._zod.def;
    else return def;
  }
}

/** Every key path (`qdrant.collections[].name`, maps as `<name>`), with whether keys sit below it. */
export function modelPaths(schema: z.core.$ZodType, prefix = ''): { path: string; leaf: boolean }[] {
  const def = core(schema);
  const join = (key: string) => (prefix ? `${prefix}.${key}` : key);
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape as Record<string, z.core.$ZodType>).flatMap(([key, field]) => {
        const below = modelPaths(field, join(key));
        return [{ path: join(key), leaf: below.length === 0 }, ...below];
      });
    case 'array':
      return modelPaths(def.element, `${prefix}[]`);
    case 'record':
      return modelPaths(def.valueType, join('<name>'));
    case 'union':
      return def.options.flatMap((o: z.core.$ZodType) => modelPaths(o, prefix));
    case 'intersection':
      return [...modelPaths(def.left, prefix), ...modelPaths(def.right, prefix)];
    default:
      return [];
  }
}

/** The distinct paths of modelPaths(); `leaves` keeps only keys with nothing below them. */
export function uniquePaths(schema: z.core.$ZodType, leaves = false): string[] {
  const all = modelPaths(schema);
  const branches = new Set(all.filter((p) => !p.leaf).map((p) => p.path));
  return [...new Set(all.map((p) => p.path))].filter((p) => !leaves || !branches.has(p));
}
