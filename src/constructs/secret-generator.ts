import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { RUNNER, runnerImage } from '../components/runner';
import { GENERATE_SECRETS_SCRIPT } from '../jobs/generate-secrets';
import { componentLabels } from './labels';
import { objectName } from '../naming';
import { rerunOnSyncAnnotations, SYNC_WAVE, syncWave } from './gitops';
import { finishRestrictedPod, restrictedContainerSecurity, restrictedPodSecurity } from './restricted';
import { applyPodPlacement, jobImages, type JobPlacementProps } from './placement';
import { JOB_RESOURCES } from '../config/resources';


/** A Secret key that the generator fills with a random value when it is empty. */
export interface GeneratedSecretKey {
  readonly secretName: string;
  readonly key: string;
}

/** Props of {@link SecretGenerator}. */
export interface SecretGeneratorProps extends JobPlacementProps {
  /** Name prefix of the generator's objects (`<prefix>-secret-generator`). */
  readonly namePrefix: string;
  /** Value of `app.kubernetes.io/part-of`. */
  readonly partOf: string;
  /**
   * Image with `node` on the PATH.
   * @default RUNNER.image (node:22-alpine), behind `images`
   */
  readonly image?: string;
}

const ID = 'secret-generator';

/**
 * Generates secret values inside the cluster, so no secret is ever written into a manifest or Git.
 * Renders one empty Secret per generated key and a Job (with a Role limited to those Secrets' names)
 * that fills missing keys once and keeps existing ones. One per stack (its `secretGenerator`), or one beside
 * a component used on its own ({@link SecretGenerator.of}).
 */
export class SecretGenerator extends Construct {
  /** The generator beside `scope` (a component used on its own), created on first use; a stack passes its own. */
  static of(scope: Construct, props: SecretGeneratorProps): SecretGenerator {
    return (scope.node.tryFindChild(ID) as SecretGenerator | undefined) ?? new SecretGenerator(scope, ID, props);
  }

  /** Name of the generator Job before its content hash is appended (also of its ServiceAccount and Role). */
  readonly jobName: string;
  /**
   * Labels that select the generator's pod (it needs egress to the Kubernetes API): not its instance label,
   * which follows the Job's content-hashed name.
   */
  readonly podSelector: Record<string, string>;
  private readonly keys: GeneratedSecretKey[] = [];
  private readonly secretNames: string[] = [];
  private readonly container: kplus.Container;
  private readonly labels: Record<string, string>;

  constructor(scope: Construct, id: string, props: SecretGeneratorProps) {
    super(scope, id);
    this.jobName = objectName('Job', props.namePrefix, 'secret-generator');
    const labels = componentLabels({ app: 'secret-generator', instance: this.jobName, component: 'secrets', partOf: props.partOf, version: '1' });
    this.labels = labels;
    this.podSelector = { 'app.kubernetes.io/name': 'secret-generator', 'app.kubernetes.io/part-of': props.partOf };
    const metadata = { labels, annotations: syncWave(SYNC_WAVE.config) };

    const serviceAccount = new kplus.ServiceAccount(this, 'account', { metadata: { ...metadata, name: this.jobName }, automountToken: false });
    // Only get and patch, only on the Secrets this stack generates (the array grows with addKey).
    new k8s.KubeRole(this, 'role', {
      metadata: { ...metadata, name: this.jobName },
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: this.secretNames, verbs: ['get', 'patch'] }],
    });
    new k8s.KubeRoleBinding(this, 'binding', {
      metadata: { ...metadata, name: this.jobName },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.jobName },
      subjects: [{ kind: 'ServiceAccount', name: this.jobName }],
    });
    const script = new kplus.ConfigMap(this, 'script', {
      metadata: { ...metadata, name: objectName('ConfigMap', this.jobName, 'script') },
      data: { 'generate.js': GENERATE_SECRETS_SCRIPT },
    });

    const images = jobImages(this, props);
    const job = new kplus.Job(this, 'job', {
      metadata: { name: this.jobName, labels, annotations: rerunOnSyncAnnotations(SYNC_WAVE.prepare) },
      podMetadata: { labels },
      serviceAccount,
      // The only pod of the stack that talks to the Kubernetes API.
      automountServiceAccountToken: true,
      backoffLimit: 4,
      activeDeadline: Duration.minutes(5),
      securityContext: restrictedPodSecurity(RUNNER.uid, RUNNER.gid),
      restartPolicy: kplus.RestartPolicy.NEVER,
    });
    const scripts = kplus.Volume.fromConfigMap(this, 'scripts', script, { name: 'scripts' });
    this.container = job.addContainer({
      name: 'generate',
      image: props.image ?? runnerImage(images),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['node', `${RUNNER.scriptsPath}/generate.js`],
      securityContext: restrictedContainerSecurity(RUNNER.uid, RUNNER.gid),
      volumeMounts: [{ path: RUNNER.scriptsPath, volume: scripts, readOnly: true }],
    });
    finishRestrictedPod(job, '/spec/template/spec', { generate: JOB_RESOURCES.secretGenerator });
    applyPodPlacement(job, '/spec/template/spec', props.pod, { selector: this.podSelector }, images.pullSecrets);
  }

  /** Registers a key to generate and renders its (empty) Secret; returns the reference to use. */
  addKey(secretName: string, key: string): GeneratedSecretKey {
    if (this.keys.some((k) => k.secretName === secretName && k.key === key)) {
      throw new Error(`secret key '${secretName}/${key}' is already generated by another component`);
    }
    if (!this.secretNames.includes(secretName)) {
      this.secretNames.push(secretName);
      new k8s.KubeSecret(this, `secret-${secretName}`, {
        metadata: {
          name: secretName,
          labels: this.labels,
          annotations: { ...syncWave(SYNC_WAVE.config), 'qdrant-stack/generated-by': this.jobName },
        },
        type: 'Opaque',
      });
    }
    const ref = { secretName, key };
    this.keys.push(ref);
    this.container.env.addVariable('GENERATE_KEYS', kplus.EnvValue.fromValue(JSON.stringify(this.keys.map((k) => ({ secret: k.secretName, key: k.key })))));
    return ref;
  }
}
