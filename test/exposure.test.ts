/**
 * `qdrant.expose` / `ollama.expose`: the client Service's type, Ingress, HTTPRoute and GRPCRoute as rendered,
 * the NetworkPolicies evaluated for who may reach which port, the external URLs in the connection contract,
 * legal upgrades, and rejections with their key paths.
 */
import { BlockList, isIPv6 } from 'node:net';
import { apiServerProblems, selectorMatches, updateProblems } from '../src/apiserver';
import { resolveStack } from '../src/config/load';
import type { StackInput } from '../src/config/schema';
import { CLIENT_LABEL } from '../src/constructs/labels';
import { find, Manifest, synthStack } from './support/stack';
import { problemsOf } from './support/problems';

const EXTERNAL = { externalPeers: [{ [CLIENT_LABEL.key]: CLIENT_LABEL.value }] };

const EXPOSED: StackInput = {
  name: 'demo',
  qdrant: {
    expose: {
      service: { type: 'LoadBalancer', annotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing' }, loadBalancerSourceRanges: ['203.0.113.0/24', '2001:db8::/32'], loadBalancerClass: 'service.k8s.aws/nlb' },
      ingress: { className: 'nginx', host: 'qdrant.example.com', annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' }, tls: { secretName: 'qdrant-example-tls' } },
      gateway: { parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }], hostnames: ['api.example.com'], grpc: { hostnames: ['grpc.example.com'] } },
    },
  },
  ollama: { expose: { service: { type: 'NodePort' }, gateway: { parentRefs: [{ name: 'internal' }], hostnames: ['ollama.internal.example.com'] } } },
};

/** A source of traffic: a pod (namespace and labels) or an address outside the cluster. */
type Source = { namespace: string; labels?: Record<string, string> } | { ip: string };

/**
 * NetworkPolicy ingress semantics: may `source` open TCP `port` on the pod with `labels` in `namespace`?
 * Isolated pods (selected by an Ingress policy) admit only what some rule of some selecting policy allows.
 */
function admits(objects: Manifest[], namespace: string, labels: Record<string, string>, source: Source, port: number): boolean {
  const selecting = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === namespace && selectorMatches(o.spec.podSelector, labels) && o.spec.policyTypes.includes('Ingress'));
  if (selecting.length === 0) return true;
  const peerMatches = (peer: any): boolean => {
    if (peer.ipBlock) {
      if (!('ip' in source)) return false;
      const list = new BlockList();
      const [net, prefix] = peer.ipBlock.cidr.split('/');
      list.addSubnet(net, Number(prefix), isIPv6(net) ? 'ipv6' : 'ipv4');
      return list.check(source.ip, isIPv6(source.ip) ? 'ipv6' : 'ipv4');
    }
    if ('ip' in source) return false;
    const nsOk = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': source.namespace }) : source.namespace === namespace;
    return nsOk && (!peer.podSelector || selectorMatches(peer.podSelector, source.labels ?? {}));
  };
  return selecting.some((p) =>
    (p.spec.ingress ?? []).some((rule: any) => (!rule.from?.length || rule.from.some(peerMatches)) && (!rule.ports?.length || rule.ports.some((x: any) => (x.protocol ?? 'TCP') === 'TCP' && x.port === port))),
  );
}

/** Which of `ports` `source` may reach on the workload `name`. */
function reachable(objects: Manifest[], kind: string, name: string, source: Source, ports: number[]): number[] {
  const workload = find(objects, kind, name);
  return ports.filter((port) => admits(objects, workload.metadata.namespace!, workload.spec.template.metadata.labels, source, port));
}


