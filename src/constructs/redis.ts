import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { REDIS, redisConfig, redisEnvironment, redisImage, redisPing, writeAuthScript } from '../components/redis';
import { kubernetesEnv } from './env';
import { parseBytes } from '../config/quantity';
import { ComputedResources, JOB_RESOURCES, redisDefaultResources } from '../config/resources';
import { SYNC_WAVE, syncWave } from './gitops';
import { componentLabels, selectorLabels } from './labels';
import { objectName } from '../naming';
import { clusterService, commandProbe, persistentVolume, singlePodDeployment, startupTiming } from './parts';
import type { SecretKeyReference } from './qdrant';
import { finishRestrictedPod, restrictedContainerSecurity } from './restricted';
import { SecretGenerator } from './secret-generator';

/** Props of {@link Redis}. */
export interface RedisProps {
  /**
   * Base name of every object.
   * @default the construct id
   */
  readonly name?: string;
  /**
   * Name of the stack this belongs to (`app.kubernetes.io/part-of`).
   * @default the name
   */
  readonly partOf?: string;
  /**
   * Redis release (official image, Debian variant: uid 999).
   * @default REDIS.version
   */
  readonly version?: string;
  /**
   * `maxmemory`, a Kubernetes quantity.
   * @default '256Mi'
   */
  readonly maxMemory?: string;
  /**
   * `maxmemory-policy`.
   * @default 'volatile-lru' (evicts only keys with a TTL: cache entries, never queued jobs)
   */
  readonly maxMemoryPolicy?: string;
  /**
   * Append-only file on a persistent volume; without it data lives in an emptyDir.
   * @default true
   */
  readonly persistence?: boolean;
  /**
   * Size of the data volume.
   * @default '8Gi'
   */
  readonly storageSize?: string;
  /**
   * StorageClass of the data volume.
   * @default the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Password: `'generate'` fills a Secret in-cluster once; otherwise a key of an existing Secret.
   * @default 'generate'
   */
  readonly password?: 'generate' | SecretKeyReference;
  /**
   * CPU and memory requests and limits.
   * @default redisDefaultResources(maxMemory): 100m/1 CPU, memory 1.25× / 2× maxMemory
   */
  readonly resources?: ComputedResources;
}

/** Loading a large append-only file can take minutes; only then does Redis answer. */
const STARTUP_SECONDS = 300;

/** Authenticated ping: redis-cli takes the password from REDISCLI_AUTH, never from its arguments. */
const PING = ['sh', '-c', redisPing()];

/**
 * Redis on the official image: Deployment (Recreate) with a PVC on /data, config in a ConfigMap,
 * password from a Secret, authenticated probes, uid 999, Service on 6379.
 */
export class Redis extends Construct {
  /** Host name of the Redis Service, for other constructs to wire to. */
  readonly primaryHost: string;
  readonly port: number = REDIS.port;
  /** The Secret key that holds the password. */
  readonly passwordSecret: SecretKeyReference;
  readonly podSelector: Record<string, string>;
  readonly deployment: kplus.Deployment;

  constructor(scope: Construct, id: string, props: RedisProps = {}) {
    super(scope, id);
    const name = props.name ?? id;
    const version = props.version ?? REDIS.version;
    const partOf = props.partOf ?? name;
    const maxMemory = props.maxMemory ?? '256Mi';
    const maxMemoryBytes = parseBytes(maxMemory);
    if (!maxMemoryBytes) throw new Error(`'maxMemory' (${maxMemory}) must be a positive quantity such as '256Mi'`);
    const persistence = props.persistence ?? true;
    this.primaryHost = objectName('Service', name);
    this.podSelector = selectorLabels({ app: 'redis', instance: name });
    const labels = componentLabels({ app: 'redis', instance: name, component: 'cache', partOf, version });

    const password = props.password ?? 'generate';
    this.passwordSecret =
      password === 'generate' ? SecretGenerator.of(this, { namePrefix: partOf, partOf }).addKey(objectName('Secret', name, 'password'), 'password') : password;

    const config = new kplus.ConfigMap(this, 'config', {
      metadata: { name: objectName('ConfigMap', name, 'config'), labels, annotations: syncWave(SYNC_WAVE.config) },
      data: { 'redis.conf': redisConfig({ maxMemoryBytes, maxMemoryPolicy: props.maxMemoryPolicy ?? 'volatile-lru', persistence }) },
    });
    const data = persistence
      ? persistentVolume(this, 'data', 'data', { name: objectName('PersistentVolumeClaim', name, 'data'), size: props.storageSize ?? '8Gi', storageClass: props.storageClass, labels })
      : kplus.Volume.fromEmptyDir(this, 'data-volume', 'data');
    const configVolume = kplus.Volume.fromConfigMap(this, 'config-volume', config, { name: 'config' });
    const secret = kplus.Secret.fromSecretName(this, 'password-secret', this.passwordSecret.secretName);
    const secretVolume = kplus.Volume.fromSecret(this, 'secret-volume', secret, { name: 'password', items: { [this.passwordSecret.key]: { path: 'password' } } });
    const auth = kplus.Volume.fromEmptyDir(this, 'auth-volume', 'auth', { medium: kplus.EmptyDirMedium.MEMORY });
    const tmp = kplus.Volume.fromEmptyDir(this, 'tmp-volume', 'tmp');

    this.deployment = singlePodDeployment(this, 'deployment', {
      name: objectName('Deployment', name),
      labels,
      selector: this.podSelector,
      uid: REDIS.uid,
      gid: REDIS.gid,
      startupSeconds: STARTUP_SECONDS,
    });
    const security = restrictedContainerSecurity(REDIS.uid, REDIS.gid);
    this.deployment.addInitContainer({
      name: 'auth',
      image: redisImage(version),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['sh', '-c', writeAuthScript('file')],
      securityContext: security,
      volumeMounts: [
        { path: REDIS.paths.secret, volume: secretVolume, readOnly: true },
        { path: REDIS.paths.auth, volume: auth },
      ],
    });
    this.deployment.addContainer({
      name: 'redis',
      image: redisImage(version),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['redis-server', `${REDIS.paths.config}/redis.conf`],
      ports: [{ name: 'redis', number: REDIS.port }],
      envVariables: kubernetesEnv(this, redisEnvironment(), { REDIS_PASSWORD: this.passwordSecret }),
      startup: commandProbe(PING, startupTiming(STARTUP_SECONDS)),
      liveness: commandProbe(PING, { periodSeconds: 15, failureThreshold: 4, timeoutSeconds: 5 }),
      readiness: commandProbe(PING, { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 3 }),
      securityContext: security,
      volumeMounts: [
        { path: REDIS.paths.data, volume: data },
        { path: REDIS.paths.config, volume: configVolume, readOnly: true },
        { path: REDIS.paths.auth, volume: auth, readOnly: true },
        { path: REDIS.paths.tmp, volume: tmp },
      ],
    });
    finishRestrictedPod(this.deployment, '/spec/template/spec', [props.resources ?? redisDefaultResources(maxMemory)], [JOB_RESOURCES.redisAuth]);

    clusterService(this, 'service', { name: this.primaryHost, labels, selector: this.podSelector, ports: [{ name: 'redis', port: REDIS.port, appProtocol: 'redis' }] });
  }
}
