/**
 * `snapshots.target` and `snapshots.s3`: where Qdrant keeps the snapshots the CronJob takes. With s3, Qdrant's
 * own snapshot storage (storage.snapshots_config) writes them to a bucket, and `qdrant-stack restore` reads
 * them back into a fresh stack. The primitives come from schema.ts (a factory, so the two files do not
 * import each other).
 */
import { z } from 'zod';

/** Bucket names as S3 allows them: 3-63 lowercase letters, digits, "." and "-", a letter or digit at each end. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Key prefix segments: S3's "safe" characters, no empty, "." or ".." segment. */
const PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;

export const SNAPSHOT_TARGETS = ['pvc', 's3'] as const;

/** What schema.ts lends: the same rules its other keys use. */
export interface SnapshotSchemaParts {
  readonly secretName: z.ZodType<string>;
  readonly secretKey: z.ZodType<string>;
  readonly cidr: z.ZodType<string>;
}

const httpUrl = z
  .string({ error: 'must be a URL such as "https://s3.eu-west-1.amazonaws.com"' })
  .refine((u) => URL.canParse(u) && ['http:', 'https:'].includes(new URL(u).protocol), { error: 'must be an http or https URL such as "https://s3.eu-west-1.amazonaws.com" or "http://minio.minio.svc:9000"', abort: true })
  .refine((u) => ['', '/'].includes(new URL(u).pathname) && !new URL(u).search && !new URL(u).username, { error: 'must be the endpoint alone (scheme, host and port): no path, query or credentials' });

/** `snapshots.s3`. */
export function s3TargetSchema(parts: SnapshotSchemaParts) {
  return z.strictObject({
    endpoint: httpUrl.describe('S3 endpoint URL: "https://s3.<region>.amazonaws.com" for AWS, the service URL for MinIO, Ceph or R2. Qdrant\'s pods get egress to its port (443 for https).'),
    bucket: z
      .string({ error: 'must be a bucket name' })
      .regex(BUCKET, { error: 'must be an S3 bucket name: 3-63 lowercase letters, digits, "." or "-", starting and ending with a letter or digit' })
      .describe('Bucket the snapshots go to; it must exist.'),
    region: z
      .string({ error: 'must be a region such as "eu-west-1"' })
      .regex(/^[a-z0-9-]{1,64}$/, { error: 'must be a region such as "eu-west-1" (MinIO: "us-east-1")' })
      .describe('Region of the bucket (signed into every request).'),
    prefix: z
      .string({ error: 'must be a key prefix such as "prod/search"' })
      .max(200, { error: 'must be at most 200 characters' })
      .regex(PREFIX, { error: 'must be a key prefix such as "prod/search": segments of letters, digits and !_.*\'()- separated by "/", without a leading or trailing "/"' })
      .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), { error: 'must not have a "." or ".." segment' })
      .optional()
      .describe('Keeps several stacks apart in one bucket. Qdrant keys snapshots by its snapshots path, so objects go to snapshots/<prefix>/<collection>/ (snapshots/<collection>/ without a prefix).'),
    credentials: z
      .strictObject({
        secretName: parts.secretName.describe('Existing Secret in the stack namespace holding the access key pair.'),
        accessKeyIdKey: parts.secretKey.default('AWS_ACCESS_KEY_ID').describe('Data key of the access key id.'),
        secretAccessKeyKey: parts.secretKey.default('AWS_SECRET_ACCESS_KEY').describe('Data key of the secret access key.'),
      })
      .describe('The access key pair, from a Secret: Qdrant reads it from env secretKeyRefs, never from its config file or a ConfigMap.'),
    forcePathStyle: z
      .boolean({ error: 'must be true or false' })
      .default(true)
      .describe('Address the bucket as <endpoint>/<bucket> (path style, what Qdrant\'s S3 client does by default and MinIO needs); false: <bucket>.<endpoint host> (virtual-hosted).'),
    egressCidrs: z
      .array(parts.cidr, { error: 'must be a list of CIDRs' })
      .min(1, { error: 'must name at least one CIDR' })
      .default(['0.0.0.0/0', '::/0'])
      .describe('Where the endpoint is, for the Qdrant pods\' egress NetworkPolicy. Its address is not known when rendering, so the default is anywhere (on its port only); narrow it to the endpoint\'s range, e.g. your MinIO pods or the S3 prefix list of the region.'),
  });
}

/** Problems of the `snapshots` section as a whole, with their key paths (for the stack's superRefine). */
export function snapshotsProblems(snapshots: { target: string; s3?: unknown; restore: readonly unknown[] }): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  if (snapshots.target === 's3' && snapshots.s3 === undefined) problems.push({ path: ['snapshots', 's3'], message: 'is required with target "s3": { endpoint, bucket, region, credentials: { secretName } }' });
  if (snapshots.target === 'pvc' && snapshots.s3 !== undefined) problems.push({ path: ['snapshots', 's3'], message: 'is used only with target "s3": set snapshots.target: s3, or remove it' });
  if (snapshots.target === 's3' && snapshots.restore.length) {
    problems.push({ path: ['snapshots', 'restore'], message: 'reads files from the snapshots volume, which target "s3" does not have: restore from the bucket with `qdrant-stack restore`' });
  }
  return problems;
}
