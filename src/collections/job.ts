/**
 * Entry of the in-cluster collections Job (bundled into one file, run with plain `node`): settings from the
 * environment only, `apply`, the text report, and the CLI's exit codes (0 applied, 1 drift or failure,
 * 2 a bad setting, 3 Qdrant unreachable or not ready within the deadline). No secret is ever printed.
 *
 *   QDRANT_URL, QDRANT_API_KEY     where Qdrant is, and the admin key
 *   COLLECTIONS_FILE               JSON { peers, collections } rendered by the chart from the stack model
 *   COLLECTIONS_DEADLINE_S         how long to wait for Qdrant and retry (default 600)
 */
import { readFileSync } from 'node:fs';
import type { CollectionConfig } from '../config/collection';
import { AbortedError } from '../smoke/backoff';
import { CollectionsError } from './qdrant';
import { reconcile } from './reconcile';
import { exitCodeOf, formatText } from './report';

export interface DeclaredCollections {
  /** Qdrant peers (replicas): the default replication factor follows from it. */
  readonly peers: number;
  readonly collections: CollectionConfig[];
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** Runs the Job; resolves to its exit code. */
export async function jobMain(env: NodeJS.ProcessEnv = process.env, io: Io = processIo): Promise<number> {
  const secrets = [env.QDRANT_API_KEY].filter((s): s is string => !!s && s.length >= 3);
  const scrub = (text: string) => secrets.reduce((t, s) => t.split(s).join('***'), text);
  const url = env.QDRANT_URL ?? '';
  const deadlineS = Number(env.COLLECTIONS_DEADLINE_S ?? '600');
  let declared: DeclaredCollections;
  try {
    if (!/^https?:\/\//.test(url)) throw new Error('QDRANT_URL must be an http:// or https:// URL');
    if (!Number.isFinite(deadlineS) || deadlineS <= 0) throw new Error('COLLECTIONS_DEADLINE_S must be a positive number of seconds');
    declared = JSON.parse(readFileSync(env.COLLECTIONS_FILE ?? '', 'utf8')) as DeclaredCollections;
    if (!Array.isArray(declared.collections) || !Number.isInteger(declared.peers)) throw new Error('COLLECTIONS_FILE must hold { peers, collections }');
  } catch (e) {
    io.err(scrub(`error: ${(e as Error).message}\n`));
    return 2;
  }
  try {
    const report = await reconcile('apply', { url, apiKey: env.QDRANT_API_KEY || undefined }, declared.collections, {
      peers: declared.peers,
      deadlineMs: deadlineS * 1000,
      log: (line) => io.err(scrub(`${line}\n`)),
    });
    io.out(scrub(formatText(report)));
    return exitCodeOf(report);
  } catch (e) {
    if (!(e instanceof CollectionsError) && !(e instanceof AbortedError)) throw e;
    io.err(scrub(`error: ${e.message}\n`));
    return e instanceof CollectionsError && e.failure === 'unreachable' ? 3 : 1;
  }
}
