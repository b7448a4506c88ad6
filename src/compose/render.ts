/**
 * Docker Compose from the local stack description. Pure: returns the file texts; the caller writes them.
 */
import { Document, isScalar, Scalar, visit } from 'yaml';
import { Environment, isSecret, SecretEnvName } from '../components/env';
import { parseBytes, parseCpu } from '../config/quantity';
import type { StackConfig } from '../config/schema';
import type { StackComponent } from '../stack/component';
import { COMPONENTS } from '../stack/components';
import { LocalHealthcheck, LocalService, localStack } from '../local/services';

const SECRET_HINT = 'copy .env.example to .env and set it';

/** `${NAME:?hint}`: Compose refuses to start without the value, and the file never holds it. */
export function secretReference(name: SecretEnvName): string {
  return `\${${name}:?${SECRET_HINT}}`;
}

function environment(env: Environment): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, source]) => [name, isSecret(source) ? secretReference(source.secret) : source.value]));
}

/** `$` is Compose's interpolation character; a literal one is written `$$`. */
const literal = (text: string) => text.replaceAll('$', () => '$$'); // a function: in a replacement string '$$' means one '$'

function healthcheck(h: LocalHealthcheck) {
  return {
    test: h.test.map(literal),
    interval: `${h.intervalSeconds}s`,
    timeout: `${h.timeoutSeconds}s`,
    retries: h.retries,
    start_period: `${h.startPeriodSeconds}s`,
    // Checked often while starting, so a fast start is seen at once (Compose 2.20+).
    start_interval: '2s',
  };
}

function resources(service: LocalService) {
  if (!service.resources) return undefined;
  const mib = (q: string) => `${Math.ceil(parseBytes(q)! / 2 ** 20)}M`;
  const cpus = (q: string) => String(parseCpu(q));
  const { requests, limits } = service.resources;
  return {
    resources: {
      limits: { cpus: cpus(limits.cpu), memory: mib(limits.memory) },
      reservations: { cpus: cpus(requests.cpu), memory: mib(requests.memory) },
    },
  };
}

/** A service, keys in the conventional order (dclint's service-keys-order). */
function renderService(service: LocalService) {
  return {
    image: service.image,
    ...(service.dependsOn.length ? { depends_on: Object.fromEntries(service.dependsOn.map((d) => [d.service, { condition: d.condition }])) } : {}),
    ...(service.volumes.length ? { volumes: service.volumes.map((v) => `${v.name}:${v.path}`) } : {}),
    ...(service.files.length ? { configs: service.files.map((f) => ({ source: f.name, target: f.path })) } : {}),
    ...(Object.keys(service.environment).length ? { environment: environment(service.environment) } : {}),
    ...(service.ports.length ? { ports: service.ports.map((p) => `127.0.0.1:${p.host}:${p.container}`) } : {}),
    ...(service.command ? { command: service.command.map(literal) } : {}),
    ...(service.entrypoint ? { entrypoint: service.entrypoint.map(literal) } : {}),
    restart: service.restart,
    ...(service.healthcheck ? { healthcheck: healthcheck(service.healthcheck) } : {}),
    user: service.user,
    ...(service.capAdd ? { cap_add: service.capAdd } : {}),
    cap_drop: ['ALL'],
    ...(service.resources ? { deploy: resources(service) } : {}),
    read_only: true,
    security_opt: ['no-new-privileges:true'],
    ...(service.tmpfs.length ? { tmpfs: service.tmpfs } : {}),
  };
}

/** The Compose file of a stack. */
export function renderCompose(config: StackConfig, components: readonly StackComponent[] = COMPONENTS): string {
  const stack = localStack(config, components);
  const files = stack.services.flatMap((s) => s.files);
  const compose = {
    name: stack.name,
    // By UTF-16 code unit, not localeCompare: the first localeCompare loads ICU's collator (~11 ms of a cold
    // `synth`). Same order for the service names of the components (lowercase letters, digits and `-`).
    services: Object.fromEntries([...stack.services].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((s) => [s.name, renderService(s)])),
    volumes: Object.fromEntries(stack.volumes.map((v) => [v, {}])),
    ...(files.length ? { configs: Object.fromEntries(files.map((f) => [f.name, { content: literal(f.content) }])) } : {}),
  };
  const doc = new Document(compose);
  // Quote what YAML 1.1 readers would take for something else: `no` (a boolean), `uid:gid` and port
  // mappings (base-60 numbers).
  visit(doc, {
    Scalar(_key, node) {
      if (!isScalar(node) || typeof node.value !== 'string') return;
      if (/^[\d.]+:\d+:\d+$/.test(node.value)) node.type = Scalar.QUOTE_SINGLE;
      else if (/^(no|yes|on|off|\d+:\d+)$/.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  doc.commentBefore =
    ` Rendered by qdrant-stack from the stack model; do not edit (run \`npm run synth\`).\n` +
    ` Secrets come from .env (copy .env.example). Ports listen on 127.0.0.1 only.\n` +
    ` docker compose --env-file .env -f docker-compose.yml up -d`;
  return doc.toString({ lineWidth: 0 });
}

/** The env file template: every secret the Compose file needs, empty. */
export function renderEnvExample(config: StackConfig, components: readonly StackComponent[] = COMPONENTS): string {
  const names = new Set<SecretEnvName>();
  for (const s of localStack(config, components).services) for (const source of Object.values(s.environment)) if (isSecret(source)) names.add(source.secret);
  return [
    '# Secrets for the local stack: copy to .env, fill in, never commit .env.',
    '# Any long random string works, e.g. `openssl rand -hex 32`.',
    ...[...names].map((n) => `${n}=`),
    '',
  ].join('\n');
}
