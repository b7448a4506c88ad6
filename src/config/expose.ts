/**
 * `qdrant.expose` and `ollama.expose`: how a server is reached from outside the cluster — its client Service's
 * type, an Ingress for the REST API, Gateway API routes — and who the NetworkPolicies then let in.
 */
import { z } from 'zod';
import type { ConfigProblem } from './errors';
import { OLLAMA } from '../components/ollama';
import { QDRANT } from '../components/qdrant';
import { DNS_1123_LABEL, DNS_1123_SUBDOMAIN, LABEL_KEY } from './kubernetes-syntax';


/** Where an Ingress controller usually runs when `controllerNamespaces` is left out. */
export const DEFAULT_INGRESS_CONTROLLER_NAMESPACE = 'ingress-nginx';

const namespaceName = z
  .string({ error: 'must be a namespace name' })
  .max(63, { error: 'must be at most 63 characters' })
  .regex(DNS_1123_LABEL, { error: 'must be a namespace name: a DNS-1123 label (lowercase letters, digits and "-")' });

const objectRefName = z
  .string({ error: 'must be a name' })
  .max(253, { error: 'must be at most 253 characters' })
  .regex(DNS_1123_SUBDOMAIN, { error: 'must be a DNS-1123 subdomain (lowercase letters, digits, "-" and ".")' });

/** A DNS host name clients use (no wildcard, no IP address): it becomes the external URL. */
const hostName = z
  .string({ error: 'must be a host name such as "qdrant.example.com"' })
  .max(253, { error: 'must be at most 253 characters' })
  .regex(DNS_1123_SUBDOMAIN, { error: 'must be a DNS host name such as "qdrant.example.com": lowercase letters, digits, "-" and ".", no wildcard', abort: true })
  .refine((h) => !/^[0-9.]+$/.test(h), { error: 'must be a DNS host name, not an IP address (Ingress and Gateway API match host names only)' });

const annotations = z
  .record(
    z.string().regex(LABEL_KEY, { error: 'must be an annotation key such as "example.com/setting"' }),
    z.string({ error: 'must be a string (quote numbers and booleans)' }),
    { error: 'must be a map of annotation to string value' },
  )
  .default({});

const cidr = z.union([z.cidrv4(), z.cidrv6()], { error: 'must be a CIDR such as "203.0.113.0/24" or "2001:db8::/32"' });

export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;

const serviceSchema = z
  .strictObject({
    type: z
      .enum(SERVICE_TYPES, { error: `must be one of ${SERVICE_TYPES.join(', ')}` })
      .default('ClusterIP')
      .describe(
        'Type of the client Service. LoadBalancer renders externalTrafficPolicy Local, so the pods see client addresses and the NetworkPolicy admits exactly loadBalancerSourceRanges. NodePort: the NetworkPolicy admits the ports from anywhere (what reaches a node port is up to the nodes\' firewall). ClusterIP ↔ LoadBalancer ↔ NodePort are legal updates.',
      ),
    annotations: annotations.describe('Annotations of the client Service, e.g. a cloud load balancer\'s settings (service.beta.kubernetes.io/...).'),
    loadBalancerSourceRanges: z
      .array(cidr, { error: 'must be a list of CIDRs' })
      .default([])
      .describe('LoadBalancer: the client networks allowed in, on the load balancer and in the NetworkPolicy. Empty: anywhere (a warning: an API key open to the internet is still only an API key).'),
    loadBalancerClass: z
      .string({ error: 'must be a load balancer class such as "service.k8s.aws/nlb"' })
      .regex(LABEL_KEY, { error: 'must be a load balancer class such as "service.k8s.aws/nlb" (a label-style name)' })
      .optional()
      .describe('LoadBalancer: the load balancer implementation (spec.loadBalancerClass); the cloud default when left out. Cannot change once the load balancer exists.'),
  })
  .superRefine((s, ctx) => {
    if (s.type === 'LoadBalancer') return;
    for (const key of ['loadBalancerSourceRanges', 'loadBalancerClass'] as const) {
      if (key === 'loadBalancerClass' ? s.loadBalancerClass !== undefined : s.loadBalancerSourceRanges.length > 0) {
        ctx.addIssue({ code: 'custom', path: [key], message: `is only for type LoadBalancer (the API server refuses it on a ${s.type} Service)` });
      }
    }
  });

