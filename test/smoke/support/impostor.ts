/**
 * Servers that are not what the smoke test expects, answering every request the same way: the nginx
 * welcome page, invalid JSON, a body that never ends, a length of gigabytes, or silence (the
 * connection is accepted and never answered). For Qdrant's or Ollama's place in a run.
 */
import { createServer, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ImpostorKind = 'nginx' | 'invalid-json' | 'endless' | 'huge-length' | 'silent';

export interface Impostor {
  readonly url: string;
  /** Requests received so far. */
  requests(): number;
  /** Bytes of body written so far (for the endless kind: how far the client read before it stopped). */
  bytesSent(): number;
  close(): Promise<void>;
}

/** nginx's default page. `echo` adds text from the request (as a misconfigured page might quote headers). */
export function nginxPage(echo = ''): string {
  return `<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>${echo}\n</body>\n</html>\n`;
}

/**
 * Starts an impostor. `echo` picks request text to quote in the nginx page or the invalid JSON
 * (e.g. the api-key header), to prove a report never prints it.
 */
export async function startImpostor(kind: ImpostorKind, echo: (headers: IncomingHttpHeaders) => string = () => ''): Promise<Impostor> {
  let requests = 0;
  let sent = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    if (kind === 'silent') return;
    if (kind === 'nginx') return void res.writeHead(200, { server: 'nginx/1.27.0', 'content-type': 'text/html' }).end(nginxPage(echo(req.headers)));
    if (kind === 'invalid-json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(`{"title": "qdrant", "version": ${echo(req.headers)}`);
    if (kind === 'huge-length') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(3 * 1024 ** 3) });
      res.write('{"models": [');
      return;
    }
    // endless: a JSON array that never closes, written as fast as the client reads it.
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.from('0,'.repeat(32 * 1024));
    res.write('[');
    const pump = () => {
      let more = true;
      while (more && !res.destroyed) {
        more = res.write(chunk);
        sent += chunk.length;
      }
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    bytesSent: () => sent,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
