/**
 * The last step of a stack's render, in whatever chart it sits (see src/charts/finalize.ts for what it
 * does): pods get `checksum/config`, Jobs are named by content, and the smoke test is marked with the
 * render it verifies. A construct cannot override its chart's `toJson`, so the stack hooks the charts that
 * hold its objects and finishes exactly its own objects in their output, recognised by the ApiObject that
 * rendered them (never by name): a user's objects in the same chart are left as they are.
 */
import { ApiObject, Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { finalizeObjects, markVerifiedRender, type RenderedObject } from '../charts/finalize';

const SOURCE = Symbol('qdrant-stack.rendered-by');
const tagged = new WeakSet<ApiObject>();
interface Hook {
  /** Before the chart renders: tag objects added since. */
  readonly prepare: () => void;
  /** After: finish the stack's objects in the output, in place. */
  readonly finish: (output: RenderedObject[]) => void;
}
const hooks = new WeakMap<Chart, Hook[]>();

/** Each rendered object remembers its ApiObject (a symbol: invisible to YAML and JSON). */
function tag(object: ApiObject): void {
  if (tagged.has(object)) return;
  tagged.add(object);
  const render = object.toJson.bind(object);
  object.toJson = () => Object.defineProperty(render(), SOURCE, { value: object, enumerable: false });
}

function apiObjects(scope: IConstruct, exclude: readonly IConstruct[] = []): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && !exclude.some((e) => c.node.scopes.includes(e)));
}

function onRender(chart: Chart, hook: Hook): void {
  let list = hooks.get(chart);
  if (!list) {
    const render = chart.toJson.bind(chart);
    const registered: Hook[] = (list = []);
    hooks.set(chart, registered);
    chart.toJson = () => {
      for (const h of registered) h.prepare();
      const output = render();
      for (const h of registered) h.finish(output);
      return output;
    };
  }
  list.push(hook);
}

/** A Job scope of the stack and whether it verifies the stack's render (the smoke test does). */
export interface RunnerScope {
  readonly scope: IConstruct;
  readonly verifiesStack: boolean;
}

/**
 * Finishes the stack's objects wherever they render. The stack's own render is computed once (the first
 * synthesis of its chart, or on demand when a Job's chart comes first) and is the context of its Jobs:
 * they read its connection ConfigMap, and the smoke test hashes it.
 */
export function finishStackObjects(stack: IConstruct, runners: readonly RunnerScope[]): void {
  const runnerScopes = runners.map((r) => r.scope);
  let stackRender: RenderedObject[] | undefined;
  const ownObjects = () => {
    const objects = apiObjects(stack, runnerScopes);
    objects.forEach(tag);
    return objects;
  };
  const renderStack = (): RenderedObject[] => {
    stackRender ??= finalizeObjects(ownObjects().map((o) => o.toJson()));
    return structuredClone(stackRender);
  };
  const pick = (output: RenderedObject[], objects: ApiObject[]) => {
    const wanted = new Set(objects);
    return output.filter((o) => wanted.has((o as any)[SOURCE]));
  };

  const prepare = () => [...apiObjects(stack), ...runnerScopes.flatMap((r) => apiObjects(r))].forEach(tag);
  const finish = (output: RenderedObject[]) => {
    const own = ownObjects();
    const mine = pick(output, own);
    if (mine.length) {
      finalizeObjects(mine, output);
      if (mine.length === own.length) stackRender ??= structuredClone(mine);
    }
    for (const runner of runners) {
      const theirs = pick(output, apiObjects(runner.scope));
      if (!theirs.length) continue;
      const context = renderStack();
      if (runner.verifiesStack) markVerifiedRender(theirs, context);
      finalizeObjects(theirs, context);
    }
  };
  prepare();
  for (const chart of new Set([Chart.of(stack), ...runnerScopes.map((s) => Chart.of(s))])) onRender(chart, { prepare, finish });
}