const ingressSchema = (port: string, grpc: boolean) =>
  z
    .strictObject({
      className: objectRefName.optional().describe('IngressClass (e.g. "nginx"); the cluster\'s default class when left out.'),
      host: hostName.describe('Host name clients use; the external URL is https://<host><path>.'),
      path: z
        .string({ error: 'must be a path such as "/"' })
        .regex(/^\/([A-Za-z0-9._~-]+\/?)*$/, { error: 'must be an absolute URL path such as "/" or "/qdrant" (letters, digits, ".", "_", "~", "-" and "/")' })
        .default('/')
        .describe('Path prefix (pathType Prefix). The server answers at its root: another path needs the controller\'s rewrite in annotations.'),
      annotations: annotations.describe('Annotations of the Ingress (controller settings: body size, timeouts, allow-lists, cert-manager issuer, backend protocol HTTPS when the server has TLS).'),
      tls: z
        .union([z.strictObject({ secretName: objectRefName.describe('Secret (kubernetes.io/tls) with the certificate for host; cert-manager can fill it.') }), z.literal(false)], {
          error: 'must be { secretName } (TLS at the Ingress) or false (plain HTTP: API keys would cross the network in clear text; only when TLS ends before the Ingress)',
        })
        .describe('Required, so plain HTTP is a decision: { secretName } for TLS at the Ingress, or false when TLS ends before it (a cloud load balancer); without TLS, API keys cross the network in clear text.'),
    })
    .describe(`An Ingress (networking.k8s.io/v1) for the HTTP API (port ${port}).${grpc ? ' gRPC over an Ingress is controller-specific and not offered: use gateway.grpc.' : ''}`);

const parentRefSchema = z.strictObject({
  name: objectRefName.describe('Name of the Gateway.'),
  namespace: namespaceName.optional().describe('Namespace of the Gateway; the stack\'s when left out. Its listener must allow routes from the stack\'s namespace (allowedRoutes).'),
  sectionName: objectRefName.optional().describe('Listener of the Gateway to attach to; every listener that allows the route when left out.'),
});

const hostnames = z.array(hostName, { error: 'must be a list of host names' });

const gatewayShape = {
  parentRefs: z
    .array(parentRefSchema, { error: 'must be a list of Gateways { name, namespace?, sectionName? }' })
    .min(1, { error: 'must name at least one Gateway: routes attach to a Gateway\'s listeners' })
    .describe('Gateways (and listeners) the routes attach to. TLS is the listener\'s: use an HTTPS listener with its certificateRefs.'),
  hostnames: hostnames.default([]).describe('Host names of the HTTP route; the first is the external URL (https://<host>). Empty: every host of the listener, and no external URL.'),
  http: z.boolean({ error: 'must be true or false' }).default(true).describe('Render an HTTPRoute (gateway.networking.k8s.io/v1) for the HTTP API.'),
};

