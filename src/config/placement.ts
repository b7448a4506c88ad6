/**
 * Where pods run and what they carry besides the stack's own settings (`<component>.pod`, `jobs.pod`), and
 * where images come from (`images`). The Kubernetes shapes are validated strictly, so a typo in a deep
 * affinity term is an error naming its path, not a field the API server silently drops.
 */
import { z } from 'zod';
import { value, secret, type Environment } from '../components/env';
import { DNS_1123_SUBDOMAIN, LABEL_KEY, LABEL_VALUE } from './kubernetes-syntax';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names that hold a credential by convention: their values belong in a Secret. */
const SECRET_LOOKING = /(PASSWORD|PASSWD|SECRET|TOKEN|_KEY|CREDENTIALS)$/i;

const LABEL_KEY_MESSAGE = 'must be a label key such as "disktype" or "example.com/team" (a name of at most 63 letters, digits, "-", "_" or ".", with an optional DNS prefix and "/")';
const labelKey = z.string({ error: 'must be a string' }).regex(LABEL_KEY, { error: LABEL_KEY_MESSAGE });
const labelValue = z.string({ error: 'must be a string' }).regex(LABEL_VALUE, { error: 'must be a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit' });
/**
 * A map keyed by label keys; a key that is malformed or in `reserved` is an issue at its own path (checked
 * here rather than by the record's key schema, so every bad key is named, with what a key must be).
 */
const keyedMap = <V extends z.ZodType>(values: V, what: string, reserved?: (key: string) => string | undefined) =>
  z.record(z.string(), values, { error: `must be a map of ${what} to value` }).superRefine((map, ctx) => {
    for (const key of Object.keys(map)) {
      const problem = LABEL_KEY.test(key) ? reserved?.(key) : LABEL_KEY_MESSAGE.replace('a label key', `a ${what} key`);
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
  });
const labelMap = keyedMap(labelValue, 'label');
const dnsSubdomain = z.string({ error: 'must be a string' }).max(253, { error: 'must be at most 253 characters' }).regex(DNS_1123_SUBDOMAIN, { error: 'must be a DNS-1123 subdomain (lowercase letters, digits, "-" and ".")' });
const positiveInt = z.number({ error: 'must be a positive integer' }).int({ error: 'must be a positive integer' }).positive({ error: 'must be a positive integer' });

/** Selector operators, and which of them take values (In/NotIn: some; Exists/DoesNotExist: none; Gt/Lt: one integer). */
function requirement(operators: readonly [string, ...string[]]) {
  return z
    .strictObject({
      key: labelKey.describe('Label key.'),
      operator: z.enum(operators, { error: `must be one of ${operators.join(', ')}` }).describe(`One of ${operators.join(', ')}.`),
      values: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of strings' }).optional().describe('Values (In/NotIn: at least one; Exists/DoesNotExist: none; Gt/Lt: one integer).'),
    })
    .superRefine((r, ctx) => {
      const n = r.values?.length ?? 0;
      if ((r.operator === 'In' || r.operator === 'NotIn') && n === 0) ctx.addIssue({ code: 'custom', path: ['values'], message: `must list at least one value with operator ${r.operator}` });
      if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && n > 0) ctx.addIssue({ code: 'custom', path: ['values'], message: `must be left out with operator ${r.operator}` });
      if ((r.operator === 'Gt' || r.operator === 'Lt') && (n !== 1 || !/^-?\d+$/.test(r.values![0]))) ctx.addIssue({ code: 'custom', path: ['values'], message: `must be exactly one integer with operator ${r.operator}` });
    });
}

const labelSelector = z
  .strictObject({
    matchLabels: labelMap.optional().describe('Labels a pod must carry.'),
    matchExpressions: z.array(requirement(['In', 'NotIn', 'Exists', 'DoesNotExist']), { error: 'must be a list of requirements' }).optional().describe('Requirements { key, operator, values }.'),
  })
  .describe('A Kubernetes label selector.');

