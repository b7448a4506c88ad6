/**
 * An in-process stand-in of the S3 API the restore uses: ListObjectsV2 (signed with the expected access key
 * id) and GetObject through a presigned URL (SigV4 query parameters present, credential scope right, not
 * expired). Path-style addressing; records every request.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3StandIn {
  readonly endpoint: string;
  readonly requests: { method: string; path: string; query: URLSearchParams; authorization?: string }[];
  /** Bodies served through presigned URLs, by key. */
  readonly served: string[];
  close(): Promise<void>;
}

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
const error = (code: string, message: string) => xml(`<Error><Code>${code}</Code><Message>${message}</Message></Error>`);

export async function startS3StandIn(options: { bucket: string; region: string; accessKeyId: string; objects: Record<string, string>; pageSize?: number }): Promise<S3StandIn> {
  const requests: S3StandIn['requests'] = [];
  const served: string[] = [];
  const keys = Object.keys(options.objects).sort();
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url!, 'http://s3');
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    requests.push({ method: req.method!, path: url.pathname, query: url.searchParams, authorization: req.headers.authorization });
    const send = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/xml' }).end(body);
    if (bucket !== options.bucket) return send(404, error('NoSuchBucket', 'The specified bucket does not exist'));
    if (req.method === 'GET' && !key && url.searchParams.get('list-type') === '2') {
      if (!req.headers.authorization?.startsWith(`AWS4-HMAC-SHA256 Credential=${options.accessKeyId}/`)) return send(403, error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'));
      const prefix = url.searchParams.get('prefix') ?? '';
      const matching = keys.filter((k) => k.startsWith(prefix));
      const start = Number(url.searchParams.get('continuation-token') ?? '0');
      const page = matching.slice(start, start + (options.pageSize ?? 1000));
      const next = start + page.length < matching.length ? start + page.length : undefined;
      const contents = page.map((k) => `<Contents><Key>${k}</Key><Size>${options.objects[k].length}</Size><LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents>`).join('');
      return send(200, xml(`<ListBucketResult><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${page.length}</KeyCount><IsTruncated>${next !== undefined}</IsTruncated>${next !== undefined ? `<NextContinuationToken>${next}</NextContinuationToken>` : ''}${contents}</ListBucketResult>`));
    }
    if (req.method === 'GET' && key) {
      const q = url.searchParams;
      const credential = q.get('X-Amz-Credential') ?? '';
      const date = q.get('X-Amz-Date') ?? '';
      const issued = Date.parse(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
      const expires = Number(q.get('X-Amz-Expires'));
      const scope = new RegExp(`^${options.accessKeyId}/\\d{8}/${options.region}/s3/aws4_request$`);
      if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !/^[0-9a-f]{64}$/.test(q.get('X-Amz-Signature') ?? '') || !scope.test(credential) || !q.get('X-Amz-SignedHeaders')?.includes('host')) {
        return send(403, error('AccessDenied', 'Request is not a valid presigned URL'));
      }
      if (!Number.isFinite(issued) || !(expires > 0 && expires <= 604800) || Date.now() > issued + expires * 1000) return send(403, error('AccessDenied', 'Request has expired'));
      if (!(key in options.objects)) return send(404, error('NoSuchKey', 'The specified key does not exist.'));
      served.push(key);
      return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(options.objects[key]);
    }
    return send(405, error('MethodNotAllowed', 'not in the stand-in'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    served,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
