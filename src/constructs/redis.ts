import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { REDIS, redisConfig, redisEnvironment, redisImage, redisPing, writeAuthScript } from '../components/redis';
import { kubernetesEnv } from './env';
import { parseBytes } from '../config/quantity';
import type { z } from 'zod';
import { parseProps } from '../config/props';
import { JOB_RESOURCES, redisResources } from '../config/resources';
import { redisSchema, type RedisConfig } from '../config/schema';
import { namespaceOf, placeInNamespace, serviceHost } from './namespace';
import { SYNC_WAVE, syncWave } from './gitops';
import { componentLabels, selectorLabels } from './labels';
import { objectName } from '../naming';
import { clusterService, commandProbe, persistentVolume, singlePodDeployment, startupTiming, chartGivenName } from './parts';
import type { SecretKeyReference } from './qdrant';
import { finishRestrictedPod, restrictedContainerSecurity } from './restricted';
import { applyPodPlacement } from './placement';
import { imagesSchema, type ImagesInput } from '../config/placement';
import { addRedisExporter, REDIS_EXPORTER_RESOURCES } from './alerts';
import { REDIS_EXPORTER } from '../components/redis-exporter';
import { SecretGenerator } from './secret-generator';

/** The `redis` section of the stack model (without `enabled`): the same keys, defaults and rules. */
export type RedisModel = Omit<z.input<typeof redisSchema>, 'enabled'>;

/** Props of {@link Redis}: the model's `redis` section, and what places it. */
export interface RedisProps extends RedisModel {
  /**
   * Base name of every object.
   * @default a name from the chart's naming scheme (`Chart.generateObjectName`)
   */
  readonly name?: string;
  /**
   * Name of the stack this belongs to (`app.kubernetes.io/part-of`).
   * @default the name
   */
  readonly partOf?: string;
  /**
   * Namespace of its objects (and of its URL).
   * @default the chart's
   */
  readonly namespace?: string;
  /**
   * Where a generated password comes from (a stack shares one generator).
   * @default a generator of its own, beside it
   */
  readonly secretGenerator?: () => SecretGenerator;
  /** The model's `images` section: registry, pull Secrets, digests. @default Docker Hub, no pull Secrets */
  readonly images?: ImagesInput;
  /**
   * Run a Prometheus exporter (oliver006/redis_exporter) beside Redis, on the Service's port `metrics` (9121).
   * @default false
   */
  readonly exporter?: boolean;
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

  /** URL for clients, without the password: `redis://<service>.<namespace>.svc:6379`. */
  readonly url: string;
  /** The validated model section this renders. */
  readonly model: RedisConfig;

  constructor(scope: Construct, id: string, props: RedisProps = {}) {
    super(scope, id);
    const { name: givenName, partOf: givenPartOf, namespace: givenNamespace, secretGenerator, exporter, images: imagesInput, ...model } = props;
    const images = parseProps(imagesSchema, imagesInput, `${this.node.path} (Redis props: images)`);
    const r = parseProps(redisSchema, model, `${this.node.path} (Redis props)`);
    this.model = r;
    const name = givenName ?? chartGivenName(this);
    const version = r.version;
    const partOf = givenPartOf ?? name;
    const maxMemoryBytes = parseBytes(r.maxMemory)!;
    const persistence = r.persistence;
    this.primaryHost = objectName('Service', name);
    this.url = `redis://${serviceHost(this.primaryHost, namespaceOf(this, givenNamespace))}:${REDIS.port}`;
    this.podSelector = selectorLabels({ app: 'redis', instance: name });
    const labels = componentLabels({ app: 'redis', instance: name, component: 'cache', partOf, version });

    const password = r.password;
    const generator = secretGenerator ?? (() => SecretGenerator.of(this, { namePrefix: partOf, partOf }));
    this.passwordSecret = password === 'generate' ? generator().addKey(objectName('Secret', name, 'password'), 'password') : password;

    const config = new kplus.ConfigMap(this, 'config', {
      metadata: { name: objectName('ConfigMap', name, 'config'), labels, annotations: syncWave(SYNC_WAVE.config) },
      data: { 'redis.conf': redisConfig({ maxMemoryBytes, maxMemoryPolicy: r.maxMemoryPolicy, persistence }) },
    });
    const data = persistence
      ? persistentVolume(this, 'data', 'data', { name: objectName('PersistentVolumeClaim', name, 'data'), size: r.storage.size, storageClass: r.storage.storageClass, labels })
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
      image: redisImage(version, images),
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
      image: redisImage(version, images),
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
    if (exporter) addRedisExporter(this, this.deployment, this.passwordSecret, images);
    finishRestrictedPod(this.deployment, '/spec/template/spec', { redis: redisResources(r), auth: JOB_RESOURCES.redisAuth, ...(exporter ? { exporter: REDIS_EXPORTER_RESOURCES } : {}) });
    applyPodPlacement(this.deployment, '/spec/template/spec', r.pod, { selector: this.podSelector }, images.pullSecrets);

    clusterService(this, 'service', { name: this.primaryHost, labels, selector: this.podSelector, ports: [{ name: 'redis', port: REDIS.port, appProtocol: 'redis' }, ...(exporter ? [{ name: REDIS_EXPORTER.portName, port: REDIS_EXPORTER.port, appProtocol: 'http' }] : [])] });
    if (givenNamespace) placeInNamespace(this, givenNamespace);
  }
}
