/**
 * How a server is published outside the cluster: an Ingress for its HTTP API, Gateway API routes (HTTPRoute,
 * GRPCRoute), and the NetworkPolicy ingress rules that admit exactly those paths. The client Service's own
 * type (LoadBalancer, NodePort) is rendered by `clusterService`; its policy rule is made here.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DEFAULT_INGRESS_CONTROLLER_NAMESPACE, type ExposeConfig } from '../config/expose';
import { objectName } from '../naming';
import { SYNC_WAVE, syncWave } from './gitops';
import { ANYWHERE } from './network-policies';

/** Gateway API group and version of the routes (GRPCRoute is v1 since Gateway API 1.1). */
export const GATEWAY_API_VERSION = 'gateway.networking.k8s.io/v1';

export interface ExposureProps {
  /** Base name of the Ingress and routes (the client Service's name). */
  readonly name: string;
  readonly labels: Record<string, string>;
  /** The validated `expose` section. */
  readonly expose: ExposeConfig;
  readonly serviceName: string;
  /** HTTP port of the Service (the Ingress and HTTPRoute backend). */
  readonly httpPort: number;
  /** gRPC port of the Service, for a GRPCRoute. */
  readonly grpcPort?: number;
  /** Every port of the client Service (what a LoadBalancer or NodePort publishes). */
  readonly servicePorts: number[];
  /** The server's own namespace: a parentRef without one names a Gateway there. Undefined: not known. */
  readonly namespace?: string;
}

const tcp = (port: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
const inNamespace = (ns: string): k8s.NetworkPolicyPeer => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });

/** The Ingress and routes of one server, its external URLs, and its NetworkPolicy rules. */
export class Exposure extends Construct {
  /** `https://<host><path>` of the Ingress, else of the HTTPRoute's first host name; undefined when not known at render time. */
  readonly externalUrl?: string;
  /** `https://<host>` of the GRPCRoute's first host name. */
  readonly externalGrpcUrl?: string;
  /** NetworkPolicy ingress rules for the server: the controllers' namespaces or source ranges, each on exactly its exposed ports. */
  readonly policyRules: k8s.NetworkPolicyIngressRule[] = [];

  constructor(scope: Construct, id: string, props: ExposureProps) {
    super(scope, id);
    const { expose, labels } = props;
    const metadata = (kind: string, annotations: Record<string, string> = {}) => ({ name: objectName(kind, props.name), labels, annotations: { ...annotations, ...syncWave(SYNC_WAVE.expose) } });
    const admit = (from: k8s.NetworkPolicyPeer[], ports: number[]) => this.policyRules.push({ from, ports: ports.map(tcp) });
    const controllers = (defaults: string[]) => (expose.controllerNamespaces ?? [...new Set(defaults)]).map(inNamespace);

    const service = expose.service;
    if (service.type === 'LoadBalancer') {
      admit(service.loadBalancerSourceRanges.length ? service.loadBalancerSourceRanges.map((cidr) => ({ ipBlock: { cidr } })) : ANYWHERE, props.servicePorts);
    } else if (service.type === 'NodePort') {
      admit(ANYWHERE, props.servicePorts);
    }

    const ingress = expose.ingress;
    if (ingress) {
      new k8s.KubeIngress(this, 'ingress', {
        metadata: metadata('Ingress', ingress.annotations),
        spec: {
          ingressClassName: ingress.className,
          tls: ingress.tls ? [{ hosts: [ingress.host], secretName: ingress.tls.secretName }] : undefined,
          rules: [
            {
              host: ingress.host,
              http: { paths: [{ path: ingress.path, pathType: 'Prefix', backend: { service: { name: props.serviceName, port: { number: props.httpPort } } } }] },
            },
          ],
        },
      });
      this.externalUrl = `${ingress.tls ? 'https' : 'http'}://${ingress.host}${ingress.path === '/' ? '' : ingress.path.replace(/\/$/, '')}`;
      admit(controllers([DEFAULT_INGRESS_CONTROLLER_NAMESPACE]), [props.httpPort]);
    }

    const gateway = expose.gateway;
    if (gateway) {
      const parentRefs = gateway.parentRefs.map((p) => ({ group: 'gateway.networking.k8s.io', kind: 'Gateway', ...p }));
      const route = (kind: 'HTTPRoute' | 'GRPCRoute', hostnames: string[], port: number) =>
        new ApiObject(this, kind.toLowerCase(), {
          apiVersion: GATEWAY_API_VERSION,
          kind,
          metadata: metadata(kind),
          spec: { parentRefs, ...(hostnames.length ? { hostnames } : {}), rules: [{ backendRefs: [{ name: props.serviceName, port }] }] },
        });
      const ports: number[] = [];
      if (gateway.http) {
        route('HTTPRoute', gateway.hostnames, props.httpPort);
        ports.push(props.httpPort);
        // TLS is the listener's (the Gateway's certificateRefs): clients use https.
        this.externalUrl ??= gateway.hostnames.length ? `https://${gateway.hostnames[0]}` : undefined;
      }
      // Only Qdrant's gateway section has `grpc`.
      const grpc = 'grpc' in gateway ? gateway.grpc : false;
      if (grpc !== false && props.grpcPort !== undefined) {
        const hosts = grpc === true ? gateway.hostnames : grpc.hostnames;
        route('GRPCRoute', hosts, props.grpcPort);
        ports.push(props.grpcPort);
        this.externalGrpcUrl = hosts.length ? `https://${hosts[0]}` : undefined;
      }
      // A parentRef without a namespace names a Gateway in the route's own namespace (the Gateway API's default).
      const namespaces = gateway.parentRefs.map((p) => p.namespace ?? props.namespace);
      const peers = expose.controllerNamespaces
        ? controllers([])
        : [...new Set(namespaces)].map((ns) => (ns === undefined ? { podSelector: {} } : inNamespace(ns)));
      admit(peers, ports);
    }
  }
}
