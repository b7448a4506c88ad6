import { Cron, CronOptions, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { QDRANT } from '../components/qdrant';
import { RUNNER, runnerImage } from '../components/runner';
import { JOB_RESOURCES } from '../config/resources';
import { SNAPSHOTS_SCRIPT } from '../jobs/snapshots';
import { S3_SNAPSHOTS_SCRIPT } from '../snapshots/cron-script';
import { SYNC_WAVE, syncWave } from './gitops';
import { CLIENT_LABEL, componentLabels } from './labels';
import type { SecretKeyReference } from './qdrant';
import { finishRestrictedPod, restrictedContainerSecurity, restrictedPodSecurity } from './restricted';
import { applyPodPlacement, jobImages, type JobPlacementProps } from './placement';

/** Props of {@link SnapshotSchedule}. */
export interface SnapshotScheduleProps extends JobPlacementProps {
  /** Name of the CronJob and its script ConfigMap. */
  readonly name: string;
  readonly partOf: string;
  /** Base URLs of every peer, e.g. `http://qdrant-0.qdrant-headless:6333`. */
  readonly peerUrls: string[];
  /** The admin API key (snapshots are writes). */
  readonly apiKey: SecretKeyReference;
  /** Cron schedule. */
  readonly schedule: string;
  /** Snapshots kept per collection. */
  readonly keep: number;
  /**
   * TLS Secret whose ca.crt the job trusts (NODE_EXTRA_CA_CERTS).
   * @default no TLS
   */
  readonly tlsSecretName?: string;
  /**
   * Qdrant keeps its snapshots in S3 (snapshots.target s3), where one prefix lists every peer's: retention
   * keeps this peer's newest (level collection) or, in a cluster, snapshots each shard once (level shard).
   * @default snapshots on each peer's volume
   */
  readonly s3?: { readonly level: 'collection' | 'shard' };
  /**
   * Image with `node` ≥ 18.
   * @default RUNNER.image, behind `images`
   */
  readonly image?: string;
}

/**
 * A CronJob that snapshots every collection on every peer and keeps the newest N. Runs on a stock node
 * image with the script from a ConfigMap; never two at once; failures stay visible in job history.
 */
export class SnapshotSchedule extends Construct {
  readonly cronJob: kplus.CronJob;

  constructor(scope: Construct, id: string, props: SnapshotScheduleProps) {
    super(scope, id);
    if (props.peerUrls.length === 0) throw new Error("'peerUrls' must name at least one Qdrant peer");
    const labels = { ...componentLabels({ app: 'qdrant-snapshots', instance: props.name, component: 'backup', partOf: props.partOf, version: '1' }), [CLIENT_LABEL.key]: CLIENT_LABEL.value };
    const images = jobImages(this, props);
    const script = new kplus.ConfigMap(this, 'script', {
      metadata: { name: props.name, labels, annotations: syncWave(SYNC_WAVE.config) },
      data: { 'snapshots.js': props.s3 ? S3_SNAPSHOTS_SCRIPT : SNAPSHOTS_SCRIPT },
    });
    this.cronJob = new kplus.CronJob(this, 'cronjob', {
      metadata: { name: props.name, labels },
      podMetadata: { labels },
      schedule: Cron.schedule(cronFields(props.schedule)),
      concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
      successfulJobsRetained: 3,
      failedJobsRetained: 3,
      backoffLimit: 2,
      activeDeadline: Duration.hours(2),
      startingDeadline: Duration.hours(1),
      securityContext: restrictedPodSecurity(RUNNER.uid, RUNNER.gid),
      restartPolicy: kplus.RestartPolicy.NEVER,
      automountServiceAccountToken: false,
    });
    const scripts = kplus.Volume.fromConfigMap(this, 'scripts', script, { name: 'scripts' });
    const tls = props.tlsSecretName
      ? kplus.Volume.fromSecret(this, 'tls', kplus.Secret.fromSecretName(this, 'tls-secret', props.tlsSecretName), { name: 'tls', items: { [QDRANT.tlsFiles.ca]: { path: QDRANT.tlsFiles.ca } } })
      : undefined;
    this.cronJob.addContainer({
      name: 'snapshots',
      image: props.image ?? runnerImage(images),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['node', `${RUNNER.scriptsPath}/snapshots.js`],
      envVariables: {
        QDRANT_PEERS: kplus.EnvValue.fromValue(props.peerUrls.join(',')),
        KEEP: kplus.EnvValue.fromValue(String(props.keep)),
        ...(props.s3 ? { LEVEL: kplus.EnvValue.fromValue(props.s3.level) } : {}),
        QDRANT_API_KEY: kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(this, 'api-key', props.apiKey.secretName), key: props.apiKey.key }),
        ...(tls ? { NODE_EXTRA_CA_CERTS: kplus.EnvValue.fromValue(`${QDRANT.paths.tls}/${QDRANT.tlsFiles.ca}`) } : {}),
      },
      securityContext: restrictedContainerSecurity(RUNNER.uid, RUNNER.gid),
      volumeMounts: [{ path: RUNNER.scriptsPath, volume: scripts, readOnly: true }, ...(tls ? [{ path: QDRANT.paths.tls, volume: tls, readOnly: true }] : [])],
    });
    finishRestrictedPod(this.cronJob, '/spec/jobTemplate/spec/template/spec', { snapshots: JOB_RESOURCES.snapshots });
    applyPodPlacement(this.cronJob, '/spec/jobTemplate/spec/template/spec', props.pod, { selector: { 'app.kubernetes.io/name': 'qdrant-snapshots', 'app.kubernetes.io/part-of': props.partOf } }, images.pullSecrets);
  }
}

/** `"0 3 * * *"` → kplus cron fields; macros such as `@daily` map to their five fields. */
function cronFields(schedule: string): CronOptions {
  const macros: Record<string, string> = { '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *' };
  const [minute, hour, day, month, weekDay] = (macros[schedule] ?? schedule).trim().split(/\s+/);
  return { minute, hour, day, month, weekDay };
}
