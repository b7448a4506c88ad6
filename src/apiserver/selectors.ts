/**
 * Selectors within one rendered folder: what each Service, PodDisruptionBudget, NetworkPolicy and
 * ServiceMonitor actually selects among the rendered pod templates / Services, and whether each workload's
 * own selector matches its template (the API server refuses it otherwise).
 */
import {
  type Manifest,
  type Problem,
  arr,
  deepEqual,
  describe,
  get,
  groupOf,
  isEmptySelector,
  isRec,
  kindOf,
  labelMap,
  manifests,
  mapMatches,
  namespaceOf,
  podTemplate,
  sameNamespace,
  selectorMatches,
  show,
  str,
} from './objects';

export interface SelectorOptions {
  /** Pod-selector label maps of NetworkPolicy peers that are meant for pods outside the render (application
   *  clients), e.g. `{ 'qdrant-stack/client': 'true' }`: a peer whose `matchLabels` equals one is not reported. */
  readonly externalPeers?: ReadonlyArray<Readonly<Record<string, string>>>;
}

interface Pods {
  readonly owner: Manifest;
  readonly workload: string;
  readonly labels: Record<string, string>;
}

function podsOf(objects: Manifest[]): Pods[] {
  return objects.flatMap((owner) => {
    const t = podTemplate(owner);
    return t ? [{ owner, workload: describe(owner), labels: t.labels }] : [];
  });
}

function workloadsOf(pods: Pods[]): string[] {
  return [...new Set(pods.map((p) => p.workload))];
}

/** For a selector map that selects nothing: the template that comes closest, and what it lacks. */
function closest(selector: Record<string, string>, pods: Pods[]): string {
  let best: { workload: string; missing: string[] } | undefined;
  for (const p of pods) {
    const missing = Object.entries(selector)
      .filter(([k, v]) => p.labels[k] !== v)
      .map(([k, v]) => (Object.hasOwn(p.labels, k) ? `${k}=${v} (has ${p.labels[k]})` : `${k}=${v} (absent)`));
    if (!best || missing.length < best.missing.length) best = { workload: p.workload, missing };
  }
  return best ? `; closest: the pod template of ${best.workload} lacks ${best.missing.join(', ')}` : '; the folder renders no pod template';
}

