/**
 * Rendering a stack model to files. Everything is written into a fresh temporary folder beside the
 * target and moved into place only when complete, so a failure never leaves a half-written output; a
 * folder holding anything qdrant-stack did not write is never replaced (src/output.ts).
 */
import { App, YamlOutputType } from 'cdk8s';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from './config/schema';
import { SmokeChart } from './charts/smoke-chart';
import { CollectionsChart } from './charts/collections-chart';
import { managesCollections } from './config/collection';
import { renderCompose, renderEnvExample } from './compose/render';
import { StackChart } from './charts/stack-chart';
import { MARKER_FILE, replaceFolder, writeMarker } from './output';

/** Adds the stack's charts to an app (used by `cdk8s synth` and by the CLI): `<name>` and `<name>-smoke`. */
export function addStack(app: App, config: StackConfig): StackChart {
  const stack = new StackChart(app, config.name, { config });
  if (managesCollections(config)) new CollectionsChart(app, `${config.name}-collections`, { config, stack });
  if (config.smoke.enabled) new SmokeChart(app, `${config.name}-smoke`, { config, stack });
  return stack;
}

/** Renders the Kubernetes manifests of a stack into `dir` (which must exist and be empty). */
export function synthManifests(config: StackConfig, dir: string): void {
  const app = new App({ outdir: dir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml' });
  addStack(app, config);
  app.synth();
}

export const COMPOSE_FILE = 'docker-compose.yml';
export const KUSTOMIZATION_FILE = 'kustomization.yaml';
export const ENV_EXAMPLE_FILE = '.env.example';

/** The names a render writes into a folder (an environment's subfolders aside). */
export function isRenderedName(name: string): boolean {
  return name.endsWith('.k8s.yaml') || [KUSTOMIZATION_FILE, COMPOSE_FILE, ENV_EXAMPLE_FILE, MARKER_FILE].includes(name);
}

/** Every output of one model into `dir` (existing, empty): manifests, Compose file, env template. */
function renderInto(config: StackConfig, dir: string): void {
  synthManifests(config, dir);
  const manifests = readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml')).sort();
  writeFileSync(join(dir, KUSTOMIZATION_FILE), renderKustomization(manifests));
  writeFileSync(join(dir, COMPOSE_FILE), renderCompose(config));
  writeFileSync(join(dir, ENV_EXAMPLE_FILE), renderEnvExample(config));
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
  replaceFolder(
    outDir,
    (dir) => {
      renderInto(config, dir);
      for (const [name, env] of environments) {
        mkdirSync(join(dir, name));
        renderInto(env, join(dir, name));
        writeMarker(join(dir, name));
      }
      writeMarker(dir);
    },
    { force, ownName: isRenderedName },
  );
}