describe('everything exposed', () => {
  const objects = synthStack(EXPOSED);
  const labelsOf = (component: string) => ({ 'app.kubernetes.io/name': component, 'app.kubernetes.io/instance': `demo-${component}` });

  test('the Qdrant Service is a LoadBalancer limited to the source ranges, keeping client addresses, after the workloads', () => {
    const service = find(objects, 'Service', 'demo-qdrant');
    expect(service.metadata.annotations).toEqual({ 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing', 'argocd.argoproj.io/sync-wave': '1' });
    expect(service.spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancerSourceRanges: ['203.0.113.0/24', '2001:db8::/32'], loadBalancerClass: 'service.k8s.aws/nlb' });
    expect(service.spec.ports.map((p: any) => p.port)).toEqual([6333, 6334]);
    expect(service.spec.clusterIP).toBeUndefined();
    expect(find(objects, 'Service', 'demo-ollama').spec.type).toBe('NodePort');
    expect(find(objects, 'Service', 'demo-redis').spec.type).toBe('ClusterIP');
  });

  test('an Ingress for the REST port only, with TLS for its host', () => {
    const ingress = find(objects, 'Ingress', 'demo-qdrant');
    expect(ingress.apiVersion).toBe('networking.k8s.io/v1');
    expect(ingress.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt', 'argocd.argoproj.io/sync-wave': '1' });
    expect(ingress.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['qdrant.example.com'], secretName: 'qdrant-example-tls' }],
      rules: [{ host: 'qdrant.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'demo-qdrant', port: { number: 6333 } } } }] } }],
    });
    expect(objects.filter((o) => o.kind === 'Ingress').map((o) => o.metadata.name)).toEqual(['demo-qdrant']);
  });

  test('an HTTPRoute to 6333 and a GRPCRoute to 6334 (gateway.networking.k8s.io/v1), each with its own host names', () => {
    const parentRefs = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateways', sectionName: 'https' }];
    const http = find(objects, 'HTTPRoute', 'demo-qdrant');
    const grpc = find(objects, 'GRPCRoute', 'demo-qdrant');
    expect([http.apiVersion, grpc.apiVersion]).toEqual(['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1']);
    expect(http.spec).toEqual({ parentRefs, hostnames: ['api.example.com'], rules: [{ backendRefs: [{ name: 'demo-qdrant', port: 6333 }] }] });
    expect(grpc.spec).toEqual({ parentRefs, hostnames: ['grpc.example.com'], rules: [{ backendRefs: [{ name: 'demo-qdrant', port: 6334 }] }] });
    // Ollama's Gateway has no namespace: the stack's own (the Gateway API default).
    expect(find(objects, 'HTTPRoute', 'demo-ollama').spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'internal' }],
      hostnames: ['ollama.internal.example.com'],
      rules: [{ backendRefs: [{ name: 'demo-ollama', port: 11434 }] }],
    });
    for (const o of objects.filter((x) => ['Ingress', 'HTTPRoute', 'GRPCRoute'].includes(x.kind))) expect(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('1');
  });

  test('Qdrant admits the ingress controller on 6333, the Gateway on 6333 and 6334, the source ranges on both, and nobody else', () => {
    const qdrant = (source: Source) => reachable(objects, 'Deployment', 'demo-qdrant', source, [6333, 6334, 6335]);
    expect(qdrant({ namespace: 'ingress-nginx' })).toEqual([6333]);
    expect(qdrant({ namespace: 'gateways' })).toEqual([6333, 6334]);
    expect(qdrant({ ip: '203.0.113.77' })).toEqual([6333, 6334]);
    expect(qdrant({ ip: '2001:db8::5' })).toEqual([6333, 6334]);
    expect(qdrant({ ip: '198.51.100.1' })).toEqual([]);
    expect(qdrant({ namespace: 'apps' })).toEqual([]);
    expect(qdrant({ namespace: 'demo', labels: { [CLIENT_LABEL.key]: CLIENT_LABEL.value } })).toEqual([6333, 6334]);
    expect(qdrant({ namespace: 'demo' })).toEqual([]);
  });

  test('Ollama on a NodePort admits any address on 11434; its Gateway is in the stack namespace; Redis stays closed', () => {
    expect(reachable(objects, 'Deployment', 'demo-ollama', { ip: '198.51.100.1' }, [11434])).toEqual([11434]);
    expect(reachable(objects, 'Deployment', 'demo-ollama', { namespace: 'demo' }, [11434])).toEqual([11434]);
    expect(reachable(objects, 'Deployment', 'demo-ollama', { namespace: 'ingress-nginx' }, [11434])).toEqual([]);
    expect(reachable(objects, 'Deployment', 'demo-redis', { ip: '198.51.100.1' }, [6379])).toEqual([]);
    expect(reachable(objects, 'Deployment', 'demo-redis', { namespace: 'gateways' }, [6379])).toEqual([]);
    expect(labelsOf('redis')).toEqual(find(objects, 'Service', 'demo-redis').spec.selector);
  });

  test('the connection contract gains the external URLs', () => {
    const data = find(objects, 'ConfigMap', 'demo-connection').data;
    expect(data).toMatchObject({ QDRANT_EXTERNAL_URL: 'https://qdrant.example.com', QDRANT_EXTERNAL_GRPC_URL: 'https://grpc.example.com', OLLAMA_EXTERNAL_URL: 'https://ollama.internal.example.com' });
    expect(data.QDRANT_URL).toBe('http://demo-qdrant.demo.svc:6333');
  });

  test('API server rules hold, and every backend names a rendered Service port', () => {
    expect(apiServerProblems(objects, EXTERNAL)).toEqual([]);
    const broken = structuredClone(objects);
    find(broken, 'GRPCRoute', 'demo-qdrant').spec.rules[0].backendRefs[0].port = 6335;
    find(broken, 'Ingress', 'demo-qdrant').spec.rules[0].http.paths[0].backend.service.name = 'demo-qdrant-x';
    expect(apiServerProblems(broken, EXTERNAL).map((p) => p.rule).sort()).toEqual(['backend-port-missing', 'backend-service-missing']);
  });
});