const nodeSelectorTerm = z.strictObject({
  matchExpressions: z.array(requirement(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']), { error: 'must be a list of requirements' }).optional().describe('Requirements on node labels.'),
  matchFields: z.array(requirement(['In', 'NotIn']), { error: 'must be a list of requirements' }).optional().describe('Requirements on node fields (metadata.name).'),
});

const weight = z.number({ error: 'must be a weight of 1-100' }).int({ error: 'must be a weight of 1-100' }).min(1, { error: 'must be a weight of 1-100' }).max(100, { error: 'must be a weight of 1-100' });

const podAffinityTerm = z.strictObject({
  labelSelector: labelSelector.optional(),
  namespaceSelector: labelSelector.optional().describe('Namespaces whose pods count (an empty selector: all).'),
  namespaces: z.array(dnsSubdomain, { error: 'must be a list of namespace names' }).optional().describe('Namespaces whose pods count; the pod\'s own when neither this nor namespaceSelector is given.'),
  topologyKey: labelKey.describe('Node label that defines the domain, e.g. kubernetes.io/hostname.'),
  matchLabelKeys: z.array(labelKey, { error: 'must be a list of label keys' }).optional().describe('Pod label keys whose values join the selector.'),
  mismatchLabelKeys: z.array(labelKey, { error: 'must be a list of label keys' }).optional().describe('Pod label keys whose values must differ.'),
});

const podAffinity = z.strictObject({
  requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm, { error: 'must be a list of pod affinity terms' }).optional().describe('Terms every placement must meet.'),
  preferredDuringSchedulingIgnoredDuringExecution: z
    .array(z.strictObject({ weight: weight.describe('1-100.'), podAffinityTerm: podAffinityTerm.describe('The term.') }), { error: 'must be a list of { weight, podAffinityTerm }' })
    .optional()
    .describe('Weighted terms the scheduler prefers.'),
});

/** The Kubernetes `affinity` of a pod spec, field for field. */
export const affinitySchema = z.strictObject({
  nodeAffinity: z
    .strictObject({
      requiredDuringSchedulingIgnoredDuringExecution: z
        .strictObject({ nodeSelectorTerms: z.array(nodeSelectorTerm, { error: 'must be a list of node selector terms' }).min(1, { error: 'must list at least one term' }).describe('Terms, any of which must match.') })
        .optional()
        .describe('Nodes the pod may run on.'),
      preferredDuringSchedulingIgnoredDuringExecution: z
        .array(z.strictObject({ weight: weight.describe('1-100.'), preference: nodeSelectorTerm.describe('The term.') }), { error: 'must be a list of { weight, preference }' })
        .optional()
        .describe('Weighted node terms the scheduler prefers.'),
    })
    .optional()
    .describe('Node affinity.'),
  podAffinity: podAffinity.optional().describe('Run near pods matching the terms.'),
  podAntiAffinity: podAffinity.optional().describe('Run away from pods matching the terms.'),
});

const tolerationSchema = z
  .strictObject({
    key: labelKey.optional().describe('Taint key; left out (with operator Exists) tolerates every taint.'),
    operator: z.enum(['Equal', 'Exists'], { error: 'must be "Equal" or "Exists"' }).default('Equal').describe('Equal (key and value match) or Exists (any value).'),
    value: labelValue.optional().describe('Taint value (operator Equal).'),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], { error: 'must be one of NoSchedule, PreferNoSchedule, NoExecute' }).optional().describe('Taint effect; every effect when left out.'),
    tolerationSeconds: z.number({ error: 'must be a whole number of seconds' }).int({ error: 'must be a whole number of seconds' }).optional().describe('NoExecute only: how long the pod stays bound after the taint appears.'),
  })
  .superRefine((t, ctx) => {
    if (t.operator === 'Exists' && t.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be left out with operator Exists' });
    if (t.operator === 'Equal' && t.key === undefined) ctx.addIssue({ code: 'custom', path: ['key'], message: 'is required with operator Equal (only Exists may leave it out)' });
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') ctx.addIssue({ code: 'custom', path: ['tolerationSeconds'], message: 'needs effect NoExecute' });
  });

const topologySpreadSchema = z
  .strictObject({
    maxSkew: positiveInt.describe('Most pods one domain may have more than another.'),
    topologyKey: labelKey.describe('Node label that defines the domains, e.g. topology.kubernetes.io/zone.'),
    whenUnsatisfiable: z.enum(['DoNotSchedule', 'ScheduleAnyway'], { error: 'must be "DoNotSchedule" or "ScheduleAnyway"' }).describe('DoNotSchedule (a hard rule) or ScheduleAnyway (a preference).'),
    labelSelector: labelSelector.optional().describe("Pods that count; the component's own pods when left out."),
    minDomains: positiveInt.optional().describe('DoNotSchedule only: the fewest eligible domains.'),
    nodeAffinityPolicy: z.enum(['Honor', 'Ignore'], { error: 'must be "Honor" or "Ignore"' }).optional().describe('Whether node affinity limits the domains.'),
    nodeTaintsPolicy: z.enum(['Honor', 'Ignore'], { error: 'must be "Honor" or "Ignore"' }).optional().describe('Whether taints limit the domains.'),
    matchLabelKeys: z.array(labelKey, { error: 'must be a list of label keys' }).optional().describe('Pod label keys whose values join the selector (e.g. pod-template-hash).'),
  })
  .superRefine((c, ctx) => {
    if (c.minDomains !== undefined && c.whenUnsatisfiable !== 'DoNotSchedule') ctx.addIssue({ code: 'custom', path: ['minDomains'], message: 'needs whenUnsatisfiable DoNotSchedule' });
  });

const extraEnvSchema = z
  .strictObject({
    name: z.string({ error: 'must be a string' }).regex(ENV_NAME, { error: 'must be an environment variable name: letters, digits and "_", not starting with a digit' }).describe('Variable name.'),
    value: z.string({ error: 'must be a string (quote numbers and booleans)' }).optional().describe('A plain value (never a credential).'),
    secretKeyRef: z
      .strictObject({ name: dnsSubdomain.describe('Name of an existing Secret in the stack namespace.'), key: z.string({ error: 'must be a string' }).regex(/^[-._a-zA-Z0-9]{1,253}$/, { error: 'must be a Secret data key: letters, digits, "-", "_" or "."' }).describe('Data key inside that Secret.') })
      .optional()
      .describe('A value from a Secret. Compose and Pulumi read it under the variable\'s own name (.env, DockerStack `secrets`).'),
  })
  .superRefine((e, ctx) => {
    if ((e.value === undefined) === (e.secretKeyRef === undefined)) ctx.addIssue({ code: 'custom', message: 'must have exactly one of value or secretKeyRef' });
    else if (e.value !== undefined && SECRET_LOOKING.test(e.name)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `must not be a literal: ${e.name} looks like a credential; use secretKeyRef: { name, key } so it stays in a Secret` });
    }
  });

