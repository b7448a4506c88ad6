import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { renderCompose, renderEnvExample } from '../src/compose/render';
import { resolveConfig, resolveStack } from '../src/config/load';
import type { StackInput } from '../src/config/schema';
import { RunnerJob } from '../src/constructs/runner-job';
import { find, type Manifest, podSpecs, synthStack } from './support/stack';
import { problemsOf } from './support/problems';


const template = (o: Manifest) => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template);
const envOf = (spec: any, name: string) => [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => c.env?.find((e: any) => e.name === name));

const qdrantPod = {
  nodeSelector: { pool: 'vectors' },
  tolerations: [{ key: 'dedicated', value: 'vectors', effect: 'NoSchedule' as const }],
  affinity: {
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In' as const, values: ['amd64'] }] }] } },
  },
  topologySpread: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' as const }],
  labels: { team: 'search' },
  annotations: { 'example.com/owner': 'search' },
  priorityClassName: 'platform-high',
  extraEnv: [
    { name: 'TZ', value: 'UTC' },
    { name: 'PROXY_TOKEN', secretKeyRef: { name: 'proxy', key: 'token' } },
  ],
};

const everything: StackInput = {
  name: 'pl',
  snapshots: { enabled: true },
  qdrant: { replicas: 3, pod: qdrantPod },
  ollama: { gpus: 1, pod: { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }], labels: { team: 'ml' }, priorityClassName: 'gpu-high', extraEnv: [{ name: 'HTTPS_PROXY', value: 'http://proxy:3128' }] } },
  redis: { pod: { nodeSelector: { pool: 'cache' }, annotations: { 'example.com/owner': 'cache' }, affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'rag-api' } } } }] } } } },
  jobs: { pod: { nodeSelector: { pool: 'jobs' }, tolerations: [{ operator: 'Exists' }], labels: { team: 'platform' }, extraEnv: [{ name: 'HTTPS_PROXY', value: 'http://proxy:3128' }] } },
};