describe('defaults and choices', () => {
  test('unexposed: ClusterIP Services, no Ingress or routes, no external URL, no outside peers', () => {
    const objects = synthStack({ name: 'demo' });
    expect(objects.filter((o) => ['Ingress', 'HTTPRoute', 'GRPCRoute'].includes(o.kind))).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Service').map((o) => o.spec.type)).toEqual(expect.arrayContaining(['ClusterIP']));
    expect(objects.filter((o) => o.kind === 'Service' && o.spec.type !== 'ClusterIP')).toEqual([]);
    expect(Object.keys(find(objects, 'ConfigMap', 'demo-connection').data).filter((k) => k.includes('EXTERNAL'))).toEqual([]);
    expect(reachable(objects, 'Deployment', 'demo-qdrant', { namespace: 'ingress-nginx' }, [6333, 6334])).toEqual([]);
    expect(reachable(objects, 'Deployment', 'demo-qdrant', { ip: '203.0.113.1' }, [6333, 6334])).toEqual([]);
  });

  test('a LoadBalancer without source ranges is open to any address, with a warning', () => {
    const input: StackInput = { name: 'demo', qdrant: { expose: { service: { type: 'LoadBalancer' } } } };
    expect(reachable(synthStack(input), 'Deployment', 'demo-qdrant', { ip: '198.51.100.1' }, [6333, 6334])).toEqual([6333, 6334]);
    expect(resolveStack(input).warnings.map((w) => w.path)).toEqual(['qdrant.expose.service.loadBalancerSourceRanges']);
  });

  test('controllerNamespaces replace the defaults; plain-HTTP Ingress at a path gives an http URL with it', () => {
    const input: StackInput = { name: 'demo', qdrant: { expose: { ingress: { host: 'q.example.com', path: '/qdrant/', tls: false }, controllerNamespaces: ['traefik'] } } };
    const objects = synthStack(input);
    expect(reachable(objects, 'Deployment', 'demo-qdrant', { namespace: 'traefik' }, [6333, 6334])).toEqual([6333]);
    expect(reachable(objects, 'Deployment', 'demo-qdrant', { namespace: 'ingress-nginx' }, [6333])).toEqual([]);
    expect(find(objects, 'Ingress', 'demo-qdrant').spec.tls).toBeUndefined();
    expect(find(objects, 'ConfigMap', 'demo-connection').data.QDRANT_EXTERNAL_URL).toBe('http://q.example.com/qdrant');
  });

  test('gRPC alone through a Gateway: the GRPCRoute takes the host names, no HTTPRoute', () => {
    const objects = synthStack({ name: 'demo', qdrant: { expose: { gateway: { parentRefs: [{ name: 'gw', namespace: 'edge' }], hostnames: ['grpc.example.com'], http: false, grpc: true } } } });
    expect(objects.filter((o) => o.kind.endsWith('Route')).map((o) => o.kind)).toEqual(['GRPCRoute']);
    expect(reachable(objects, 'Deployment', 'demo-qdrant', { namespace: 'edge' }, [6333, 6334])).toEqual([6334]);
  });

  test('exposing Ollama, which has no authentication, is warned about', () => {
    expect(resolveStack({ ollama: { expose: { ingress: { host: 'o.example.com', tls: { secretName: 'o-tls' } } } } }).warnings.map((w) => w.path)).toEqual(['ollama.expose']);
  });
});

