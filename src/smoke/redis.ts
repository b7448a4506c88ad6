/**
 * The Redis round trip: AUTH (on connect), PING, SET/GET/DEL of a temporary key, with @redis/client — the
 * core of node-redis without the search, JSON, bloom and time-series modules of the `redis` package.
 * One connection, no reconnects: a smoke test should see the first failure, not mask it.
 */
import { createClient } from '@redis/client';
import { throwIfAborted } from './backoff';
import type { RequestLimits } from './http';

/** What the round trip saw. */
export interface RedisRoundTrip {
  readonly pong: string;
  readonly roundTripOk: boolean;
}

/**
 * Connects (authenticating with the URL's password or `password`), pings, and writes, reads and
 * deletes `key`. The key expires after a minute even if the process dies between SET and DEL. A Redis
 * that stops answering is cut after the request timeout (connect, socket and command timeouts of the
 * client); the run's signal ends the round trip at once.
 */
export async function redisRoundTrip(url: string, password: string | undefined, key: string, limits: RequestLimits): Promise<RedisRoundTrip> {
  throwIfAborted(limits.signal);
  const hasUrlPassword = new URL(url).password !== '';
  const client = createClient({
    url,
    password: hasUrlPassword ? undefined : password,
    socket: { connectTimeout: limits.timeoutMs, socketTimeout: limits.timeoutMs, reconnectStrategy: false },
    commandOptions: { timeout: limits.timeoutMs },
    // Without this node-redis queues commands while disconnected, and a wrong password would hang.
    disableOfflineQueue: true,
  });
  let socketError: Error | undefined;
  client.on('error', (e: Error) => (socketError = e));
  const onAbort = () => client.isOpen && client.destroy();
  limits.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    const pong = await client.ping();
    const value = `smoke-${Date.now()}`;
    await client.set(key, value, { expiration: { type: 'PX', value: 60_000 } });
    const got = await client.get(key);
    const deleted = await client.del(key);
    return { pong, roundTripOk: got === value && deleted === 1 };
  } catch (e) {
    throwIfAborted(limits.signal);
    throw socketError && socketError !== e ? new Error(`${(e as Error).message} (${socketError.message})`) : e;
  } finally {
    limits.signal?.removeEventListener('abort', onAbort);
    if (client.isOpen) client.destroy();
  }
}
