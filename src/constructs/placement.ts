/**
 * The model's `pod` section (and `images.pullSecrets`) on a workload's pod template, in one place for every
 * Deployment, StatefulSet, Job and CronJob of the stack, merged with what the stack sets itself: the
 * stack's tolerations and spread constraints come in through `own`, so nothing is patched twice.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { imagesSchema, podSchema, type ImagesConfig, type ImagesInput, type PodPlacement, type PodPlacementInput } from '../config/placement';
import { parseProps } from '../config/props';

type Toleration = PodPlacement['tolerations'][number];
type SpreadConstraint = PodPlacement['topologySpread'][number];

/** What the stack itself puts on the pod spec, to merge the user's placement with. */
export interface OwnPlacement {
  /** Labels of the component's own pods: a user's spread constraint without a labelSelector counts these. */
  readonly selector: Readonly<Record<string, string>>;
  readonly tolerations?: readonly Toleration[];
  readonly topologySpread?: readonly SpreadConstraint[];
  /** The PriorityClass the stack picks when the user names none (profile prod). */
  readonly priorityClassName?: string;
}

/**
 * Renders placement into the pod template at `podSpecPath` (`/spec/template/spec`, or
 * `/spec/jobTemplate/spec/template/spec`). Call it after the workload's last container is added: extra env
 * goes into every container and init container there is, and may override none of their own variables.
 */
export function applyPodPlacement(
  workload: kplus.Workload,
  podSpecPath: string,
  placement: PodPlacementInput | undefined,
  own: OwnPlacement,
  pullSecrets: readonly string[] = [],
): void {
  const pod = parseProps(podSchema(workload.node.path, { names: [] }), placement, `${workload.node.path} (pod)`);
  const obj = ApiObject.of(workload);
  const add = (field: string, value: unknown) => obj.addJsonPatch(JsonPatch.add(`${podSpecPath}/${field}`, value));

  if (Object.keys(pod.nodeSelector).length) add('nodeSelector', { ...pod.nodeSelector });
  const tolerations = unique([...(own.tolerations ?? []), ...pod.tolerations]);
  if (tolerations.length) add('tolerations', tolerations);
  if (pod.affinity) add('affinity', pod.affinity);
  // Kubernetes refuses two constraints with one topologyKey and whenUnsatisfiable: the user's replaces the stack's.
  const userKeys = new Set(pod.topologySpread.map((c) => c.topologyKey));
  const spread = [
    ...(own.topologySpread ?? []).filter((c) => !userKeys.has(c.topologyKey)),
    ...pod.topologySpread.map((c) => ({ ...c, labelSelector: c.labelSelector ?? { matchLabels: { ...own.selector } } })),
  ];
  if (spread.length) add('topologySpreadConstraints', spread);
  const priorityClassName = pod.priorityClassName ?? own.priorityClassName;
  if (priorityClassName) add('priorityClassName', priorityClassName);
  if (pullSecrets.length) add('imagePullSecrets', pullSecrets.map((name) => ({ name })));

  for (const [key, value] of Object.entries(pod.labels)) workload.podMetadata.addLabel(key, value);
  for (const [key, value] of Object.entries(pod.annotations)) workload.podMetadata.addAnnotation(key, value);

  for (const container of [...workload.initContainers, ...workload.containers]) {
    for (const e of pod.extraEnv) {
      if (container.env.variables[e.name]) throw new Error(`${workload.node.path}: extraEnv ${e.name} would override the stack's own ${e.name} in container '${container.name}'`);
      const ref = e.secretKeyRef;
      const secret = ref && ((workload.node.tryFindChild(`extra-env-${ref.name}`) as kplus.ISecret | undefined) ?? kplus.Secret.fromSecretName(workload, `extra-env-${ref.name}`, ref.name));
      container.env.addVariable(e.name, secret ? kplus.EnvValue.fromSecretValue({ secret, key: ref.key }) : kplus.EnvValue.fromValue(e.value!));
    }
  }
}

/** Props of the stack's Jobs and CronJob: where their pods run and where their image comes from. */
export interface JobPlacementProps {
  /** Placement and extra env of the pod (the model's `jobs.pod`). @default none */
  readonly pod?: PodPlacementInput;
  /** The model's `images` section: the runner image's registry and digest, and pull Secrets. @default Docker Hub */
  readonly images?: ImagesInput;
}

/** The `images` section of a Job's props, validated with its defaults. */
export function jobImages(scope: { node: { path: string } }, props: JobPlacementProps): ImagesConfig {
  return parseProps(imagesSchema, props.images, `${scope.node.path} (images)`);
}

/** Drops exact duplicates (the user repeating the stack's GPU toleration, say). */
function unique<T>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = JSON.stringify(item);
    return !seen.has(key) && !!seen.add(key);
  });
}
