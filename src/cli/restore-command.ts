/**
 * `qdrant-stack restore`: recover a fresh stack from the snapshots in its bucket (snapshots.target s3). The
 * action, the AWS SDK and the Qdrant calls are loaded only when the command runs, so the CLI starts fast.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { RestoreFlags, RestoreIo } from '../snapshots/command';

const HELP = `
Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), else the shared
credentials file (AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE); never arguments. Qdrant downloads each snapshot
from a presigned URL of the endpoint in snapshots.s3, so the endpoint must be reachable from its pods too.

Exit codes:
  0  every collection (single node) or shard (cluster) recovered; with --dry-run, planned
  1  a collection or shard could not be restored (no snapshot, missing in the target, refused by Qdrant)
  2  usage or config error: not target s3, no credentials, no such bucket, access refused
  3  Qdrant or the S3 endpoint unreachable`;

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a whole number of seconds above 0');
  return n;
}

/** Registers `restore` on the `qdrant-stack` program. `setExit` receives 0, 1, 2 or 3. */
export function registerRestoreCommand(program: Command, io: RestoreIo, setExit: (code: number) => void): Command {
  return program
    .command('restore')
    .description('recover a fresh stack from the newest snapshots in its bucket (snapshots.target s3): each collection on a single node, each shard in a cluster')
    .addOption(new Option('--url <url>', 'Qdrant REST URL (a cluster: any peer), e.g. http://127.0.0.1:6333').env('QDRANT_URL').makeOptionMandatory())
    .addOption(new Option('--peer-urls <urls>', 'a cluster: the other peers\' REST URLs, comma-separated (a shard is recovered on a peer holding it)').env('QDRANT_PEER_URLS'))
    .addOption(new Option('--api-key <key>', 'admin API key (better: the environment variable)').env('QDRANT_API_KEY'))
    .option('-c, --config <file>', 'stack config file: snapshots.s3 names the bucket', 'stack.yaml')
    .option('-e, --env <name>', 'use this environment of the config')
    .option('--bucket <name>', 'read another bucket than snapshots.s3.bucket (same endpoint)')
    .option('--prefix <prefix>', 'read another prefix than snapshots.s3.prefix, e.g. the one of the stack being replaced')
    .option('--collection <name...>', 'restore only these collections')
    .option('--dry-run', 'list what would be recovered from which snapshot, and write nothing')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--url-expiry-s <seconds>', 'lifetime of each presigned URL').argParser(seconds).default(3600))
    .addOption(new Option('--timeout-s <seconds>', 'per recovery (Qdrant answers once the snapshot is downloaded and loaded)').argParser(seconds).default(3600))
    .addHelpText('after', HELP)
    .action(async (flags: RestoreFlags) => {
      const { restoreAction } = await import('../snapshots/command');
      setExit(await restoreAction(flags, io));
    });
}
