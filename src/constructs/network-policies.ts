import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { SYNC_WAVE, syncWave } from './gitops';
import { CLIENT_LABEL } from './labels';
import { objectName } from '../naming';

/** A server of the stack that clients may reach. */
export interface ProtectedServer {
  /** Policy name. */
  readonly name: string;
  readonly podSelector: Record<string, string>;
  readonly ports: number[];
  /** Extra egress this server needs besides DNS (e.g. the model registry). */
  readonly egress?: k8s.NetworkPolicyEgressRule[];
  /** Ports the server's own pods talk to each other on (Qdrant peer-to-peer), both ways. */
  readonly peerPorts?: number[];
  /** Extra ingress besides the clients (e.g. Prometheus scraping). */
  readonly ingress?: k8s.NetworkPolicyIngressRule[];
}

/** Props of {@link StackNetworkPolicies}. */
export interface StackNetworkPoliciesProps {
  /** Name prefix of the policies. */
  readonly namePrefix: string;
  /** Labels carried by every pod of the stack (e.g. `app.kubernetes.io/part-of`). */
  readonly stackPods: Record<string, string>;
  readonly servers: ProtectedServer[];
  /**
   * Other namespaces whose client pods may connect.
   * @default none: clients in the stack namespace only
   */
  readonly clientNamespaces?: string[];
  /**
   * Pods that talk to the Kubernetes API.
   * @default none
   */
  readonly apiClients?: Record<string, string>[];
  /**
   * Where the Kubernetes API server is: its address is not known at render time.
   * @default { cidrs: ANYWHERE, ports: [443, 6443] }
   */
  readonly apiServer?: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
  readonly labels: Record<string, string>;
}

const INSTANCE = 'app.kubernetes.io/instance';
const tcp = (port: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });

/** Anywhere, IPv4 and IPv6. */
export const ANYWHERE: k8s.NetworkPolicyPeer[] = [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];

/**
 * Default-deny for the stack's pods, DNS for all of them, and per server one policy that describes all of
 * its traffic: ingress on its ports only from pods labelled `qdrant-stack/client: "true"` (the stack's own
 * client Jobs carry it too), and egress to DNS and nothing else it does not need. A server's policy selects
 * by its instance label alone, the shape policy checkers such as Polaris recognise.
 */
export class StackNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: StackNetworkPoliciesProps) {
    super(scope, id);
    const clientLabels = { [CLIENT_LABEL.key]: CLIENT_LABEL.value };
    const clients: k8s.NetworkPolicyPeer[] = [
      { podSelector: { matchLabels: clientLabels } },
      ...(props.clientNamespaces ?? []).map((ns) => ({
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
        podSelector: { matchLabels: clientLabels },
      })),
    ];
    const policy = (name: string, spec: k8s.NetworkPolicySpec) =>
      new k8s.KubeNetworkPolicy(this, name, { metadata: { name, labels: props.labels, annotations: syncWave(SYNC_WAVE.config) }, spec });

    policy(objectName('NetworkPolicy', props.namePrefix, 'default-deny'), { podSelector: { matchLabels: props.stackPods }, policyTypes: ['Ingress', 'Egress'] });
    const dns: k8s.NetworkPolicyEgressRule = { ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, tcp(53)] };
    policy(objectName('NetworkPolicy', props.namePrefix, 'allow-dns'), { podSelector: { matchLabels: props.stackPods }, policyTypes: ['Egress'], egress: [dns] });
    for (const server of props.servers) {
      const peers = server.peerPorts?.length ? { from: [{ podSelector: { matchLabels: server.podSelector } }], ports: server.peerPorts.map(tcp) } : undefined;
      policy(server.name, {
        podSelector: { matchLabels: { [INSTANCE]: server.podSelector[INSTANCE] } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: clients, ports: server.ports.map(tcp) }, ...(peers ? [peers] : []), ...(server.ingress ?? [])],
        egress: [dns, ...(peers ? [{ to: peers.from, ports: peers.ports }] : []), ...(server.egress ?? [])],
      });
    }
    // The stack's own clients (model pull, smoke test) may reach the servers; default-deny covers their egress too.
    policy(objectName('NetworkPolicy', props.namePrefix, 'clients-egress'), {
      podSelector: { matchLabels: { ...props.stackPods, ...clientLabels } },
      policyTypes: ['Egress'],
      egress: props.servers.map((s) => ({ to: [{ podSelector: { matchLabels: s.podSelector } }], ports: s.ports.map(tcp) })),
    });
    const apiServer = props.apiServer
      ? { to: props.apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: props.apiServer.ports.map(tcp) }
      : { to: ANYWHERE, ports: [tcp(443), tcp(6443)] };
    (props.apiClients ?? []).forEach((selector, i) =>
      policy(objectName('NetworkPolicy', props.namePrefix, 'kube-api-egress', ...(i ? [String(i)] : [])), {
        podSelector: { matchLabels: selector },
        policyTypes: ['Egress'],
        egress: [apiServer],
      }),
    );
  }
}