describe('upgrades are legal API updates', () => {
  const base = synthStack({ name: 'demo', qdrant: { replicas: 3 } });
  test.each<[string, StackInput]>([
    ['unexposed → everything exposed', { ...EXPOSED, qdrant: { ...EXPOSED.qdrant, replicas: 3 } }],
    ['ClusterIP → LoadBalancer', { name: 'demo', qdrant: { replicas: 3, expose: { service: { type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/8'] } } } }],
    ['ClusterIP → NodePort', { name: 'demo', qdrant: { replicas: 3, expose: { service: { type: 'NodePort' } } } }],
  ])('%s', (_title, input) => {
    const after = synthStack(input);
    expect(updateProblems(base, after)).toEqual([]);
    expect(updateProblems(after, base)).toEqual([]);
  });

  test('a load balancer class cannot change while the Service stays a LoadBalancer', () => {
    const lb = (loadBalancerClass: string) => synthStack({ name: 'demo', qdrant: { expose: { service: { type: 'LoadBalancer', loadBalancerClass } } } });
    const problems = updateProblems(lb('service.k8s.aws/nlb'), lb('example.com/lb'));
    expect(problems.map((p) => [p.object, p.rule])).toEqual([[expect.stringContaining('demo-qdrant'), 'service-loadbalancerclass-immutable']]);
    expect(problems[0].message).toContain('kubectl -n demo delete service demo-qdrant');
  });
});

describe('rejections name the key', () => {
  test.each<[string, unknown, string]>([
    ['an Ingress without a tls decision', { qdrant: { expose: { ingress: { host: 'q.example.com' } } } }, 'qdrant.expose.ingress.tls: is required (must be { secretName } (TLS at the Ingress) or false'],
    ['a host that is no DNS name', { qdrant: { expose: { ingress: { host: 'Q_example', tls: false } } } }, 'qdrant.expose.ingress.host: must be a DNS host name'],
    ['an IP address as host', { ollama: { expose: { ingress: { host: '10.0.0.1', tls: false } } } }, 'ollama.expose.ingress.host: must be a DNS host name, not an IP address'],
    ['a relative path', { qdrant: { expose: { ingress: { host: 'q.example.com', path: 'qdrant', tls: false } } } }, 'qdrant.expose.ingress.path: must be an absolute URL path'],
    ['a gateway without parentRefs', { qdrant: { expose: { gateway: { parentRefs: [], hostnames: ['q.example.com'] } } } }, 'qdrant.expose.gateway.parentRefs: must name at least one Gateway'],
    ['a gateway with parentRefs left out', { qdrant: { expose: { gateway: { hostnames: ['q.example.com'] } } } }, 'qdrant.expose.gateway.parentRefs: is required (must be a list of Gateways'],
    ['gRPC sharing the HTTP route\'s host names', { qdrant: { expose: { gateway: { parentRefs: [{ name: 'gw' }], grpc: true } } } }, 'qdrant.expose.gateway.grpc: true shares the HTTP route\'s host names'],
    ['overlapping gRPC host names', { qdrant: { expose: { gateway: { parentRefs: [{ name: 'gw' }], hostnames: ['a.example.com'], grpc: { hostnames: ['a.example.com'] } } } } }, 'qdrant.expose.gateway.grpc.hostnames: overlap the HTTP route\'s host names (a.example.com)'],
    ['a gateway exposing nothing', { qdrant: { expose: { gateway: { parentRefs: [{ name: 'gw' }], http: false } } } }, 'qdrant.expose.gateway.http: and grpc are both off'],
    ['gRPC for Ollama', { ollama: { expose: { gateway: { parentRefs: [{ name: 'gw' }], grpc: true } } } }, 'ollama.expose.gateway.grpc: unknown key (expected one of: parentRefs, hostnames, http)'],
    ['source ranges on a ClusterIP Service', { qdrant: { expose: { service: { loadBalancerSourceRanges: ['10.0.0.0/8'] } } } }, 'qdrant.expose.service.loadBalancerSourceRanges: is only for type LoadBalancer'],
    ['a bad CIDR', { qdrant: { expose: { service: { type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/99'] } } } }, 'qdrant.expose.service.loadBalancerSourceRanges[0]: must be a CIDR'],
    ['an unknown Service type', { qdrant: { expose: { service: { type: 'ExternalName' } } } }, 'qdrant.expose.service.type: must be one of ClusterIP, NodePort, LoadBalancer'],
    ['a bad controller namespace', { qdrant: { expose: { controllerNamespaces: ['Ingress_NGINX'] } } }, 'qdrant.expose.controllerNamespaces[0]: must be a namespace name'],
    ['a misspelt key', { qdrant: { expose: { ingres: {} } } }, 'qdrant.expose.ingres: unknown key (did you mean "ingress"?'],
  ])('%s', (_title, input, expected) => {
    const problems = problemsOf(input);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });
});
