/**
 * The bucket side of a restore: list the snapshots Qdrant wrote, and presign a GET for each that Qdrant
 * fetches itself. The AWS SDK does SigV4, pagination, addressing styles and the XML; credentials come from
 * the environment or the shared credentials file, never from arguments.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** An access key pair (and session token), as the providers give it. */
export type AwsCredentialIdentity = Awaited<ReturnType<ReturnType<typeof fromEnv>>>;

/** Where the snapshots are: the model's snapshots.s3 (or the command's overrides). */
export interface BucketLocation {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  /** Key prefix Qdrant writes under (snapshotKeyPrefix): `snapshots` or `snapshots/<prefix>`. */
  readonly keyPrefix: string;
  readonly forcePathStyle: boolean;
}

/** A snapshot object Qdrant wrote. */
export interface StoredSnapshot {
  readonly key: string;
  readonly collection: string;
  /** Collection snapshots: the peer that took it. */
  readonly peerId?: string;
  /** Shard snapshots: the shard. */
  readonly shard?: number;
  /** From the name, UTC: `YYYY-MM-DD-HH-MM-SS`; sorts as it reads. */
  readonly time: string;
  readonly size?: number;
}

/** Why the bucket cannot be read: usage (bad credentials, no bucket: exit 2) or unreachable (exit 3). */
export class BucketError extends Error {
  constructor(
    message: string,
    readonly kind: 'config' | 'unreachable',
  ) {
    super(message);
  }
}

/** Environment first (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), then the shared credentials file (AWS_PROFILE). */
export async function resolveCredentials(): Promise<AwsCredentialIdentity> {
  for (const provider of [fromEnv(), fromIni()]) {
    try {
      return await provider();
    } catch {
      // Next source; none found is reported below, without any value.
    }
  }
  throw new BucketError(
    'no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in the shared credentials file (AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE)',
    'config',
  );
}

export function s3Client(location: BucketLocation, credentials: AwsCredentialIdentity): S3Client {
  return new S3Client({ endpoint: location.endpoint, region: location.region, forcePathStyle: location.forcePathStyle, credentials, maxAttempts: 3 });
}

const TIME = '(\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2})\\.snapshot$';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A key as Qdrant names snapshots (collection/shard snapshot names: lib/collection snapshots.rs, shard_holder). */
export function parseSnapshotKey(keyPrefix: string, key: string, size?: number): StoredSnapshot | undefined {
  if (!key.startsWith(`${keyPrefix}/`)) return undefined;
  const parts = key.slice(keyPrefix.length + 1).split('/');
  const collection = parts[0];
  if (parts.length === 2) {
    const m = new RegExp(`^${escape(collection)}-(\\d+)-${TIME}`).exec(parts[1]);
    return m ? { key, collection, peerId: m[1], time: m[2], size } : undefined;
  }
  if (parts.length === 4 && parts[1] === 'shards' && /^\d+$/.test(parts[2])) {
    const m = new RegExp(`^${escape(collection)}-shard-${parts[2]}-${TIME}`).exec(parts[3]);
    return m ? { key, collection, shard: Number(parts[2]), time: m[1], size } : undefined;
  }
  return undefined;
}

/** Every snapshot under the key prefix (ListObjectsV2, all pages). */
export async function listSnapshots(client: S3Client, location: BucketLocation): Promise<StoredSnapshot[]> {
  const found: StoredSnapshot[] = [];
  let token: string | undefined;
  do {
    const page = await s3Call(location, () => client.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: `${location.keyPrefix}/`, ContinuationToken: token })));
    for (const o of page.Contents ?? []) {
      const s = o.Key ? parseSnapshotKey(location.keyPrefix, o.Key, o.Size) : undefined;
      if (s) found.push(s);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

/** A presigned GET of one object, valid for `expiresInSeconds`: Qdrant downloads it without credentials. */
export function presign(client: S3Client, location: BucketLocation, key: string, expiresInSeconds: number): Promise<string> {
  return getSignedUrl(client, new GetObjectCommand({ Bucket: location.bucket, Key: key }), { expiresIn: expiresInSeconds });
}

/** S3's answers as what to do about them; the SDK's own messages never carry the secret key. */
async function s3Call<T>(location: BucketLocation, call: () => Promise<T>): Promise<T> {
  const where = `s3://${location.bucket} at ${location.endpoint}`;
  try {
    return await call();
  } catch (e) {
    if (e instanceof S3ServiceException) {
      const code = e.name;
      if (code === 'NoSuchBucket') throw new BucketError(`${where}: the bucket does not exist (snapshots.s3.bucket)`, 'config');
      if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden', 'AuthorizationHeaderMalformed'].includes(code) || e.$metadata.httpStatusCode === 403) {
        throw new BucketError(`${where}: refused (${code}): check the credentials and that they may list the bucket and read its objects`, 'config');
      }
      throw new BucketError(`${where}: ${code} (HTTP ${e.$metadata.httpStatusCode ?? '?'})`, 'config');
    }
    throw new BucketError(`${where}: unreachable (${(e as Error).message})`, 'unreachable');
  }
}
