/**
 * The action of `qdrant-stack restore` (src/cli/restore-command.ts registers it): the bucket from the stack
 * model (snapshots.s3), credentials from the environment or the shared credentials file, the run, the report
 * on stdout, progress on stderr. The API key and the key pair are scrubbed from everything written.
 * Exit codes: 0 restored (or planned), 1 a collection or shard could not be restored, 2 usage or config
 * error (no s3 target, no credentials, no bucket, refused), 3 Qdrant or the endpoint unreachable.
 */
import { ConfigError } from '../config/errors';
import { loadStack, selectEnvironment } from '../config/load';
import { snapshotKeyPrefix } from './qdrant-env';
import { restore, type RestoreReport, UnreachableError } from './restore';
import { BucketError, resolveCredentials, s3Client, type BucketLocation } from './s3';

export interface RestoreFlags {
  url: string;
  peerUrls?: string;
  apiKey?: string;
  config: string;
  env?: string;
  bucket?: string;
  prefix?: string;
  collection?: string[];
  dryRun?: boolean;
  format: 'text' | 'json';
  urlExpiryS: number;
  timeoutS: number;
}

export interface RestoreIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

function httpUrl(value: string, flag: string): string {
  if (!URL.canParse(value) || !['http:', 'https:'].includes(new URL(value).protocol)) {
    throw new ConfigError([{ path: flag, message: 'must be http:// or https:// URLs, e.g. http://127.0.0.1:6333' }], undefined, 'invalid option');
  }
  return value;
}

export async function restoreAction(flags: RestoreFlags, io: RestoreIo): Promise<number> {
  const url = httpUrl(flags.url, '--url');
  const peerUrls = (flags.peerUrls ?? '').split(',').map((u) => u.trim()).filter(Boolean).map((u) => httpUrl(u, '--peer-urls'));
  const stack = loadStack(flags.config);
  for (const w of stack.warnings) io.err(`warning: ${flags.config}: ${w.path}: ${w.message}\n`);
  const snapshots = selectEnvironment(stack, flags.env, flags.config).snapshots;
  if (snapshots.target !== 's3' || !snapshots.s3) {
    throw new ConfigError([{ path: 'snapshots.target', message: 'is not "s3": restore reads the bucket of snapshots.s3' }], flags.config);
  }
  const s3 = snapshots.s3;
  const location: BucketLocation = {
    endpoint: s3.endpoint,
    bucket: flags.bucket ?? s3.bucket,
    region: s3.region,
    keyPrefix: snapshotKeyPrefix({ prefix: flags.prefix ?? s3.prefix }),
    forcePathStyle: s3.forcePathStyle,
  };

  let secrets = [flags.apiKey];
  const scrub = (text: string) => secrets.filter((s): s is string => !!s && s.length >= 3).reduce((t, s) => t.split(s).join('***'), text);
  const err = (text: string) => io.err(scrub(text));
  try {
    const credentials = await resolveCredentials();
    secrets = [...secrets, credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken];
    const report = await restore(s3Client(location, credentials), location, { url, peerUrls, apiKey: flags.apiKey }, {
      dryRun: !!flags.dryRun,
      collections: flags.collection ?? [],
      urlExpirySeconds: flags.urlExpiryS,
      requestTimeoutMs: flags.timeoutS * 1000,
      log: (line) => err(`${line}\n`),
    });
    io.out(scrub(flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatText(report)));
    return report.verdict === 'ok' ? 0 : 1;
  } catch (e) {
    if (!(e instanceof BucketError) && !(e instanceof UnreachableError)) throw e;
    err(`error: ${e.message}\n`);
    const kind = e instanceof BucketError && e.kind === 'config' ? 'config' : 'unreachable';
    if (flags.format === 'json') io.out(scrub(`${JSON.stringify({ verdict: 'failed', error: { kind, message: e.message }, steps: [] }, null, 2)}\n`));
    return kind === 'config' ? 2 : 3;
  }
}

function formatText(report: RestoreReport): string {
  const lines = [`restore from ${report.source} into ${report.mode === 'single' ? 'a single node' : 'a cluster'}${report.dryRun ? ' (dry run: nothing written)' : ''}`];
  for (const s of report.steps) {
    const what = `${s.collection}${s.shard === undefined ? '' : ` shard ${s.shard}`}`;
    const from = s.snapshot ? ` ← ${s.snapshot}${s.size === undefined ? '' : ` (${s.size} bytes)`} on ${s.peer}` : '';
    lines.push(`  ${s.status.padEnd(9)} ${what}${from}${s.message ? `: ${s.message}` : ''}`);
  }
  const count = (status: string) => report.steps.filter((s) => s.status === status).length;
  lines.push(`restore: ${report.verdict === 'ok' ? 'OK' : 'FAILED'} — ${count('recovered')} recovered, ${count('planned')} planned, ${count('failed')} failed`);
  return `${lines.join('\n')}\n`;
}
