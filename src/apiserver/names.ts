/**
 * Names, labels and annotations as the API server validates them (apimachinery `validation.IsDNS1123Label`,
 * `IsDNS1123Subdomain`, `IsDNS1035Label`, `IsQualifiedName`, `IsValidLabelValue`, `ValidateAnnotations`),
 * plus the kind-specific name limits that come from names being reused in labels or child names.
 */
import {
  type Manifest,
  type Problem,
  arr,
  describe,
  get,
  groupOf,
  isRec,
  kindOf,
  manifests,
  podTemplate,
  str,
} from './objects';
import { DNS_1123_LABEL, DNS_1123_SUBDOMAIN } from '../config/kubernetes-syntax';

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Bytes of all annotation keys + values of one object (`ValidateAnnotations`, TotalAnnotationSizeLimitB). */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

interface NameRule {
  readonly format: 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label' | 'path-segment';
  readonly max: number;
  /** Why the limit is lower than the format's own, and what fails. */
  readonly why?: string;
}

function nameRule(obj: Manifest): NameRule {
  const group = groupOf(obj);
  const kind = kindOf(obj);
  if (group === '' && kind === 'Service') return { format: 'dns1035-label', max: 63 };
  if (group === '' && kind === 'Namespace') return { format: 'dns1123-label', max: 63 };
  if (group === 'batch' && kind === 'CronJob') {
    // ValidateCronJob: the controller names its Jobs `<name>-<scheduled time>`, up to 11 more characters.
    return { format: 'dns1123-subdomain', max: 52, why: 'the API server refuses it ("metadata.name: Invalid value: must be no more than 52 characters"): the CronJob controller appends an 11-character suffix to name its Jobs' };
  }
  if (group === 'batch' && kind === 'Job') {
    return { format: 'dns1123-subdomain', max: 63, why: 'the API server adds the labels `job-name` and `batch.kubernetes.io/job-name: <name>` to the pod template and refuses the Job ("spec.template.labels: Invalid value: must be no more than 63 characters")' };
  }
  if (group === 'apps' && kind === 'StatefulSet') {
    return { format: 'dns1123-subdomain', max: 52, why: 'the API server accepts it, but every pod gets the label `controller-revision-hash: <name>-<up to 10-character hash>` which must fit 63, so the controller cannot create pods (FailedCreate: "metadata.labels: Invalid value: must be no more than 63 characters")' };
  }
  // ValidateRBACName: RBAC objects only need a valid path segment.
  if (group === 'rbac.authorization.k8s.io') return { format: 'path-segment', max: Infinity };
  return { format: 'dns1123-subdomain', max: 253 };
}

function formatErrors(name: string, format: NameRule['format']): string | undefined {
  switch (format) {
    case 'dns1035-label':
      return DNS1035_LABEL.test(name) ? undefined : "a DNS-1035 label: lower-case alphanumerics and '-', starting with a letter and ending with an alphanumeric (regex [a-z]([-a-z0-9]*[a-z0-9])?)";
    case 'dns1123-label':
      return DNS_1123_LABEL.test(name) ? undefined : "a DNS-1123 label: lower-case alphanumerics and '-', starting and ending with an alphanumeric (regex [a-z0-9]([-a-z0-9]*[a-z0-9])?)";
    case 'dns1123-subdomain':
      return DNS_1123_SUBDOMAIN.test(name) ? undefined : "a DNS-1123 subdomain: lower-case alphanumerics, '-' and '.', starting and ending with an alphanumeric";
    case 'path-segment':
      return name === '.' || name === '..' || name.includes('/') || name.includes('%') ? 'a path segment: not "." or "..", no "/" or "%"' : undefined;
  }
}

/** Problems of a label (or annotation) key: `[prefix/]name`, prefix a DNS-1123 subdomain ≤ 253, name ≤ 63. */
export function qualifiedNameErrors(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) return ['must be a qualified name: an optional DNS subdomain prefix and "/", then a name'];
  const errors: string[] = [];
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix.length === 0) errors.push('prefix part must be non-empty');
    else if (prefix.length > 253) errors.push(`prefix part must be no more than 253 characters (has ${prefix.length})`);
    else if (!DNS_1123_SUBDOMAIN.test(prefix)) errors.push('prefix part must be a lower-case DNS-1123 subdomain');
  }
  if (name.length === 0) errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push(`name part must be no more than 63 characters (has ${name.length})`);
  if (name.length > 0 && !QUALIFIED_NAME_PART.test(name)) {
    errors.push("name part must consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric");
  }
  return errors;
}

/** Problems of a label value: ≤ 63, empty or `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, and a string. */
export function labelValueErrors(value: unknown): string[] {
  if (typeof value !== 'string') {
    return [`must be a string, not ${value === null ? 'null' : typeof value} (quote it in YAML; the API server fails to decode the object)`];
  }
  const errors: string[] = [];
  if (value.length > 63) errors.push(`must be no more than 63 characters (has ${value.length})`);
  if (value.length > 0 && !QUALIFIED_NAME_PART.test(value)) {
    errors.push("must be empty or consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric");
  }
  return errors;
}

