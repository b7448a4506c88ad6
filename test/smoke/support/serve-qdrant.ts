/**
 * Runs the Qdrant stand-in as its own process (for the bench: server and client must not share an
 * event loop). Prints its URL on the first line of stdout; stops on SIGTERM or when stdin closes.
 */
import { startQdrantStandIn } from './qdrant-stand-in';

startQdrantStandIn({ apiKey: process.env.STAND_IN_API_KEY }).then((s) => {
  process.stdout.write(`${s.url}\n`);
  const stop = () => s.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop).resume();
});