/** Every selector in the folder selects what it is meant to; see the module comment. */
export function selectorProblems(objects: readonly unknown[], options: SelectorOptions = {}): Problem[] {
  const all = manifests(objects);
  const pods = podsOf(all);
  const services = all.filter((o) => groupOf(o) === '' && kindOf(o) === 'Service');
  const problems: Problem[] = [];

  for (const obj of all) {
    const object = describe(obj);
    const add = (rule: string, message: string) => problems.push({ object, rule, message });
    const kind = kindOf(obj);
    const group = groupOf(obj);
    const local = pods.filter((p) => sameNamespace(p.owner, obj));

    if (group === '' && kind === 'Service') {
      const selector = labelMap(get(obj, 'spec', 'selector'));
      // No selector (or ExternalName): endpoints are managed by hand; nothing to check.
      if (get(obj, 'spec', 'type') === 'ExternalName' || Object.keys(selector).length === 0) continue;
      const selected = local.filter((p) => mapMatches(selector, p.labels));
      const headless = get(obj, 'spec', 'clusterIP') === 'None';
      if (selected.length === 0) {
        add(
          'service-selects-nothing',
          `spec.selector ${show(selector)} matches no pod template in the folder (a Service selects a pod only by ALL its selector labels): ` +
            `it gets no endpoints${headless ? ' and, being headless, no DNS records for the pods (peers cannot resolve each other)' : ''}${closest(selector, local)}`,
        );
      } else if (workloadsOf(selected).length > 1) {
        add('service-selects-several-workloads', `spec.selector ${show(selector)} matches the pods of ${workloadsOf(selected).join(', ')}: traffic is spread across all of them`);
      }
      continue;
    }

    if (kind === 'PodDisruptionBudget') {
      const selector = get(obj, 'spec', 'selector');
      const selected = local.filter((p) => selectorMatches(selector, p.labels));
      const workloads = workloadsOf(selected);
      if (workloads.length === 0) {
        add(
          'pdb-selects-nothing',
          `spec.selector ${show(selector)} matches no pod template in the folder${isRec(selector) ? '' : ' (a missing selector selects no pods in policy/v1)'}: the budget protects nothing and drains evict freely`,
        );
      } else if (workloads.length > 1) {
        add('pdb-selects-several-workloads', `spec.selector ${show(selector)} matches the pods of ${workloads.join(', ')}: one budget counts them together, so a drain may take down every pod of one of them`);
      }
      continue;
    }

    const template = podTemplate(obj);
    if (template && kind !== 'Pod') {
      problems.push(...workloadSelectorProblems(obj, object, template.labels, template.path));
      continue;
    }

    if (group === 'networking.k8s.io' && kind === 'NetworkPolicy') {
      const podSelector = get(obj, 'spec', 'podSelector') ?? {}; // absent = {} = every pod of the namespace
      if (!isEmptySelector(podSelector) && !local.some((p) => selectorMatches(podSelector, p.labels))) {
        add('networkpolicy-selects-nothing', `spec.podSelector ${show(podSelector)} matches no pod template in the folder: the policy applies to no pod and isolates nothing`);
      }
      for (const [dir, peersKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
        arr(get(obj, 'spec', dir)).forEach((rule, i) =>
          arr(get(rule, peersKey)).forEach((peer, j) => {
            const peerSelector = get(peer, 'podSelector');
            // With a namespaceSelector the peer is in other namespaces, outside the folder.
            if (!isRec(peerSelector) || get(peer, 'namespaceSelector') !== undefined || isEmptySelector(peerSelector)) return;
            if (isExternal(peerSelector, options)) return;
            if (local.some((p) => selectorMatches(peerSelector, p.labels))) return;
            add(
              'networkpolicy-peer-selects-nothing',
              `spec.${dir}[${i}].${peersKey}[${j}].podSelector ${show(peerSelector)} matches no pod template in the folder: that ${dir} is allowed for no pod ` +
                `(if it is meant for application pods outside the render, list its labels in externalPeers)`,
            );
          }),
        );
      }
      continue;
    }

    if (group === 'monitoring.coreos.com' && kind === 'ServiceMonitor') {
      problems.push(...serviceMonitorProblems(obj, object, services));
    }
    if ((group === 'networking.k8s.io' && kind === 'Ingress') || (group === 'gateway.networking.k8s.io' && kind.endsWith('Route'))) {
      problems.push(...backendProblems(obj, object, services));
    }
  }
  return problems;
}

/** Service backends of an Ingress or a Gateway API route, with their paths (same-namespace Services only). */
function backendsOf(obj: Manifest): { path: string; name: string; port: unknown }[] {
  const out: { path: string; name: string; port: unknown }[] = [];
  const push = (path: string, name: unknown, port: unknown) => typeof name === 'string' && out.push({ path, name, port });
  if (kindOf(obj) === 'Ingress') {
    const backend = (path: string, b: unknown) => push(path, get(b, 'service', 'name'), get(b, 'service', 'port', 'number') ?? get(b, 'service', 'port', 'name'));
    backend('spec.defaultBackend', get(obj, 'spec', 'defaultBackend'));
    arr(get(obj, 'spec', 'rules')).forEach((r, i) => arr(get(r, 'http', 'paths')).forEach((p, j) => backend(`spec.rules[${i}].http.paths[${j}].backend`, get(p, 'backend'))));
    return out;
  }
  arr(get(obj, 'spec', 'rules')).forEach((r, i) =>
    arr(get(r, 'backendRefs')).forEach((b, j) => {
      const other = get(b, 'namespace') !== undefined && get(b, 'namespace') !== namespaceOf(obj);
      if ((get(b, 'kind') ?? 'Service') === 'Service' && (get(b, 'group') ?? '') === '' && !other) push(`spec.rules[${i}].backendRefs[${j}]`, get(b, 'name'), get(b, 'port'));
    }),
  );
  return out;
}

/** Each backend names a Service of the folder and one of its ports (by number or name). */
function backendProblems(obj: Manifest, object: string, services: Manifest[]): Problem[] {
  return backendsOf(obj).flatMap(({ path, name, port }): Problem[] => {
    const svc = services.find((s) => get(s, 'metadata', 'name') === name && sameNamespace(s, obj));
    if (!svc) return [{ object, rule: 'backend-service-missing', message: `${path} names Service "${name}", which the folder does not render: requests get 503 / no route` }];
    const ports = arr(get(svc, 'spec', 'ports'));
    if (port === undefined || ports.some((p) => get(p, 'port') === port || get(p, 'name') === port)) return [];
    return [{ object, rule: 'backend-port-missing', message: `${path} port ${show(port)} is no port of ${describe(svc)} (${ports.map((p) => `${str(get(p, 'name')) ?? '?'}:${show(get(p, 'port'))}`).join(', ')}): the backend is invalid` }];
  });
}

function isExternal(peerSelector: Record<string, unknown>, options: SelectorOptions): boolean {
  if (arr(peerSelector.matchExpressions).length > 0) return false;
  const matchLabels = labelMap(peerSelector.matchLabels);
  return (options.externalPeers ?? []).some((ext) => deepEqual(labelMap(ext), matchLabels));
}

/** A workload's own selector must select its template (ValidateDeploymentSpec & co.). */
function workloadSelectorProblems(obj: Manifest, object: string, labels: Record<string, string>, templatePath: string): Problem[] {
  const kind = kindOf(obj);
  const problems: Problem[] = [];
  const add = (rule: string, message: string) => problems.push({ object, rule, message });
  const specPath = kind === 'CronJob' ? 'spec.jobTemplate.spec' : 'spec';
  const spec = kind === 'CronJob' ? get(obj, 'spec', 'jobTemplate', 'spec') : get(obj, 'spec');
  const selector = get(spec, 'selector');

  if (kind === 'ReplicationController') {
    // A plain map; absent means "the template's labels".
    if (selector !== undefined && !mapMatches(selector, labels)) {
      add('workload-selector-mismatch', `${specPath}.selector ${show(selector)} does not match ${templatePath}.metadata.labels ${show(labels)}: the API server says "selector does not match template labels"`);
    }
    return problems;
  }
  if (groupOf(obj) === 'apps' && (selector === undefined || isEmptySelector(selector))) {
    add('workload-selector-required', `${specPath}.selector is ${selector === undefined ? 'missing' : 'empty'}: apps/v1 requires one ("spec.selector: Required value" / "empty selector is invalid")`);
    return problems;
  }
  if (selector === undefined) return problems;
  if ((kind === 'Job' || kind === 'CronJob') && get(spec, 'manualSelector') !== true) {
    add(
      'job-selector-not-manual',
      `${specPath}.selector is set without manualSelector: true: the API server generates a Job's selector (controller-uid) and refuses a given one ("spec.selector: Invalid value: \`selector\` not auto-generated"); drop it`,
    );
    return problems;
  }
  if (!selectorMatches(selector, labels)) {
    add(
      'workload-selector-mismatch',
      `${specPath}.selector ${show(selector)} does not match ${templatePath}.metadata.labels ${show(labels)}: the API server refuses it ("${templatePath}.metadata.labels: Invalid value: \`selector\` does not match template \`labels\`")`,
    );
  }
  return problems;
}

/** A ServiceMonitor selects Services (prometheus-operator), in its own namespace unless namespaceSelector
 *  says otherwise, and names their ports. */
function serviceMonitorProblems(obj: Manifest, object: string, services: Manifest[]): Problem[] {
  const problems: Problem[] = [];
  const add = (rule: string, message: string) => problems.push({ object, rule, message });
  const nsSelector = get(obj, 'spec', 'namespaceSelector');
  const matchNames = arr(get(nsSelector, 'matchNames')).filter((n): n is string => typeof n === 'string');
  const candidates = services.filter((svc) => {
    if (get(nsSelector, 'any') === true) return true;
    if (matchNames.length > 0) return namespaceOf(svc) === undefined || matchNames.includes(namespaceOf(svc) as string);
    return sameNamespace(svc, obj);
  });
  const selector = get(obj, 'spec', 'selector') ?? {};
  const selected = candidates.filter((svc) => selectorMatches(selector, labelMap(get(svc, 'metadata', 'labels'))));
  if (selected.length === 0) {
    add('servicemonitor-selects-nothing', `spec.selector ${show(selector)} matches the labels of no Service in the folder: Prometheus scrapes nothing for it`);
    return problems;
  }
  if (selected.length > 1) {
    add('servicemonitor-selects-several-services', `spec.selector ${show(selector)} matches ${selected.map(describe).join(', ')}: each is scraped, giving duplicate targets (and series if they share pods)`);
    return problems;
  }
  const svc = selected[0];
  const portNames = arr(get(svc, 'spec', 'ports')).map((p) => str(get(p, 'name'))).filter((n): n is string => n !== undefined);
  arr(get(obj, 'spec', 'endpoints')).forEach((endpoint, i) => {
    const port = get(endpoint, 'port');
    if (typeof port === 'string' && !portNames.includes(port)) {
      add(
        'servicemonitor-port-missing',
        `spec.endpoints[${i}].port "${port}" names no port of ${describe(svc)} (its named ports: ${portNames.length ? portNames.join(', ') : 'none'}): Prometheus finds no target for this endpoint`,
      );
    }
  });
  return problems;
}
