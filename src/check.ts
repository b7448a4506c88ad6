/**
 * The CI guard behind `qdrant-stack check`: is the committed output what the model renders today, and does
 * every rendered object match its Kubernetes API schema? Returns findings; the CLI prints them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ResolvedStack } from './config/load';
import { ModelRender, renderModels, writeRenders } from './synth';
import { apiServerProblems, updateProblems } from './apiserver';
import { CLIENT_LABEL } from './constructs/labels';
import { hasRender, readRenderedFolder } from './rollout';
import type { RenderedObject } from './charts/finalize';

export interface CheckFinding {
  /** File relative to the output folder. */
  readonly file: string;
  readonly problem: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Where two texts first differ, short enough to read (the smoke ConfigMap holds a 120 KB line). */
export function firstDifference(committed: string, fresh: string): string {
  const a = committed.split('\n');
  const b = fresh.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  const clip = (text = '') => (text.length > 120 ? `${text.slice(0, 120)}… (${text.length} chars)` : text);
  return `differs at line ${at + 1}: committed "${clip(a[at])}", fresh "${clip(b[at])}"`;
}

/** Files of a folder as `relative path → text`. */
export function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(filesUnder(dir).map((f) => [relative(dir, f), readFileSync(f, 'utf8')]));
}

/** Renders the stack afresh (or takes its `renders`, see renderModels) and compares it with `dist`, file by file. */
export function staleFiles(stack: ResolvedStack, dist: string, renders: ReadonlyMap<string, ModelRender> = renderModels(stack)): CheckFinding[] {
  const scratch = mkdtempSync(join(tmpdir(), 'qdrant-stack-check-'));
  try {
    writeRenders(join(scratch, 'out'), renders);
    const fresh = readTree(join(scratch, 'out'));
    let committed: Record<string, string> = {};
    try {
      committed = readTree(dist);
    } catch {
      return [{ file: '.', problem: `${dist} does not exist: run \`qdrant-stack synth\` and commit it` }];
    }
    const findings: CheckFinding[] = [];
    for (const [file, text] of Object.entries(fresh)) {
      if (!(file in committed)) findings.push({ file, problem: 'missing: the model renders it' });
      else if (committed[file] !== text) findings.push({ file, problem: `stale, ${firstDifference(committed[file], text)}` });
    }
    for (const file of Object.keys(committed)) if (!(file in fresh)) findings.push({ file, problem: 'no longer rendered by the model: delete it' });
    return findings;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Kinds without a kubernetes-models class (CRDs such as ServiceMonitor) are skipped, not failed. */
function modelClass(apiVersion: string, kind: string): (new (data: unknown) => { validate(): void }) | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(`kubernetes-models/${apiVersion}/${kind}`)[kind];
  } catch {
    return undefined;
  }
}

/** Validates every object of every `*.k8s.yaml` under `dist` against its Kubernetes API schema. */
export function invalidObjects(dist: string): { findings: CheckFinding[]; checked: number; skipped: string[] } {
  const findings: CheckFinding[] = [];
  const skipped = new Set<string>();
  let checked = 0;
  for (const path of filesUnder(dist).filter((f) => f.endsWith('.k8s.yaml'))) {
    const file = relative(dist, path);
    for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
      if (doc.errors.length) {
        findings.push({ file, problem: `not valid YAML: ${doc.errors[0].message.split('\n')[0]}` });
        continue;
      }
      const object = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string } } | null;
      if (!object?.apiVersion || !object.kind) continue;
      const Model = modelClass(object.apiVersion, object.kind);
      if (!Model) {
        skipped.add(`${object.apiVersion}/${object.kind}`);
        continue;
      }
      checked++;
      try {
        new Model(object).validate();
      } catch (e) {
        findings.push({ file, problem: `${object.kind}/${object.metadata?.name}: ${(e as Error).message.split('\n')[0]}` });
      }
    }
  }
  return { findings, checked, skipped: [...skipped].sort() };
}

/** The rendered folders under `dist`: the folder itself and each environment subfolder holding manifests. */
export function renderedFolders(dist: string): string[] {
  const subfolders = readdirSync(dist).filter((f) => statSync(join(dist, f)).isDirectory());
  return [dist, ...subfolders.flatMap((f) => renderedFolders(join(dist, f)))].filter(hasRender);
}

/**
 * What a real API server would refuse or silently break in each rendered folder: names and label values over
 * their limits, objects too big for client-side apply, selectors that select nothing, waves that deadlock.
 * `fresh`: as for readRenders.
 */
export function clusterRuleFindings(dist: string, fresh?: ReadonlyMap<string, ModelRender>): CheckFinding[] {
  return renderedFolders(dist).flatMap((folder) =>
    apiServerProblems(readRenderedFolder(folder, fresh?.get(relative(dist, folder) || '.')), { externalPeers: [{ [CLIENT_LABEL.key]: CLIENT_LABEL.value }] }).map((p) => ({
      file: relative(dist, folder) || '.',
      problem: `${p.object}: ${p.message}`,
    })),
  );
}

/**
 * The objects of every rendered folder under `dist`, by folder relative to it ('.' for the top). `fresh`: the
 * renders of the same folders in memory (see renderModels); a file holding what they render is not parsed.
 */
export function readRenders(dist: string, fresh?: ReadonlyMap<string, ModelRender>): Map<string, RenderedObject[]> {
  return new Map(
    renderedFolders(dist).map((folder) => {
      const name = relative(dist, folder) || '.';
      return [name, readRenderedFolder(folder, fresh?.get(name))];
    }),
  );
}

/**
 * Updates from `previous` renders (see readRenders) to `next` (the render in the folder `next`, or renders by
 * folder in memory) that the API server refuses, per folder.
 */
export function refusedUpdates(previous: ReadonlyMap<string, RenderedObject[]>, next: string | ReadonlyMap<string, RenderedObject[]>): CheckFinding[] {
  if (previous.size === 0) return []; // a first render: nothing to parse
  return [...(typeof next === 'string' ? readRenders(next) : next)].flatMap(([folder, objects]) => {
    const before = previous.get(folder);
    return before ? updateProblems(before, objects).map((p) => ({ file: folder, problem: `${p.object}: ${p.message}` })) : [];
  });
}

/** Updates from the render in `base` (e.g. what is deployed) to the one in `dist` that the API server refuses. */
export function upgradeFindings(base: string, dist: string): CheckFinding[] {
  return refusedUpdates(readRenders(base), dist).map((f) => ({ ...f, problem: `upgrade from ${join(base, f.file)}: ${f.problem}` }));
}