/** The stack's own labels and annotations: selectors, NetworkPolicies and roll-outs depend on them. */
const RESERVED_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/part-of', 'app.kubernetes.io/component', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by'];
const RESERVED_PREFIX = 'qdrant-stack/';
const RESERVED_ANNOTATIONS = ['checksum/config'];
const isReservedKey = (key: string, reserved: readonly string[]) => reserved.includes(key) || key.startsWith(RESERVED_PREFIX);

/** What a `pod` section rejects besides its shape: names the stack sets on that pod itself. */
export interface ReservedEnv {
  /** Exact names. */
  readonly names: readonly string[];
  /** Name prefixes (the stack's contract, e.g. QDRANT_). */
  readonly prefixes?: readonly string[];
}

/** The `pod` section of a component (or of the Jobs), rejecting extra env that would override `reserved`. */
export function podSchema(what: string, reserved: ReservedEnv) {
  const isReserved = (name: string) => reserved.names.includes(name) || (reserved.prefixes ?? []).some((p) => name.startsWith(p));
  return z
    .strictObject({
      nodeSelector: labelMap.default({}).describe('Node labels the pods require (nodeSelector).'),
      tolerations: z.array(tolerationSchema, { error: 'must be a list of tolerations' }).default([]).describe(`Tolerations, added to the stack's own (${what === 'Ollama' ? 'the GPU taint with gpus > 0' : 'none'}).`),
      affinity: affinitySchema.optional().describe('Kubernetes affinity: nodeAffinity, podAffinity, podAntiAffinity.'),
      topologySpread: z
        .array(topologySpreadSchema, { error: 'must be a list of topology spread constraints' })
        .default([])
        .describe(`topologySpreadConstraints, added to the stack's own${what === 'Qdrant' ? ' (distributed mode: over hostname, required, and zone, preferred)' : ''}; one with the same topologyKey replaces the stack's.`),
      labels: keyedMap(labelValue, 'label', (key) => (isReservedKey(key, RESERVED_LABELS) ? 'is set by the stack: its Services, selectors and NetworkPolicies depend on it' : undefined))
        .default({})
        .describe('Extra labels of the pods (pod template only, never the selectors); app.kubernetes.io/* and qdrant-stack/* are the stack\'s.'),
      annotations: keyedMap(z.string({ error: 'must be a string' }), 'annotation', (key) => (isReservedKey(key, RESERVED_ANNOTATIONS) ? 'is set by the stack (it rolls the pods when their config changes)' : undefined))
        .default({})
        .describe('Extra annotations of the pods (pod template only).'),
      priorityClassName: dnsSubdomain.optional().describe('PriorityClass of the pods.'),
      extraEnv: z
        .array(extraEnvSchema, { error: 'must be a list of { name, value } or { name, secretKeyRef: { name, key } }' })
        .superRefine((env, ctx) => {
          const seen = new Set<string>();
          env.forEach((e, i) => {
            if (isReserved(e.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `is set by the stack on ${what}'s containers and must not be overridden` });
            else if (seen.has(e.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'is listed twice' });
            seen.add(e.name);
          });
        })
        .default([])
        .describe('Extra environment of every container of the pods: { name, value } or { name, secretKeyRef: { name, key } } (credentials only from a Secret). Compose and Pulumi get them too.'),
    })
    .prefault({});
}