/** Where label maps and selectors live in one object, with their paths. */
function labelPlaces(obj: Manifest): { maps: [string, unknown][]; selectors: [string, unknown][] } {
  const maps: [string, unknown][] = [['metadata.labels', get(obj, 'metadata', 'labels')]];
  const selectors: [string, unknown][] = [];
  const kind = kindOf(obj);
  const template = podTemplate(obj);
  if (template && template.path) maps.push([`${template.path}.metadata.labels`, get(template.template, 'metadata', 'labels')]);
  if (kind === 'CronJob') {
    maps.push(['spec.jobTemplate.metadata.labels', get(obj, 'spec', 'jobTemplate', 'metadata', 'labels')]);
    selectors.push(['spec.jobTemplate.spec.selector', get(obj, 'spec', 'jobTemplate', 'spec', 'selector')]);
  } else if (kind === 'Service' || kind === 'ReplicationController') {
    maps.push(['spec.selector', get(obj, 'spec', 'selector')]);
  } else if ((template && kind !== 'Pod') || kind === 'PodDisruptionBudget') {
    selectors.push(['spec.selector', get(obj, 'spec', 'selector')]);
  } else if (kind === 'NetworkPolicy') {
    selectors.push(['spec.podSelector', get(obj, 'spec', 'podSelector')]);
    for (const [dir, peersKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
      arr(get(obj, 'spec', dir)).forEach((rule, i) =>
        arr(get(rule, peersKey)).forEach((peer, j) => {
          selectors.push([`spec.${dir}[${i}].${peersKey}[${j}].podSelector`, get(peer, 'podSelector')]);
          selectors.push([`spec.${dir}[${i}].${peersKey}[${j}].namespaceSelector`, get(peer, 'namespaceSelector')]);
        }),
      );
    }
  }
  return { maps, selectors };
}

/** Names, label keys and values (metadata, pod templates, selectors) and annotations of every object. */
export function nameProblems(objects: readonly unknown[]): Problem[] {
  const problems: Problem[] = [];
  for (const obj of manifests(objects)) {
    if (groupOf(obj) === 'kustomize.config.k8s.io') continue; // kustomize's own file, never sent to a cluster
    const object = describe(obj);
    const add = (rule: string, message: string) => problems.push({ object, rule, message });

    const name = str(get(obj, 'metadata', 'name'));
    if (name === undefined || name === '') {
      if (!str(get(obj, 'metadata', 'generateName'))) add('name-required', 'metadata.name: Required value: name or generateName is required');
    } else {
      const rule = nameRule(obj);
      const format = formatErrors(name, rule.format);
      if (format) add('name-format', `metadata.name "${name}" is invalid: must be ${format}`);
      const formatMax = rule.format === 'dns1123-subdomain' ? 253 : rule.format === 'path-segment' ? Infinity : 63;
      if (name.length > Math.min(rule.max, formatMax)) {
        const limit = Math.min(rule.max, formatMax);
        add('name-too-long', `metadata.name "${name}" has ${name.length} characters, limit ${limit} for a ${kindOf(obj)}: ${rule.why ?? `"metadata.name: Invalid value: must be no more than ${limit} characters"`}`);
      }
    }

    const { maps, selectors } = labelPlaces(obj);
    const checkMap = (path: string, map: unknown) => {
      if (!isRec(map)) return;
      for (const [key, value] of Object.entries(map)) {
        for (const e of qualifiedNameErrors(key)) add('label-key', `${path}: key "${key}" is invalid: ${e}`);
        for (const e of labelValueErrors(value)) add('label-value', `${path}["${key}"]: value ${JSON.stringify(value)} is invalid: ${e}`);
      }
    };
    for (const [path, map] of maps) checkMap(path, map);
    for (const [path, selector] of selectors) {
      if (!isRec(selector)) continue;
      checkMap(`${path}.matchLabels`, selector.matchLabels);
      arr(selector.matchExpressions).forEach((expr, i) => {
        const at = `${path}.matchExpressions[${i}]`;
        const key = str(get(expr, 'key')) ?? '';
        for (const e of qualifiedNameErrors(key)) add('label-key', `${at}.key "${key}" is invalid: ${e}`);
        const op = get(expr, 'operator');
        const values = arr(get(expr, 'values'));
        if (op === 'In' || op === 'NotIn') {
          if (values.length === 0) add('selector-operator', `${at}.values: Required value: must be specified when operator is ${op}`);
          values.forEach((v) => labelValueErrors(v).forEach((e) => add('label-value', `${at}.values: ${JSON.stringify(v)} is invalid: ${e}`)));
        } else if (op === 'Exists' || op === 'DoesNotExist') {
          if (values.length > 0) add('selector-operator', `${at}.values: Forbidden: may not be specified when operator is ${op}`);
        } else {
          add('selector-operator', `${at}.operator: Invalid value: ${JSON.stringify(op)}: not a valid selector operator (In, NotIn, Exists, DoesNotExist)`);
        }
      });
    }

    const annotationPlaces: [string, unknown][] = [['metadata.annotations', get(obj, 'metadata', 'annotations')]];
    const template = podTemplate(obj);
    if (template && template.path) annotationPlaces.push([`${template.path}.metadata.annotations`, get(template.template, 'metadata', 'annotations')]);
    for (const [path, annotations] of annotationPlaces) {
      if (!isRec(annotations)) continue;
      let bytes = 0;
      for (const [key, value] of Object.entries(annotations)) {
        // ValidateAnnotations checks the lower-cased key as a qualified name.
        for (const e of qualifiedNameErrors(key.toLowerCase())) add('annotation-key', `${path}: key "${key}" is invalid: ${e}`);
        if (typeof value !== 'string') add('annotation-value', `${path}["${key}"]: value must be a string, not ${value === null ? 'null' : typeof value} (quote it in YAML)`);
        bytes += Buffer.byteLength(key) + Buffer.byteLength(typeof value === 'string' ? value : String(value));
      }
      if (bytes > ANNOTATIONS_MAX_BYTES) {
        add('annotations-too-long', `${path} hold ${bytes} bytes (keys + values), limit ${ANNOTATIONS_MAX_BYTES}: the API server says "${path}: Too long: must have at most ${ANNOTATIONS_MAX_BYTES} bytes"`);
      }
    }
  }
  return problems;
}