describe('pod placement (qdrant.pod, ollama.pod, redis.pod, jobs.pod)', () => {
  const objects = synthStack(everything);

  test('Qdrant: every key on the StatefulSet, the user spread replacing the stack\'s over zones, the one over hosts kept', () => {
    const sts = find(objects, 'StatefulSet', 'pl-qdrant');
    const spec = sts.spec.template.spec;
    const selector = { 'app.kubernetes.io/name': 'qdrant', 'app.kubernetes.io/instance': 'pl-qdrant' };
    expect(spec.nodeSelector).toEqual({ pool: 'vectors' });
    expect(spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'vectors', effect: 'NoSchedule' }]);
    expect(spec.affinity).toEqual(qdrantPod.affinity);
    expect(spec.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: selector } },
      // No labelSelector given: the component's own pods count.
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: selector } },
    ]);
    expect(spec.priorityClassName).toBe('platform-high');
    expect(sts.spec.template.metadata.labels).toMatchObject({ team: 'search', ...selector });
    expect(sts.spec.template.metadata.annotations['example.com/owner']).toBe('search');
    // Pod template only: the selector and the StatefulSet's own labels stay the stack's.
    expect(sts.spec.selector.matchLabels).toEqual(selector);
    expect(sts.metadata.labels!.team).toBeUndefined();
    expect(spec.containers[0].env).toEqual(expect.arrayContaining([{ name: 'TZ', value: 'UTC' }, { name: 'PROXY_TOKEN', valueFrom: { secretKeyRef: { name: 'proxy', key: 'token' } } }]));
    // The named PriorityClass replaces the stack's: none is rendered.
    expect(objects.filter((o) => o.kind === 'PriorityClass')).toEqual([]);
  });

  test("Ollama: the user's toleration beside the GPU one, its labels, PriorityClass and env", () => {
    const deployment = find(objects, 'Deployment', 'pl-ollama');
    const spec = deployment.spec.template.spec;
    expect(spec.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(spec.priorityClassName).toBe('gpu-high');
    expect(deployment.spec.template.metadata.labels.team).toBe('ml');
    expect(envOf(spec, 'HTTPS_PROXY')).toEqual([{ name: 'HTTPS_PROXY', value: 'http://proxy:3128' }]);
    expect(spec.nodeSelector).toBeUndefined();
  });

  test('Redis: nodeSelector, pod affinity and annotations; the config checksum still beside them', () => {
    const deployment = find(objects, 'Deployment', 'pl-redis');
    const spec = deployment.spec.template.spec;
    expect(spec.nodeSelector).toEqual({ pool: 'cache' });
    expect(spec.affinity).toEqual(everything.redis!.pod!.affinity);
    expect(deployment.spec.template.metadata.annotations).toEqual({ 'example.com/owner': 'cache', 'checksum/config': expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(spec.tolerations).toBeUndefined();
  });

  test("jobs.pod reaches every Job and CronJob pod, in every container, and no server's", () => {
    const jobs = objects.filter((o) => o.kind === 'Job' || o.kind === 'CronJob');
    expect(jobs.map((j) => j.metadata.name.replace(/-[0-9a-f]{8}$/, '')).sort()).toEqual(['pl-collections', 'pl-ollama-pull-models', 'pl-qdrant-snapshots', 'pl-secret-generator', 'pl-smoke']);
    for (const job of jobs) {
      const t = template(job);
      expect([job.metadata.name, t.spec.nodeSelector, t.spec.tolerations, t.metadata.labels.team]).toEqual([job.metadata.name, { pool: 'jobs' }, [{ operator: 'Exists' }], 'platform']);
      for (const env of envOf(t.spec, 'HTTPS_PROXY')) expect(env).toEqual({ name: 'HTTPS_PROXY', value: 'http://proxy:3128' });
    }
    // The Jobs' labels never reach the servers.
    for (const { owner, spec } of podSpecs(objects).filter((p) => p.owner.kind === 'Deployment' || p.owner.kind === 'StatefulSet')) {
      expect([owner.metadata.name, spec.nodeSelector?.pool]).not.toEqual([owner.metadata.name, 'jobs']);
    }
  });

  test('a Secret reference in extraEnv counts in the config checksum (pods roll when it changes)', () => {
    const before = find(synthStack({ ...everything, qdrant: { ...everything.qdrant, pod: { ...qdrantPod, extraEnv: [] } } }), 'StatefulSet', 'pl-qdrant');
    const after = find(objects, 'StatefulSet', 'pl-qdrant');
    expect(after.spec.template.metadata.annotations['checksum/config']).not.toBe(before.spec.template.metadata.annotations['checksum/config']);
  });

  test('without a pod section nothing changes: a single Qdrant has no spread, no tolerations, no PriorityClass', () => {
    const spec = find(synthStack({ name: 'pl' }), 'Deployment', 'pl-qdrant').spec.template.spec;
    expect([spec.nodeSelector, spec.tolerations, spec.affinity, spec.topologySpreadConstraints, spec.priorityClassName, spec.imagePullSecrets]).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('qdrant.priorityClassName, kept beside qdrant.pod.priorityClassName', () => {
  const priorityOf = (input: StackInput) => find(synthStack(input), 'StatefulSet', 'pl-qdrant').spec.template.spec.priorityClassName;

  test('the old key still works, and profile prod still renders its own PriorityClass when neither is set', () => {
    expect(priorityOf({ name: 'pl', qdrant: { replicas: 3, priorityClassName: 'legacy-high' } })).toBe('legacy-high');
    expect(priorityOf({ name: 'pl', profile: 'prod' })).toBe('pl-critical');
    expect(priorityOf({ name: 'pl', profile: 'prod', qdrant: { pod: { priorityClassName: 'new-high' } } })).toBe('new-high');
  });

  test('both, naming different classes, is an error', () => {
    expect(problemsOf({ qdrant: { priorityClassName: 'a', pod: { priorityClassName: 'b' } } })).toEqual(['qdrant.priorityClassName: contradicts qdrant.pod.priorityClassName (b): set only one']);
  });
});

describe('pod validation', () => {
  test('a credential-looking name with a plain value: use secretKeyRef', () => {
    expect(problemsOf({ redis: { pod: { extraEnv: [{ name: 'S3_SECRET', value: 'hunter2' }] } }, jobs: { pod: { extraEnv: [{ name: 'hf_token', value: 'x' }, { name: 'AWS_ACCESS_KEY', value: 'x' }] } } })).toEqual([
      'redis.pod.extraEnv[0].value: must not be a literal: S3_SECRET looks like a credential; use secretKeyRef: { name, key } so it stays in a Secret',
      'jobs.pod.extraEnv[0].value: must not be a literal: hf_token looks like a credential; use secretKeyRef: { name, key } so it stays in a Secret',
      'jobs.pod.extraEnv[1].value: must not be a literal: AWS_ACCESS_KEY looks like a credential; use secretKeyRef: { name, key } so it stays in a Secret',
    ]);
  });

  test("the stack's own env, bad names, both or neither source, duplicates", () => {
    const problems = problemsOf({
      qdrant: { pod: { extraEnv: [{ name: 'QDRANT__SERVICE__API_KEY', secretKeyRef: { name: 'k', key: 'k' } }, { name: '1X', value: 'a' }, { name: 'A', value: 'a', secretKeyRef: { name: 'k', key: 'k' } }, { name: 'B' }, { name: 'TZ', value: 'UTC' }, { name: 'TZ', value: 'UTC' }] } },
      ollama: { pod: { extraEnv: [{ name: 'OLLAMA_HOST', value: '0.0.0.0' }] } },
      jobs: { pod: { extraEnv: [{ name: 'QDRANT_URL', value: 'http://elsewhere' }] } },
    });
    expect(problems).toEqual([
      'qdrant.pod.extraEnv[1].name: must be an environment variable name: letters, digits and "_", not starting with a digit (got "1X")',
      'qdrant.pod.extraEnv[2]: must have exactly one of value or secretKeyRef',
      'qdrant.pod.extraEnv[3]: must have exactly one of value or secretKeyRef',
      "qdrant.pod.extraEnv[0].name: is set by the stack on Qdrant's containers and must not be overridden",
      'qdrant.pod.extraEnv[5].name: is listed twice',
      "ollama.pod.extraEnv[0].name: is set by the stack on Ollama's containers and must not be overridden",
      "jobs.pod.extraEnv[0].name: is set by the stack on the Jobs's containers and must not be overridden",
    ]);
  });

  test('selector and stack labels, the checksum annotation', () => {
    expect(problemsOf({ qdrant: { pod: { labels: { 'app.kubernetes.io/name': 'x', 'app.kubernetes.io/instance': 'x', 'qdrant-stack/client': 'true', 'bad key!': 'x' }, annotations: { 'checksum/config': 'x' } } } })).toEqual([
      'qdrant.pod.labels["app.kubernetes.io/name"]: is set by the stack: its Services, selectors and NetworkPolicies depend on it',
      'qdrant.pod.labels["app.kubernetes.io/instance"]: is set by the stack: its Services, selectors and NetworkPolicies depend on it',
      'qdrant.pod.labels["qdrant-stack/client"]: is set by the stack: its Services, selectors and NetworkPolicies depend on it',
      'qdrant.pod.labels["bad key!"]: must be a label key such as "disktype" or "example.com/team" (a name of at most 63 letters, digits, "-", "_" or ".", with an optional DNS prefix and "/")',
      'qdrant.pod.annotations["checksum/config"]: is set by the stack (it rolls the pods when their config changes)',
    ]);
  });

  test('tolerations and spread constraints: enums and the rules between their fields', () => {
    expect(
      problemsOf({
        ollama: { pod: { tolerations: [{ key: 'gpu', operator: 'Exist' }, { key: 'gpu', operator: 'Exists', value: 'x' }, { value: 'x' }, { key: 'gpu', effect: 'NoSchedul' }, { key: 'a', value: 'b', tolerationSeconds: 30 }] } },
        redis: { pod: { topologySpread: [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'Never' }, { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', minDomains: 2 }] } },
      }),
    ).toEqual([
      'ollama.pod.tolerations[0].operator: must be "Equal" or "Exists" (got "Exist")',
      'ollama.pod.tolerations[1].value: must be left out with operator Exists',
      'ollama.pod.tolerations[2].key: is required with operator Equal (only Exists may leave it out)',
      'ollama.pod.tolerations[3].effect: must be one of NoSchedule, PreferNoSchedule, NoExecute (got "NoSchedul")',
      'ollama.pod.tolerations[4].tolerationSeconds: needs effect NoExecute',
      'redis.pod.topologySpread[0].maxSkew: must be a positive integer (got 0)',
      'redis.pod.topologySpread[0].whenUnsatisfiable: must be "DoNotSchedule" or "ScheduleAnyway" (got "Never")',
      'redis.pod.topologySpread[1].minDomains: needs whenUnsatisfiable DoNotSchedule',
    ]);
  });

  test('affinity has the Kubernetes shape: a typo deep inside is named, with what was meant', () => {
    const problems = problemsOf({
      qdrant: {
        pod: {
          affinity: {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpression: [] }, { matchExpressions: [{ key: 'zone', operator: 'In' }, { key: 'cpu', operator: 'Gt', values: ['many'] }] }] } },
            podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 101, podAffinityTerm: { labelSelector: { matchLabels: { app: 'x' } } } }] },
          },
        },
      },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^qdrant\.pod\.affinity\.nodeAffinity\.requiredDuringSchedulingIgnoredDuringExecution\.nodeSelectorTerms\[0\]\.matchExpression: unknown key .*did you mean "matchExpressions"\?/),
      'qdrant.pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1].matchExpressions[0].values: must list at least one value with operator In',
      'qdrant.pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1].matchExpressions[1].values: must be exactly one integer with operator Gt',
      'qdrant.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: must be a weight of 1-100 (got 101)',
      expect.stringMatching(/^qdrant\.pod\.affinity\.podAntiAffinity\.preferredDuringSchedulingIgnoredDuringExecution\[0\]\.podAffinityTerm\.topologyKey: /),
    ]);
  });

  test('an unknown pod key is rejected with a suggestion', () => {
    expect(problemsOf({ redis: { pod: { nodeSelectors: {} } } })).toEqual([expect.stringMatching(/^redis\.pod\.nodeSelectors: unknown key .*did you mean "nodeSelector"\?/)]);
  });
});