export type PodPlacement = z.output<ReturnType<typeof podSchema>>;
export type PodPlacementInput = z.input<ReturnType<typeof podSchema>>;
export type ExtraEnv = PodPlacement['extraEnv'];

/** Extra env as the local targets take it: a Secret reference becomes a secret read under the variable's own name. */
export function extraEnvironment(extraEnv: ExtraEnv): Environment {
  return Object.fromEntries(extraEnv.map((e) => [e.name, e.secretKeyRef ? secret(e.name) : value(e.value!)]));
}

/** Names a container image may hold digests for. */
export const IMAGE_KEYS = ['qdrant', 'ollama', 'redis', 'runner', 'redisExporter'] as const;

/** host[:port][/path] as Docker reads it: a host has a dot or a port (or is localhost); no scheme, no tag. */
const REGISTRY = /^(localhost|[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?((\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)+|(?=:\d)))(:\d{1,5})?(\/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*$/;
const digest = z.string({ error: 'must be a string' }).regex(/^sha256:[a-f0-9]{64}$/, { error: 'must be an image digest: "sha256:" followed by 64 lowercase hex digits' });

export const imagesSchema = z.strictObject({
  registry: z
    .string({ error: 'must be a string' })
    .regex(REGISTRY, { error: 'must be a registry host with an optional port and path, such as "mirror.example.com/dockerhub" or "registry.local:5000" (no scheme, no trailing "/")' })
    .optional()
    .describe('Registry (a mirror of Docker Hub) that prefixes every image: <registry>/qdrant/qdrant:…; official images get their full path, <registry>/library/redis:….'),
  pullSecrets: z
    .array(dnsSubdomain, { error: 'must be a list of Secret names' })
    .default([])
    .describe('Existing kubernetes.io/dockerconfigjson Secrets, imagePullSecrets of every pod. Kubernetes only: Compose and Pulumi pull with the machine\'s docker login.'),
  digests: z
    .strictObject(Object.fromEntries(IMAGE_KEYS.map((k) => [k, digest.optional().describe(`Digest of the ${k} image, rendered as <image>:<tag>@sha256:…; update it with the version.`)])) as Record<(typeof IMAGE_KEYS)[number], z.ZodOptional<typeof digest>>)
    .prefault({})
    .describe('Pinned digests by image (qdrant, ollama, redis; runner: the node image of the Jobs; redisExporter: the sidecar with alerts).'),
});

export const jobsSchema = z.strictObject({
  // The Jobs read the connection contract and their own settings under these names.
  pod: podSchema('the Jobs', {
    names: ['HOME', 'MODELS', 'KEEP', 'GENERATE_KEYS', 'NODE_EXTRA_CA_CERTS'],
    prefixes: ['QDRANT_', 'OLLAMA_', 'REDIS_', 'EMBEDDING_', 'SMOKE_', 'COLLECTIONS_'],
  }).describe('Placement and extra env of every Job and CronJob pod: secret generator, model pull, collections, smoke test, snapshots.'),
});

export type ImagesConfig = z.output<typeof imagesSchema>;
export type ImagesInput = z.input<typeof imagesSchema>;
export type JobsConfig = z.output<typeof jobsSchema>;
