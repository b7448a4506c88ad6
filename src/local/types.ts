/**
 * The stack as local containers: one description per service that the Compose and Pulumi renderers both
 * turn into their own format. Each component's descriptor (src/stack/components/) builds its services from
 * the component facts, the same ones the Kubernetes constructs read.
 */
import type { Environment } from '../components/env';
import type { ComputedResources } from '../config/resources';

export interface LocalPort {
  readonly name: string;
  readonly container: number;
  /** Published on 127.0.0.1 only: a laptop's stack is not a LAN service. */
  readonly host: number;
}

export interface LocalHealthcheck {
  /** Compose-style test: `['CMD', ...]` or `['CMD-SHELL', '...']`. */
  readonly test: string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  /** Failures during this time do not count (slow start: Qdrant loads every collection first). */
  readonly startPeriodSeconds: number;
}

export interface LocalService {
  readonly name: string;
  readonly image: string;
  /** `uid:gid` — the same non-root users as on Kubernetes. */
  readonly user: string;
  readonly entrypoint?: string[];
  readonly command?: string[];
  readonly environment: Environment;
  readonly ports: LocalPort[];
  /** Named volumes: `name` is the volume, `path` the mount point. */
  readonly volumes: { name: string; path: string }[];
  /** Writable in-memory folders under the read-only root. */
  readonly tmpfs: string[];
  /** Files written into the container (config without secrets). */
  readonly files: { name: string; path: string; content: string }[];
  readonly healthcheck?: LocalHealthcheck;
  readonly dependsOn: { service: string; condition: 'service_healthy' | 'service_completed_successfully' }[];
  /** `no` for one-shot services. */
  readonly restart: 'unless-stopped' | 'no';
  readonly resources?: ComputedResources;
  /** The only capabilities kept (all others are dropped). */
  readonly capAdd?: string[];
  /** A local-only helper with no Kubernetes counterpart (there, fsGroup does its job). */
  readonly localOnly?: boolean;
  /**
   * The workload that runs the same container on Kubernetes (a Job by its name before the content hash), and
   * the env names it reads from the connection ConfigMap instead: what the cross-target check compares.
   */
  readonly kubernetes?: { readonly kind: string; readonly name: string; readonly fromConnection?: readonly string[] };
}

export interface LocalStack {
  readonly name: string;
  readonly services: LocalService[];
  /** Named volumes, in order. */
  readonly volumes: string[];
}

/** A GET over bash's /dev/tcp (the Qdrant image has bash but no curl or wget); passes on HTTP 200. */
export function devTcpHttpCheck(port: number, path: string): string {
  return (
    `exec 3<>/dev/tcp/127.0.0.1/${port} && ` +
    `printf 'GET ${path} HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && ` +
    `head -n 1 <&3 | grep -q ' 200 '`
  );
}

/** Shell that writes `content` to `path` (a quoted heredoc: nothing in it is expanded). */
export function writeFileScript(path: string, content: string): string {
  const end = 'QDRANT_STACK_EOF';
  if (content.includes(end)) throw new Error(`${path}: content must not contain ${end}`);
  return `cat > '${path}' <<'${end}'\n${content.endsWith('\n') ? content : `${content}\n`}${end}`;
}

