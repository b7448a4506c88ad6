/**
 * The stack as local containers: one description that the Compose and Pulumi renderers both turn into
 * their own format. Images, users, environment, ports and paths come from the component facts, the same
 * ones the Kubernetes constructs read.
 */
import { Environment, secret, value } from '../components/env';
import { OLLAMA, OLLAMA_PULL_SCRIPT, ollamaEnvironment, ollamaImage, ollamaPullEnvironment } from '../components/ollama';
import { QDRANT, qdrantEnvironment, qdrantImage } from '../components/qdrant';
import { REDIS, redisConfig, redisEnvironment, redisImage, redisPing, writeAuthScript } from '../components/redis';
import { COLLECTIONS_RUNNER, RUNNER } from '../components/runner';
import type { DeclaredCollections } from '../collections/job';
import { type CollectionConfig, managesCollections } from '../config/collection';
import { ollamaModels } from '../config/embedding';
import { parseBytes } from '../config/quantity';
import { ComputedResources, JOB_RESOURCES, ollamaResources, qdrantResources, redisResources } from '../config/resources';
import type { StackConfig } from '../config/schema';
import { bootstrap, readBundle } from '../jobs/bundles';

export interface LocalPort {
  readonly name: string;
  readonly container: number;
  /** Published on 127.0.0.1 only: a laptop's stack is not a LAN service. */
  readonly host: number;
}

export interface LocalHealthcheck {
  /** Compose-style test: `['CMD', ...]` or `['CMD-SHELL', '...']`. */
  readonly test: string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  /** Failures during this time do not count (slow start: Qdrant loads every collection first). */
  readonly startPeriodSeconds: number;
}

export interface LocalService {
  readonly name: string;
  readonly image: string;
  /** `uid:gid` — the same non-root users as on Kubernetes. */
  readonly user: string;
  readonly entrypoint?: string[];
  readonly command?: string[];
  readonly environment: Environment;
  readonly ports: LocalPort[];
  /** Named volumes: `name` is the volume, `path` the mount point. */
  readonly volumes: { name: string; path: string }[];
  /** Writable in-memory folders under the read-only root. */
  readonly tmpfs: string[];
  /** Files written into the container (config without secrets). */
  readonly files: { name: string; path: string; content: string }[];
  readonly healthcheck?: LocalHealthcheck;
  readonly dependsOn: { service: string; condition: 'service_healthy' | 'service_completed_successfully' }[];
  /** `no` for one-shot services. */
  readonly restart: 'unless-stopped' | 'no';
  readonly resources?: ComputedResources;
  /** The only capabilities kept (all others are dropped). */
  readonly capAdd?: string[];
  /** A local-only helper with no Kubernetes counterpart (there, fsGroup does its job). */
  readonly localOnly?: boolean;
}

export interface LocalStack {
  readonly name: string;
  readonly services: LocalService[];
  /** Named volumes, in order. */
  readonly volumes: string[];
}

/** A GET over bash's /dev/tcp (the Qdrant image has bash but no curl or wget); passes on HTTP 200. */
export function devTcpHttpCheck(port: number, path: string): string {
  return (
    `exec 3<>/dev/tcp/127.0.0.1/${port} && ` +
    `printf 'GET ${path} HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && ` +
    `head -n 1 <&3 | grep -q ' 200 '`
  );
}

/** Locally Qdrant is one node: a shard has one copy, whatever a cluster's model asks of copies and acknowledgements. */
function singleNode(c: CollectionConfig): CollectionConfig {
  const { replicationFactor: _copies, writeConsistencyFactor: _acks, ...rest } = c;
  return rest;
}

/**
 * Collections as code locally: a one-shot that runs the Kubernetes Job's reconciler once Qdrant is healthy,
 * on the stock node image. Its root is read-only, which leaves no way to mount a file into it (Compose
 * refuses a `configs` file with inline content in a read-only service, Docker an upload into a read-only
 * root), so the bundle (base64) and the declared collections travel inside the `node -e` program, which
 * writes them into the tmpfs.
 */
function collectionsService(config: StackConfig, qdrant: LocalService): LocalService {
  const { bundle, entry, file } = COLLECTIONS_RUNNER;
  const tmp = '/tmp';
  const declared: DeclaredCollections = { peers: 1, collections: config.qdrant.collections.map(singleNode) };
  const program = bootstrap({ base64: readBundle(bundle).toString('base64') }, `${tmp}/${bundle}.js`, entry, {
    files: { [`${tmp}/${file}`]: JSON.stringify(declared) },
  });
  return {
    name: 'collections',
    image: RUNNER.image,
    user: `${RUNNER.uid}:${RUNNER.gid}`,
    entrypoint: ['node', '-e', program],
    environment: {
      QDRANT_URL: value(`http://${qdrant.name}:${QDRANT.ports.http}`),
      // The admin key: the reconciler creates and updates collections.
      QDRANT_API_KEY: secret('QDRANT_API_KEY'),
      [COLLECTIONS_RUNNER.env.file]: value(`${tmp}/${file}`),
      [COLLECTIONS_RUNNER.env.deadline]: value(String(config.smoke.deadlineSeconds)),
    },
    ports: [],
    volumes: [],
    tmpfs: [tmp],
    files: [],
    dependsOn: [{ service: qdrant.name, condition: 'service_healthy' }],
    restart: 'no',
    resources: JOB_RESOURCES.collections,
  };
}

