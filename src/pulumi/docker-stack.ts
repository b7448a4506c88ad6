/**
 * The stack as Docker resources for a Pulumi program (@pulumi/docker 4 or 5): a network, named volumes,
 * pulled images and hardened containers with health checks — the same services as docker-compose.yml,
 * from the same description (src/local/services.ts).
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { isSecret, SecretEnvName } from '../components/env';
import { parseBytes, parseCpu } from '../config/quantity';
import type { StackConfig } from '../config/schema';
import { LocalService, localStack } from '../local/services';
import type { StackComponent } from '../stack/component';

/** Props of {@link DockerStack}. */
export interface DockerStackArgs {
  /** The validated stack model (`loadConfig('stack.yaml')` or `resolveConfig({...})`). */
  readonly config: StackConfig;
  /**
   * Every secret the services read, by env name (`QDRANT_API_KEY`, `QDRANT_READ_ONLY_API_KEY`,
   * `REDIS_PASSWORD`, and any a further component declares), e.g.
   * `{ QDRANT_API_KEY: new pulumi.Config().requireSecret('qdrantApiKey') }`.
   * @default the named props below
   */
  readonly secrets?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Qdrant's admin API key (the same as `secrets.QDRANT_API_KEY`). */
  readonly qdrantApiKey?: pulumi.Input<string>;
  /** Qdrant's read-only API key (the same as `secrets.QDRANT_READ_ONLY_API_KEY`); required unless `qdrant.readOnlyApiKey` is "none". */
  readonly qdrantReadOnlyApiKey?: pulumi.Input<string>;
  /** Redis' password (the same as `secrets.REDIS_PASSWORD`); required when Redis is enabled. */
  readonly redisPassword?: pulumi.Input<string>;
  /**
   * The components, in order (a fourth one is a descriptor added to this list).
   * @default COMPONENTS (Qdrant, Ollama, Redis)
   */
  readonly components?: readonly StackComponent[];
}

const MiB = 2 ** 20;

/** A component resource holding the local stack; its outputs are the URLs on 127.0.0.1. */
export class DockerStack extends pulumi.ComponentResource {
  readonly network: docker.Network;
  readonly volumes: Record<string, docker.Volume> = {};
  readonly images: Record<string, docker.RemoteImage> = {};
  readonly containers: Record<string, docker.Container> = {};
  /** Qdrant's REST URL on this machine. */
  readonly qdrantUrl: pulumi.Output<string>;

  constructor(name: string, args: DockerStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super('qdrant-stack:local:DockerStack', name, {}, opts);
    const stack = localStack(args.config, args.components);
    const named = { QDRANT_API_KEY: args.qdrantApiKey, QDRANT_READ_ONLY_API_KEY: args.qdrantReadOnlyApiKey, REDIS_PASSWORD: args.redisPassword };
    const secrets: Record<SecretEnvName, pulumi.Input<string> | undefined> = { ...named, ...args.secrets };
    const child = { parent: this };

    this.network = new docker.Network(`${name}-network`, { name: stack.name }, child);
    for (const volume of stack.volumes) {
      this.volumes[volume] = new docker.Volume(`${name}-${volume}`, { name: `${stack.name}-${volume}` }, child);
    }
    for (const image of new Set(stack.services.map((s) => s.image))) {
      this.images[image] = new docker.RemoteImage(`${name}-${image.replace(/[/:]/g, '-')}`, { name: image, keepLocally: true }, child);
    }
    for (const service of stack.services) {
      const dependsOn = service.dependsOn.map((d) => this.containers[d.service]);
      this.containers[service.name] = new docker.Container(`${name}-${service.name}`, this.containerArgs(stack.name, service, secrets), { ...child, dependsOn });
    }
    const qdrant = stack.services.find((s) => s.name === 'qdrant')!;
    this.qdrantUrl = pulumi.output(`http://127.0.0.1:${qdrant.ports.find((p) => p.name === 'http')!.host}`);
    this.registerOutputs({ qdrantUrl: this.qdrantUrl });
  }

  private containerArgs(stackName: string, service: LocalService, secrets: Record<SecretEnvName, pulumi.Input<string> | undefined>): docker.ContainerArgs {
    const envs = Object.entries(service.environment).map(([key, source]) => {
      if (!isSecret(source)) return `${key}=${source.value}`;
      const value = secrets[source.secret];
      if (value === undefined) throw new Error(`service '${service.name}' needs the secret ${source.secret}: pass it as secrets.${source.secret} in DockerStackArgs`);
      // A secret Input stays secret through interpolate: the state and the preview show it masked.
      return pulumi.secret(pulumi.interpolate`${key}=${value}`);
    });
    const oneShot = service.restart === 'no';
    const h = service.healthcheck;
    const r = service.resources;
    return {
      name: `${stackName}-${service.name}`,
      image: this.images[service.image].imageId,
      user: service.user,
      entrypoints: service.entrypoint,
      command: service.command,
      envs,
      ports: service.ports.map((p) => ({ internal: p.container, external: p.host, ip: '127.0.0.1' })),
      volumes: service.volumes.map((v) => ({ volumeName: this.volumes[v.name].name, containerPath: v.path })),
      tmpfs: Object.fromEntries(service.tmpfs.map((path) => [path, ''])),
      uploads: service.files.map((f) => ({ file: f.path, content: f.content })),
      networksAdvanced: [{ name: this.network.name, aliases: [service.name] }],
      readOnly: true,
      capabilities: { drops: ['ALL'], ...(service.capAdd ? { adds: service.capAdd } : {}) },
      securityOpts: ['no-new-privileges:true'],
      healthcheck: h && {
        tests: h.test,
        interval: `${h.intervalSeconds}s`,
        timeout: `${h.timeoutSeconds}s`,
        retries: h.retries,
        startPeriod: `${h.startPeriodSeconds}s`,
        startInterval: '2s',
      },
      restart: service.restart,
      // Long-running services must be healthy before dependants start; a one-shot runs to completion.
      ...(oneShot ? { mustRun: false, attach: true, logs: true } : { wait: !!h, waitTimeout: h ? h.startPeriodSeconds + 60 : undefined }),
      ...(r ? { memory: Math.ceil(parseBytes(r.limits.memory)! / MiB), memoryReservation: Math.ceil(parseBytes(r.requests.memory)! / MiB), cpus: String(parseCpu(r.limits.cpu)) } : {}),
    };
  }
}

/** Creates the local stack in the current Pulumi program. */
export function dockerStack(name: string, args: DockerStackArgs, opts?: pulumi.ComponentResourceOptions): DockerStack {
  return new DockerStack(name, args, opts);
}
