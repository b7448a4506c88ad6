import { Testing } from 'cdk8s';
import { resolveConfig } from '../../src/config/load';
import type { StackInput } from '../../src/config/schema';
import { addStack } from '../../src/synth';
import { HASH_LENGTH } from '../../src/naming';

/** A rendered Kubernetes object, loosely typed for targeted assertions. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [key: string]: any };

/** Synthesizes every chart of the stack of a (partial) model and returns their objects. */
export function synthStack(input: StackInput = {}): Manifest[] {
  const app = Testing.app();
  addStack(app, resolveConfig(input));
  return app.charts.flatMap((chart) => Testing.synth(chart) as Manifest[]);
}

/** Whether `name` is `base` or, for a Job, `base` with its content hash (`<base>-<8 hex>`). */
export function isNamed(object: Manifest, base: string): boolean {
  const name = object.metadata.name;
  return name === base || (object.kind === 'Job' && name.length === base.length + 1 + HASH_LENGTH && name.startsWith(`${base}-`) && /^[0-9a-f]+$/.test(name.slice(base.length + 1)));
}

/** The one object of a kind and name (a Job by its name without the content hash); fails loudly when absent or ambiguous. */
export function find(objects: Manifest[], kind: string, name: string): Manifest {
  const found = objects.filter((o) => o.kind === kind && isNamed(o, name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length} (have: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`);
  return found[0];
}

/** Every pod spec in the objects, with the owning object. */
export function podSpecs(objects: Manifest[]): { owner: Manifest; spec: any }[] {
  return objects.flatMap((o) => {
    if (o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'Job' || o.kind === 'DaemonSet') return [{ owner: o, spec: o.spec.template.spec }];
    if (o.kind === 'CronJob') return [{ owner: o, spec: o.spec.jobTemplate.spec.template.spec }];
    if (o.kind === 'Pod') return [{ owner: o, spec: o.spec }];
    return [];
  });
}