/** Shell that writes `content` to `path` (a quoted heredoc: nothing in it is expanded). */
export function writeFileScript(path: string, content: string): string {
  const end = 'QDRANT_STACK_EOF';
  if (content.includes(end)) throw new Error(`${path}: content must not contain ${end}`);
  return `cat > '${path}' <<'${end}'\n${content.endsWith('\n') ? content : `${content}\n`}${end}`;
}

/** The local containers of a stack, in start order. */
export function localStack(config: StackConfig): LocalStack {
  const services: LocalService[] = [];
  const q = config.qdrant;
  const qdrant: LocalService = {
    name: 'qdrant',
    image: qdrantImage(q.version),
    user: `${QDRANT.uid}:${QDRANT.gid}`,
    // Locally a single node without TLS; the read-only key as configured.
    environment: qdrantEnvironment({ readOnlyKey: q.readOnlyApiKey !== 'none', tls: false, cluster: false }),
    ports: [
      { name: 'http', container: QDRANT.ports.http, host: QDRANT.ports.http },
      { name: 'grpc', container: QDRANT.ports.grpc, host: QDRANT.ports.grpc },
    ],
    volumes: [
      { name: 'qdrant-storage', path: QDRANT.paths.storage },
      { name: 'qdrant-snapshots', path: QDRANT.paths.snapshots },
    ],
    tmpfs: [QDRANT.paths.tmp],
    files: [],
    healthcheck: { test: ['CMD', 'bash', '-c', devTcpHttpCheck(QDRANT.ports.http, QDRANT.probes.readiness)], intervalSeconds: 10, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 600 },
    dependsOn: [],
    restart: 'unless-stopped',
    resources: qdrantResources(q),
  };
  services.push(qdrant);
  if (managesCollections(config)) services.push(collectionsService(config, qdrant));

  const o = config.ollama;
  if (o.enabled) {
    // Docker creates a named volume for a path the image lacks as root:root; the Ollama image has neither
    // /models nor /home/ollama, so a one-shot chown hands them to the non-root user first.
    services.push({
      name: 'ollama-volumes',
      image: ollamaImage(o.version),
      user: '0:0',
      entrypoint: ['chown', '-R', `${OLLAMA.uid}:${OLLAMA.gid}`, OLLAMA.paths.models, OLLAMA.paths.home],
      environment: {},
      ports: [],
      volumes: [
        { name: 'ollama-models', path: OLLAMA.paths.models },
        { name: 'ollama-home', path: OLLAMA.paths.home },
      ],
      tmpfs: [],
      files: [],
      dependsOn: [],
      restart: 'no',
      capAdd: ['CHOWN'],
      localOnly: true,
    });
    services.push({
      name: 'ollama',
      image: ollamaImage(o.version),
      user: `${OLLAMA.uid}:${OLLAMA.gid}`,
      environment: ollamaEnvironment({ keepAlive: o.keepAlive, numParallel: o.numParallel }),
      ports: [{ name: 'http', container: OLLAMA.port, host: OLLAMA.port }],
      volumes: [
        { name: 'ollama-models', path: OLLAMA.paths.models },
        { name: 'ollama-home', path: OLLAMA.paths.home },
      ],
      tmpfs: [OLLAMA.paths.tmp],
      files: [],
      // `ollama list` is the CLI talking to its own server: no curl needed.
      healthcheck: { test: ['CMD', 'ollama', 'list'], intervalSeconds: 10, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 60 },
      dependsOn: [{ service: 'ollama-volumes', condition: 'service_completed_successfully' }],
      restart: 'unless-stopped',
      resources: ollamaResources(o),
    });
    if (o.pullModels) {
      services.push({
        name: 'ollama-pull',
        image: ollamaImage(o.version),
        user: `${OLLAMA.uid}:${OLLAMA.gid}`,
        entrypoint: ['/bin/sh', '-c', OLLAMA_PULL_SCRIPT],
        environment: ollamaPullEnvironment(`http://ollama:${OLLAMA.port}`, ollamaModels(config)),
        ports: [],
        volumes: [],
        tmpfs: [OLLAMA.paths.home],
        files: [],
        dependsOn: [{ service: 'ollama', condition: 'service_healthy' }],
        restart: 'no',
      });
    }
  }

  const r = config.redis;
  if (r.enabled) {
    services.push({
      name: 'redis',
      image: redisImage(r.version),
      user: `${REDIS.uid}:${REDIS.gid}`,
      // The Kubernetes init container's job, done in the same container before Redis starts; and the config
      // written into a tmpfs: a read-only service can have no file mounted in (Compose refuses inline configs
      // there — docker/compose#12031 — and Docker an upload into a read-only root).
      entrypoint: ['/bin/sh', '-c', `${writeAuthScript('env')}\n${writeFileScript(`${REDIS.paths.config}/redis.conf`, redisConfig({ maxMemoryBytes: parseBytes(r.maxMemory)!, maxMemoryPolicy: r.maxMemoryPolicy, persistence: r.persistence }))}\nexec redis-server ${REDIS.paths.config}/redis.conf`],
      environment: redisEnvironment(),
      ports: [{ name: 'redis', container: REDIS.port, host: REDIS.port }],
      volumes: [{ name: 'redis-data', path: REDIS.paths.data }],
      tmpfs: [REDIS.paths.auth, REDIS.paths.config, REDIS.paths.tmp],
      files: [],
      healthcheck: { test: ['CMD-SHELL', redisPing()], intervalSeconds: 10, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 300 },
      dependsOn: [],
      restart: 'unless-stopped',
      resources: redisResources(r),
    });
  }

  const volumes = [...new Set(services.flatMap((s) => s.volumes.map((v) => v.name)))];
  return { name: config.name, services, volumes };
}