/** Qdrant's routes: HTTP and gRPC. */
const grpcGatewaySchema = z
  .strictObject({
    ...gatewayShape,
    grpc: z
      .union([z.boolean(), z.strictObject({ hostnames: hostnames.min(1, { error: 'must name at least one host name' }).describe('Host names of the gRPC route.') })], {
        error: 'must be true, false or { hostnames }',
      })
      .default(false)
      .describe(
        `Render a GRPCRoute (gateway.networking.k8s.io/v1) for gRPC (port ${QDRANT.ports.grpc}): true uses \`hostnames\`, which needs http: false — a Gateway accepts only one of an HTTPRoute and a GRPCRoute with overlapping host names on a listener — so beside the HTTPRoute give gRPC host names of its own: { hostnames: [grpc.example.com] }.`,
      ),
  })
  .superRefine((g, ctx) => {
    if (!g.http && g.grpc === false) ctx.addIssue({ code: 'custom', path: ['http'], message: 'and grpc are both off: the gateway section would expose nothing (remove it, or turn one on)' });
    if (g.http && g.grpc === true) ctx.addIssue({ code: 'custom', path: ['grpc'], message: 'true shares the HTTP route\'s host names, and a Gateway accepts only one of an HTTPRoute and a GRPCRoute with overlapping host names: give gRPC its own ({ hostnames: [...] }) or set http: false' });
    if (g.http && typeof g.grpc === 'object') {
      // An empty list matches every host, so it overlaps everything.
      const shared = g.hostnames.length === 0 ? g.grpc.hostnames : g.grpc.hostnames.filter((h) => g.hostnames.includes(h));
      if (shared.length) ctx.addIssue({ code: 'custom', path: ['grpc', 'hostnames'], message: `overlap the HTTP route's host names (${g.hostnames.length ? shared.join(', ') : 'empty: every host'}): a Gateway accepts only one of the two routes` });
    }
  });

/** An HTTP-only server's route. */
const httpGatewaySchema = z.strictObject(gatewayShape).superRefine((g, ctx) => {
  if (!g.http) ctx.addIssue({ code: 'custom', path: ['http'], message: 'is off: the gateway section would expose nothing (remove it)' });
});

/** The `expose` section of a server with an HTTP port (and, for Qdrant, gRPC). */
const exposeSchema = <G extends z.ZodType>(options: { port: string; grpc: boolean }, gatewaySchema: G) =>
  z
    .strictObject({
      service: serviceSchema.prefault({}).describe('The client Service: its type and load balancer settings.'),
      ingress: ingressSchema(options.port, options.grpc).optional(),
      gateway: gatewaySchema
        .optional()
        .describe('Gateway API routes to the Service. TLS ends at the Gateway\'s listener (its certificateRefs); the stack renders no Gateway.'),
      controllerNamespaces: z
        .array(namespaceName, { error: 'must be a list of namespace names' })
        .optional()
        .describe(`Namespaces of the Ingress controller / Gateway data plane, admitted by the NetworkPolicy on exactly the exposed ports. Default: ${DEFAULT_INGRESS_CONTROLLER_NAMESPACE} for an Ingress, the Gateways' namespaces for routes (Envoy Gateway runs its proxies in envoy-gateway-system: name it here).`),
    })
    .prefault({});

export const qdrantExposeSchema = exposeSchema({ port: String(QDRANT.ports.http), grpc: true }, grpcGatewaySchema);
export const ollamaExposeSchema = exposeSchema({ port: String(OLLAMA.port), grpc: false }, httpGatewaySchema);

export type ExposeConfig = z.output<typeof qdrantExposeSchema> | z.output<typeof ollamaExposeSchema>;
export type ServiceExposeConfig = ExposeConfig['service'];

/** What is valid but risky about exposure: printed as warnings. */
export function exposureWarnings(sections: { key: string; expose?: ExposeConfig; authenticated: boolean }[]): ConfigProblem[] {
  return sections.flatMap(({ key, expose, authenticated }) => {
    if (!expose) return [];
    const out: ConfigProblem[] = [];
    const s = expose.service;
    if (s.type === 'LoadBalancer' && s.loadBalancerSourceRanges.length === 0) {
      out.push({ path: `${key}.expose.service.loadBalancerSourceRanges`, message: 'is empty: the load balancer is open to anyone who can reach it (the internet on most clouds). An API key open to the internet is still only an API key: list your client networks' });
    }
    if (s.type === 'NodePort') {
      out.push({ path: `${key}.expose.service.type`, message: 'NodePort: the NetworkPolicy admits the ports from any address, so only the nodes\' firewall decides who reaches them; prefer LoadBalancer with loadBalancerSourceRanges' });
    }
    if (!authenticated && (s.type !== 'ClusterIP' || expose.ingress || expose.gateway)) {
      out.push({ path: `${key}.expose`, message: `${key} has no authentication: whoever reaches it can use it. Restrict who may (source ranges, the controller's allow-list annotations)` });
    }
    return out;
  });
}
