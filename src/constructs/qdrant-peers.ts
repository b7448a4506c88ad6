/**
 * How Qdrant peers find each other on a StatefulSet (as the Qdrant Helm chart does): peer 0 starts the
 * cluster with its own URI; every other peer bootstraps from peer 0 through the headless Service's DNS.
 */
import { QDRANT } from '../components/qdrant';

export interface PeerStartProps {
  /** StatefulSet name: pods are `<name>-0`, `<name>-1`, ... */
  readonly statefulSet: string;
  readonly headlessService: string;
  readonly scheme: 'http' | 'https';
}

/** The peer URI of pod `ordinal`. */
export function peerUri(props: PeerStartProps, ordinal: number | string): string {
  return `${props.scheme}://${props.statefulSet}-${ordinal}.${props.headlessService}:${QDRANT.ports.p2p}`;
}

/** Bash run as the container command: `${HOSTNAME##*-}` is the pod's ordinal. */
export function peerStartScript(props: PeerStartProps): string {
  return [
    'set -euo pipefail',
    'ordinal="${HOSTNAME##*-}"',
    `self="${peerUri(props, '${ordinal}')}"`,
    'if [ "$ordinal" = "0" ]; then',
    '  echo "peer 0: starting the cluster as $self"',
    '  exec ./entrypoint.sh --uri "$self"',
    'fi',
    `echo "peer $ordinal: joining through ${peerUri(props, 0)} as $self"`,
    `exec ./entrypoint.sh --bootstrap "${peerUri(props, 0)}" --uri "$self"`,
  ].join('\n');
}
