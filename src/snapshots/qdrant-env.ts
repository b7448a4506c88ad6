/**
 * Qdrant's environment for target s3: its own S3 snapshot storage (storage.snapshots_config), as
 * QDRANT__ env vars. The key pair comes from the user's Secret (secretKeyRef), never a literal.
 */
import { k8s } from 'cdk8s-plus-27';
import { type Environment, secret, value } from '../components/env';
import { QDRANT } from '../components/qdrant';
import type { SnapshotsConfig } from '../config/schema';
import type { SecretKeyReference } from '../constructs/qdrant';

export type S3Target = NonNullable<SnapshotsConfig['s3']>;

/** Env names under which the S3 key pair is a secret of the Qdrant container. */
export const S3_SECRET_ENV = { accessKeyId: 'QDRANT_S3_ACCESS_KEY_ID', secretAccessKey: 'QDRANT_S3_SECRET_ACCESS_KEY' } as const;

/** Where Qdrant builds a snapshot before uploading it: the storage volume (Qdrant's own suggestion), not an emptyDir. */
export const S3_SNAPSHOTS_TEMP_PATH = `${QDRANT.paths.storage}/snapshots_temp`;

/** The S3 section when snapshots are on and go to a bucket, else undefined. */
export function s3TargetOf(snapshots: Pick<SnapshotsConfig, 'enabled' | 'target' | 's3'>): S3Target | undefined {
  return snapshots.enabled && snapshots.target === 's3' ? snapshots.s3 : undefined;
}

/**
 * The key prefix Qdrant writes under: its snapshots path (./snapshots, or ./snapshots/<prefix>) without "./".
 * Collection snapshots are <keyPrefix>/<collection>/<name>, shard snapshots <keyPrefix>/<collection>/shards/<id>/<name>.
 */
export function snapshotKeyPrefix(s3: Pick<S3Target, 'prefix'>): string {
  return s3.prefix ? `snapshots/${s3.prefix}` : 'snapshots';
}

export function s3SnapshotEnvironment(s3: S3Target): Environment {
  const env = QDRANT.env;
  return {
    [env.snapshotsStorage]: value('s3'),
    [env.s3Bucket]: value(s3.bucket),
    [env.s3Region]: value(s3.region),
    [env.s3EndpointUrl]: value(s3.endpoint.replace(/\/$/, '')),
    [env.s3AccessKey]: secret(S3_SECRET_ENV.accessKeyId),
    [env.s3SecretKey]: secret(S3_SECRET_ENV.secretAccessKey),
    ...(s3.forcePathStyle ? {} : { [env.s3VirtualHosted]: value('true') }),
    // Relative, as Qdrant's default: the key prefix is this path without "./", and it stays under the mounted /qdrant/snapshots.
    ...(s3.prefix ? { [env.snapshotsPath]: value(`./${snapshotKeyPrefix(s3)}`) } : {}),
    [env.tempPath]: value(S3_SNAPSHOTS_TEMP_PATH),
  };
}

export function s3SnapshotSecrets(s3: S3Target): Record<string, SecretKeyReference> {
  const { secretName, accessKeyIdKey, secretAccessKeyKey } = s3.credentials;
  return { [S3_SECRET_ENV.accessKeyId]: { secretName, key: accessKeyIdKey }, [S3_SECRET_ENV.secretAccessKey]: { secretName, key: secretAccessKeyKey } };
}

/** The endpoint's port: the URL's, else 443 for https and 80 for http. */
export function endpointPort(endpoint: string): number {
  const url = new URL(endpoint);
  return url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
}

/** Egress of the Qdrant pods to the bucket's endpoint (its port, the configured CIDRs); none without target s3. */
export function s3Egress(snapshots: Pick<SnapshotsConfig, 'enabled' | 'target' | 's3'>): k8s.NetworkPolicyEgressRule[] | undefined {
  const s3 = s3TargetOf(snapshots);
  if (!s3) return undefined;
  return [{ to: s3.egressCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(endpointPort(s3.endpoint)) }] }];
}
