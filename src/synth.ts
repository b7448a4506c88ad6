/**
 * Rendering a stack model to files. Each model is rendered once, in memory (`renderModel`): the checks read
 * those objects and exactly those are written, as `cdk8s synth` writes them (one `<chart>.k8s.yaml` per chart,
 * cdk8s' own YAML serializer). Everything is written into a fresh temporary folder beside the target and
 * moved into place only when complete, so a failure never leaves a half-written output; a folder holding
 * anything qdrant-stack did not write is never replaced (src/output.ts).
 */
import { App, Chart, Names, Yaml } from 'cdk8s';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from './config/schema';
import type { ResolvedStack } from './config/load';
import type { RenderedObject } from './charts/finalize';
import { renderCompose, renderEnvExample } from './compose/render';
import { StackChart } from './charts/stack-chart';
import { MARKER_FILE, replaceFolder, writeMarker } from './output';
import { emitDocument } from './yaml-emit';
import { COMPOSE_FILE, ENV_EXAMPLE_FILE, KUSTOMIZATION_FILE, MANIFEST_EXTENSION } from './files';

export { COMPOSE_FILE, ENV_EXAMPLE_FILE, KUSTOMIZATION_FILE } from './files';

/** Adds the stack's charts to an app (used by `cdk8s synth` and by the CLI): `<name>`, `<name>-collections`, `<name>-smoke`. */
export function addStack(app: App, config: StackConfig): StackChart {
  return new StackChart(app, config.name, { config });
}

/** One chart of a render: the file it is written to (`<chart>.k8s.yaml`), its objects in order, and that file's text. */
export interface RenderedChart {
  readonly file: string;
  readonly objects: RenderedObject[];
  /** The file's text (cdk8s' serializer, see manifestText), made when first read. */
  readonly text: string;
}

/** A model rendered in memory, once: what the checks read and what `writeRenders` writes. */
export interface ModelRender {
  readonly config: StackConfig;
  readonly stack: StackChart;
  /** Each chart, in the order and under the file names `cdk8s synth` gives them. */
  readonly charts: readonly RenderedChart[];
  /** Every object of every chart, in that order. */
  readonly objects: RenderedObject[];
}

/** Renders the charts of a model (see `addStack`) in memory, each once. */
export function renderModel(config: StackConfig): ModelRender {
  const app = new App({ outdir: '.' });
  const stack = addStack(app, config);
  const rendered = new Map(app.charts.map((chart) => [chart, chart.toJson() as RenderedObject[]]));
  // Rendering resolved the app's dependencies, as App.synth does before it orders and names the charts:
  // charts that depend on each other are written under an index prefix (0000-, 0001-, ...).
  const charts = app.charts;
  const dependent = charts.some((chart) => chart.node.dependencies.some((d) => d !== chart && Chart.isChart(d)));
  const name = (chart: Chart, i: number) => `${dependent ? `${String(i).padStart(4, '0')}-` : ''}${Names.toDnsLabel(chart)}${MANIFEST_EXTENSION}`;
  const files = charts.map((chart, i) => renderedChart(name(chart, i), rendered.get(chart) ?? (chart.toJson() as RenderedObject[])));
  return { config, stack, charts: files, objects: files.flatMap((f) => f.objects) };
}

function renderedChart(file: string, objects: RenderedObject[]): RenderedChart {
  let text: string | undefined;
  return {
    file,
    objects,
    get text() {
      return (text ??= manifestText(objects));
    },
  };
}

/** Every render of a stack in memory: `.` for the base, then each environment by name (as folders). */
export function renderModels(stack: ResolvedStack): Map<string, ModelRender> {
  return new Map([['.', renderModel(stack.base)], ...[...stack.environments].map(([name, env]) => [name, renderModel(env)] as [string, ModelRender])]);
}

/** The objects of each render, by folder. */
export function objectsOf(renders: ReadonlyMap<string, ModelRender>): Map<string, RenderedObject[]> {
  return new Map([...renders].map(([folder, render]) => [folder, render.objects]));
}

/**
 * A sample that tells apart what cdk8s' serializer may be set to write: YAML 1.1 or 1.2 (`yes`, `0o17`), folded
 * long lines, sequences indented or not, literal blocks, quoting. Small: the first use of the yaml package is
 * what it costs (~4 ms).
 */
const SAMPLE = { a: ['yes', '0o17', `${'x'.repeat(60)} ${'y'.repeat(60)}`, 'multi\nline\n', "it's: \"k\"", 1.5, true, null], b: { c: [], d: {} } };
/** Whether src/yaml-emit.ts writes the sample as the cdk8s at hand does (checked once): else cdk8s' serializer alone. */
let emitterAgrees: boolean | undefined;