describe('profiles and environments merge into pod', () => {
  test("an environment's pod keys merge with the file's, lists replaced", () => {
    const { environments } = resolveStack({
      name: 'pl',
      profile: 'prod',
      qdrant: { pod: { nodeSelector: { pool: 'vectors' }, tolerations: [{ key: 'a', operator: 'Exists' }] } },
      environments: { staging: { profile: 'dev', qdrant: { pod: { nodeSelector: { tier: 'staging' }, tolerations: [{ key: 'b', operator: 'Exists' }] } } } },
    });
    const pod = environments.get('staging')!.qdrant.pod;
    expect(pod.nodeSelector).toEqual({ pool: 'vectors', tier: 'staging' });
    expect(pod.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
  });
});

describe('extra env on the local targets', () => {
  const config = resolveConfig(everything);
  const compose = parse(renderCompose(config));

  test('values as values, Secret references as secrets from the env file under their own name', () => {
    expect(compose.services.qdrant.environment).toMatchObject({ TZ: 'UTC', PROXY_TOKEN: '${PROXY_TOKEN:?copy .env.example to .env and set it}' });
    expect(compose.services.ollama.environment.HTTPS_PROXY).toBe('http://proxy:3128');
    // The Jobs' counterparts (one-shots) get jobs.pod's env.
    expect(compose.services['ollama-pull'].environment.HTTPS_PROXY).toBe('http://proxy:3128');
    expect(compose.services.collections.environment.HTTPS_PROXY).toBe('http://proxy:3128');
    expect(compose.services.redis.environment.HTTPS_PROXY).toBeUndefined();
    expect(renderEnvExample(config).split('\n')).toContain('PROXY_TOKEN=');
  });
});

describe('applyPodPlacement on its own', () => {
  test("refuses extra env that would override a container's own variable", () => {
    const chart = Testing.chart();
    expect(
      () =>
        new RunnerJob(chart, 'job', {
          name: 'j', partOf: 'p', app: 'runner', component: 'c', bundle: 'smoke-runner', entry: 'runnerMain', files: {}, env: { MODE: 'x' }, secretEnv: {},
          connectionConfigMap: 'conn', annotations: {}, activeDeadline: { toSeconds: () => 60 } as any, backoffLimit: 1,
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
          pod: { extraEnv: [{ name: 'MODE', value: 'y' }] },
        }),
    ).toThrow(/extraEnv MODE would override the stack's own MODE in container 'runner'/);
  });
});
