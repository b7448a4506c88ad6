/**
 * Rendering a stack model to files. Everything is written into a fresh temporary folder beside the
 * target and moved into place only when complete, so a failure never leaves a half-written output.
 */
import { App, YamlOutputType } from 'cdk8s';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { StackConfig } from './config/schema';
import { SmokeChart } from './charts/smoke-chart';
import { renderCompose, renderEnvExample } from './compose/render';
import { StackChart } from './charts/stack-chart';

/** Adds the stack's charts to an app (used by `cdk8s synth` and by the CLI): `<name>` and `<name>-smoke`. */
export function addStack(app: App, config: StackConfig): StackChart {
  const stack = new StackChart(app, config.name, { config });
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

/** Writes `text` to `file` through a temporary file beside it, so readers never see half a file. */
export function writeFileAtomic(file: string, text: string): void {
  const target = resolve(file);
  mkdirSync(dirname(target), { recursive: true });
  const staging = `${target}.tmp-${process.pid}`;
  writeFileSync(staging, text);
  renameSync(staging, target);
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
 * environment into `outDir/<name>/`.
 */
export function renderStack(config: StackConfig, outDir: string, environments: ReadonlyMap<string, StackConfig> = new Map()): void {
  const target = resolve(outDir);
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), `.tmp-${basename(target)}-`));
  try {
    renderInto(config, staging);
    for (const [name, env] of environments) {
      mkdirSync(join(staging, name));
      renderInto(env, join(staging, name));
    }
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  chmodSync(staging, 0o755); // mkdtemp makes it private; the output is for everyone
  const previous = existsSync(target) ? `${staging}.old` : undefined;
  if (previous) renameSync(target, previous);
  renameSync(staging, target);
  if (previous) rmSync(previous, { recursive: true, force: true });
}
