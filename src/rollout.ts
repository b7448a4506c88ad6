/**
 * What applying a render does to a cluster, beyond the resources `plan` sums up: the Jobs to wait for (their
 * names carry a content hash), the names Qdrant's certificate must carry, and — against the previous render —
 * the updates the API server would refuse, each with its procedure.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { apiServerProblems, dataVolumeProblems, diffObjects, Problem, updateProblems } from './apiserver';
import { CLIENT_LABEL } from './constructs/labels';
import { ConfigError } from './config/errors';
import type { ResolvedStack } from './config/load';
import { stackNamespace } from './config/namespace';
import type { RenderedObject } from './charts/finalize';
import type { StackConfig } from './config/schema';
import { ModelRender, objectsOf, renderModel, renderModels } from './synth';

/** A Job of the render, as `kubectl wait` names it. */
export interface RenderedJob {
  readonly name: string;
  /** `app.kubernetes.io/name` of its pod: secret-generator, ollama-pull, smoke-test. */
  readonly purpose: string;
  /** Argo CD hook phase, when it is a hook. */
  readonly hook?: string;
}

export interface Rollout {
  readonly namespace: string;
  readonly jobs: RenderedJob[];
  /** DNS names (SANs) Qdrant's certificate must carry when `qdrant.tls` is on. */
  readonly certificateDnsNames: string[];
  /**
   * Compared with the previous render: objects added, removed, updates the API server refuses, and data
   * volumes the change would replace or leave behind (`synth` needs `--allow-data-migration` for those).
   */
  readonly upgrade?: { readonly from: string; readonly added: string[]; readonly removed: string[]; readonly refused: Problem[]; readonly dataVolumes: Problem[] };
}

/** Every object a model renders (all charts), in memory; `render` when it is rendered already. */
export function renderObjects(config: StackConfig, render: ModelRender = renderModel(config)): { objects: RenderedObject[]; certificateDnsNames: string[] } {
  return { objects: render.objects, certificateDnsNames: render.stack.qdrant.certificateDnsNames(stackNamespace(config)) };
}

/**
 * The objects of the `*.k8s.yaml` files directly in `dir` (not its environment subfolders). A file whose text
 * is that of a chart of `fresh` (a render of the same folder) holds that chart's objects: not parsed again.
 */
export function readRenderedFolder(dir: string, fresh?: ModelRender): RenderedObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.k8s.yaml') && statSync(join(dir, f)).isFile())
    .sort()
    .flatMap((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      const same = fresh?.charts.find((c) => c.file === f && c.text === text);
      return same ? same.objects : parseAllDocuments(text).map((d) => d.toJS() as RenderedObject);
    })
    .filter((o) => o && typeof o === 'object' && o.kind);
}

/** Whether `dir` holds a previous render to compare with. */
export function hasRender(dir: string | undefined): dir is string {
  return !!dir && existsSync(dir) && statSync(dir).isDirectory() && readdirSync(dir).some((f) => f.endsWith('.k8s.yaml'));
}

/** The API server's verdict on moving from the objects of `previous` to `next`. */
export function upgradeFrom(previous: RenderedObject[], next: RenderedObject[], from: string): NonNullable<Rollout['upgrade']> {
  const diff = diffObjects(previous, next);
  return { from, added: diff.added, removed: diff.removed, refused: updateProblems(previous, next), dataVolumes: dataVolumeProblems(previous, next) };
}

/** The rollout of `config` (`render`: its render, when made already), compared with the render in `previousDir` when there is one. */
export function rollout(config: StackConfig, previousDir?: string, render?: ModelRender): Rollout {
  const { objects, certificateDnsNames } = renderObjects(config, render);
  const jobs = objects
    .filter((o) => o.kind === 'Job')
    .map((o) => ({
      name: o.metadata.name,
      purpose: o.metadata.labels?.['app.kubernetes.io/name'] ?? o.metadata.name,
      ...(o.metadata.annotations?.['argocd.argoproj.io/hook'] ? { hook: o.metadata.annotations['argocd.argoproj.io/hook'] } : {}),
    }));
  return {
    namespace: stackNamespace(config),
    jobs,
    certificateDnsNames: config.qdrant.tls ? certificateDnsNames : [],
    ...(hasRender(previousDir) ? { upgrade: upgradeFrom(readRenderedFolder(previousDir), objects, previousDir) } : {}),
  };
}

/** Pods outside the render that the NetworkPolicies admit: the applications' client label. */
export const EXTERNAL_PEERS = [{ [CLIENT_LABEL.key]: CLIENT_LABEL.value }];

/** Every render of a stack in memory: `.` for the base, then each environment by name (as folders). */
export function renderAll(stack: ResolvedStack): Map<string, RenderedObject[]> {
  return objectsOf(renderModels(stack));
}

/**
 * Refuses a model whose render a cluster would refuse (a name over its kind's limit, an object above
 * 200 KB, a quantity or schedule the API server cannot parse, a selector that selects nothing): the same
 * rules for `validate`, `synth`, `plan` and `check`, as a ConfigError (exit 2) naming each object.
 */
export function assertRenderable(renders: ReadonlyMap<string, RenderedObject[]>, source?: string): void {
  const problems = [...renders].flatMap(([folder, objects]) =>
    apiServerProblems(objects, { externalPeers: EXTERNAL_PEERS }).map((p) => ({ path: `${folder === '.' ? '' : `environments.${folder}: `}rendered ${p.object}`, message: p.message })),
  );
  if (problems.length) throw new ConfigError(problems, source, 'invalid stack config: a cluster would refuse its render');
}

/**
 * Data volumes of `previous` renders (by folder) that `renders` replace or leave behind; `from` names the
 * previous render when it is not the folder being written or checked.
 */
export function dataVolumeFindings(previous: ReadonlyMap<string, RenderedObject[]>, renders: ReadonlyMap<string, RenderedObject[]>, from?: string): { file: string; problem: string }[] {
  return [...renders].flatMap(([folder, objects]) => {
    const before = previous.get(folder);
    return before ? dataVolumeProblems(before, objects).map((p) => ({ file: folder, problem: `${from ? `from ${join(from, folder)}: ` : ''}${p.object}: ${p.message}` })) : [];
  });
}

/** Refuses renders that would replace or leave behind a data volume of the previous ones, unless acknowledged. */
export function assertDataKept(previous: ReadonlyMap<string, RenderedObject[]>, renders: ReadonlyMap<string, RenderedObject[]>, source?: string): void {
  const problems = dataVolumeFindings(previous, renders).map((f) => ({ path: f.file === '.' ? '(render)' : `${f.file}/`, message: f.problem }));
  if (problems.length === 0) return;
  problems.push({ path: '--allow-data-migration', message: 'not given: move the data first (README: "From a single node to a cluster"), then acknowledge with --allow-data-migration' });
  throw new ConfigError(problems, source, 'refused: the new render replaces or leaves behind data volumes');
}
