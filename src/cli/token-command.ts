/**
 * `qdrant-stack token`: mints a JWT for Qdrant's role-based access control (`qdrant.jwtRbac: true`), signed
 * HS256 with the admin API key, as Qdrant verifies it. The key comes from QDRANT_API_KEY or a file, never
 * from an argument (argv shows in `ps`). Prints the token alone on stdout; usage errors exit 2.
 * jose is loaded only when the command runs, so the rest of the CLI starts fast.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';

/** Where the command writes (as in main.ts). */
export interface TokenIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface TokenOptions {
  /** Collections the token grants; none grants every collection. */
  readonly collections: readonly string[];
  readonly readOnly: boolean;
  /** "1h", "30d" (from now) or an ISO date. */
  readonly expires: string;
}

/** A bad request: the command reports it and exits 2. */
export class TokenUsageError extends Error {}

/**
 * The claims Qdrant 1.19 reads (its src/common/auth/claims.rs and lib/storage/src/rbac/mod.rs; the JWT RBAC
 * section of https://qdrant.tech/documentation/guides/security/): `exp` in seconds since the
 * epoch, and `access` either global — "r" read-only, "m" manage (everything) — or a list of
 * `{ collection, access: "r" | "rw" }`, each collection once.
 */
export type QdrantAccess = 'r' | 'm' | { collection: string; access: 'r' | 'rw' }[];

export function accessClaim(options: Pick<TokenOptions, 'collections' | 'readOnly'>): QdrantAccess {
  const collections = [...new Set(options.collections)];
  if (collections.length === 0) return options.readOnly ? 'r' : 'm';
  return collections.map((collection) => ({ collection, access: options.readOnly ? 'r' : 'rw' }));
}

const EXPIRES_HELP = 'expected a duration such as 1h, 30d or "2 weeks", or an ISO date such as 2026-12-31 or 2026-12-31T18:00:00Z';

/** Signs the token; throws TokenUsageError for an empty key or an expiry that is not in the future. */
export async function mintToken(apiKey: string, options: TokenOptions, now: Date = new Date()): Promise<string> {
  if (apiKey === '') throw new TokenUsageError('the admin API key is empty');
  const { SignJWT, decodeJwt } = await import('jose');
  const isoDate = /^\d{4}-\d{2}-\d{2}/.test(options.expires);
  const expires = isoDate ? new Date(options.expires) : options.expires;
  if (expires instanceof Date && Number.isNaN(expires.getTime())) throw new TokenUsageError(`--expires ${options.expires}: not a date (${EXPIRES_HELP})`);
  const jwt = new SignJWT({ access: accessClaim(options) }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(now);
  try {
    // jose resolves a time span ("1h", "30d") against the issued-at time.
    jwt.setExpirationTime(expires);
  } catch {
    throw new TokenUsageError(`--expires ${options.expires}: ${EXPIRES_HELP}`);
  }
  const token = await jwt.sign(new TextEncoder().encode(apiKey));
  if ((decodeJwt(token).exp ?? 0) <= Math.floor(now.getTime() / 1000)) throw new TokenUsageError(`--expires ${options.expires}: must be in the future`);
  return token;
}

/** The admin key: from --api-key-file (one trailing newline dropped) or QDRANT_API_KEY. */
export function readApiKey(file: string | undefined, env: NodeJS.ProcessEnv): string {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new TokenUsageError(`--api-key-file ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const key = text.replace(/\r?\n$/, '');
    if (key === '') throw new TokenUsageError(`--api-key-file ${file}: the file is empty`);
    return key;
  }
  const key = env.QDRANT_API_KEY;
  if (!key) throw new TokenUsageError("no admin API key: set QDRANT_API_KEY or give --api-key-file PATH (the stack's key, e.g. from its <stack>-qdrant-api-key Secret)");
  return key;
}

interface TokenFlags {
  collection?: string[];
  readOnly?: boolean;
  expires: string;
  apiKeyFile?: string;
}

/** Registers `token` on the `qdrant-stack` program. */
export function registerTokenCommand(program: Command, io: TokenIo, env: NodeJS.ProcessEnv = process.env): Command {
  return program
    .command('token')
    .description('mint a JWT for Qdrant\'s RBAC (qdrant.jwtRbac), signed with the admin API key from QDRANT_API_KEY or --api-key-file; prints only the token')
    .option('--collection <name>', 'grant this collection (repeat for more); every collection when left out', (v: string, all: string[] = []) => [...all, v])
    .option('--read-only', 'read access only (default: read-write on the collections; manage everything without --collection)')
    .addOption(new Option('--expires <when>', 'when the token expires: a duration from now (1h, 30d) or an ISO date').makeOptionMandatory())
    .option('--api-key-file <path>', 'file holding the admin API key (default: the QDRANT_API_KEY environment variable; never an argument)')
    .action(async (flags: TokenFlags, cmd: Command) => {
      try {
        const key = readApiKey(flags.apiKeyFile, env);
        io.out(`${await mintToken(key, { collections: flags.collection ?? [], readOnly: !!flags.readOnly, expires: flags.expires })}\n`);
      } catch (e) {
        if (e instanceof TokenUsageError) cmd.error(`error: ${e.message}`, { exitCode: 2, code: 'token.usage' });
        throw e;
      }
    });
}