/** One document, as cdk8s' `Yaml.stringify` writes it. */
function documentText(object: RenderedObject): string {
  emitterAgrees ??= emitDocument(SAMPLE) === Yaml.stringify(SAMPLE);
  return (emitterAgrees ? emitDocument(object) : undefined) ?? Yaml.stringify(object);
}

/**
 * A manifest file's text, byte for byte as `cdk8s synth` writes it (cdk8s' `Yaml.stringify`: one document per
 * object, joined with `---`): each document by src/yaml-emit.ts, which skips the yaml package's document model
 * (README "## Performance"), or by cdk8s' serializer when that emitter is not sure it writes the same or the
 * serializer writes the sample otherwise (test/yaml-emit.test.ts compares the two).
 */
export function manifestText(objects: readonly RenderedObject[]): string {
  return objects.map((o) => (o === undefined ? '\n' : documentText(o))).join('---\n');
}

/** Writes the Kubernetes manifests of a render into `dir` (created if missing), one file per chart. */
function writeManifests(render: ModelRender, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  for (const chart of render.charts) writeFileSync(join(dir, chart.file), chart.text, { encoding: 'utf8' });
  return render.charts.map((c) => c.file);
}

/** Renders the Kubernetes manifests of a stack into `dir` (which must exist and be empty). */
export function synthManifests(config: StackConfig, dir: string): void {
  writeManifests(renderModel(config), dir);
}

/** The names a render writes into a folder (an environment's subfolders aside). */
export function isRenderedName(name: string): boolean {
  return name.endsWith(MANIFEST_EXTENSION) || [KUSTOMIZATION_FILE, COMPOSE_FILE, ENV_EXAMPLE_FILE, MARKER_FILE].includes(name);
}

/** Every output of one render into `dir` (existing, empty): manifests, kustomization, Compose file, env template. */
function writeRender(render: ModelRender, dir: string): void {
  const manifests = writeManifests(render, dir).sort();
  writeFileSync(join(dir, KUSTOMIZATION_FILE), renderKustomization(manifests));
  writeFileSync(join(dir, COMPOSE_FILE), renderCompose(render.config));
  writeFileSync(join(dir, ENV_EXAMPLE_FILE), renderEnvExample(render.config));
}

/**
 * A kustomization listing only the Kubernetes manifests, so `kubectl apply -k`, Argo CD and Flux take the
 * folder as it is — and never the Compose file beside them.
 */
export function renderKustomization(manifests: readonly string[]): string {
  return [
    '# Rendered by qdrant-stack (npm run synth); do not edit. Apply with: kubectl apply -k <this folder>',
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    ...manifests.map((m) => `  - ${m}`),
    '',
  ].join('\n');
}

/**
 * Renders a stack into `outDir`, replacing it atomically: the model itself at the top, and each
 * environment into `outDir/<name>/`; each folder lists what it holds in its marker file (MARKER_FILE).
 * Throws an OutputError, changing nothing, when `outDir` holds files qdrant-stack did not write, unless
 * `force`. A symlinked `outDir` stays a link: the render replaces its target.
 */
export function renderStack(config: StackConfig, outDir: string, environments: ReadonlyMap<string, StackConfig> = new Map(), { force = false } = {}): void {
  replaceFolder(outDir, (dir) => fill(dir, [['.', config], ...environments], renderModel), { force, ownName: isRenderedName });
}

/**
 * Writes renders made before (`renderModel`, `renderModels`: `.` for the top of `outDir`, each other key an
 * environment subfolder) into `outDir`, replacing it atomically as `renderStack` does.
 */
export function writeRenders(outDir: string, renders: ReadonlyMap<string, ModelRender>, { force = false } = {}): void {
  replaceFolder(outDir, (dir) => fill(dir, [...renders], (r) => r), { force, ownName: isRenderedName });
}

/** Fills a fresh folder: the top render (key `.`) first, then each environment into its subfolder, then the markers. */
function fill<T>(dir: string, models: [string, T][], render: (model: T) => ModelRender): void {
  const top = models.find(([folder]) => folder === '.');
  if (top) writeRender(render(top[1]), dir);
  for (const [name, model] of models) {
    if (name === '.') continue;
    mkdirSync(join(dir, name));
    writeRender(render(model), join(dir, name));
    writeMarker(join(dir, name));
  }
  writeMarker(dir);
}
