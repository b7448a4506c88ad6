// TypeDoc plugin (typedoc.json): each entry point's module is named by the import path users write —
// `qdrant-stack`, `qdrant-stack/smoke`, … — read from package.json `exports`, instead of by its file
// (`index`, `smoke`, …). TypeDoc names a module by its path under the entry points' common folder (src/),
// without the extension and a trailing /index; an export's target under lib/ gives the same name.
import { readFileSync } from 'node:fs';
import { Converter, ReflectionKind } from 'typedoc';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** TypeDoc's module name of the file behind an export target: ./lib/smoke/index.js → smoke. */
const moduleName = (target) => target.replace(/^\.\/lib\//, '').replace(/\.js$/, '').replace(/(.)\/index$/, '$1');

/** @param {import('typedoc').Application} app */
export function load(app) {
  const names = new Map();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const file = typeof target === 'string' ? target : target.default;
    if (file.startsWith('./lib/')) names.set(moduleName(file), subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);
  }
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getChildrenByKind(ReflectionKind.Module)) {
      const name = names.get(module.name);
      if (name) module.name = name;
      else app.logger.warn(`${module.name}: an entry point that is no export of package.json`);
    }
  });
}
