/** Small building blocks shared by the component constructs. */
import { ApiObject, Chart, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { KEEP_DATA_ANNOTATIONS, SYNC_WAVE, syncWave } from './gitops';
import { patchServicePort } from './escape-hatches';
import { restrictedPodSecurity } from './restricted';
import type { ServiceExposeConfig } from '../config/expose';

/** Probe timing: every `periodSeconds`, `failureThreshold` misses in a row fail it. */
export interface ProbeTiming {
  readonly periodSeconds: number;
  readonly failureThreshold: number;
  readonly timeoutSeconds: number;
}

function timing(t: ProbeTiming): kplus.ProbeOptions {
  return {
    periodSeconds: Duration.seconds(t.periodSeconds),
    failureThreshold: t.failureThreshold,
    timeoutSeconds: Duration.seconds(t.timeoutSeconds),
    initialDelaySeconds: Duration.seconds(0),
  };
}

export function httpProbe(path: string, port: number, t: ProbeTiming, https = false): kplus.Probe {
  return kplus.Probe.fromHttpGet(path, { port, ...timing(t), ...(https ? { scheme: kplus.ConnectionScheme.HTTPS } : {}) });
}

export function commandProbe(command: string[], t: ProbeTiming): kplus.Probe {
  return kplus.Probe.fromCommand(command, timing(t));
}

/** A startup probe timing that allows `budgetSeconds` before the container is restarted. */
export function startupTiming(budgetSeconds: number, periodSeconds = 10): ProbeTiming {
  return { periodSeconds, failureThreshold: Math.ceil(budgetSeconds / periodSeconds), timeoutSeconds: 5 };
}

export interface ClaimProps {
  readonly name: string;
  readonly size: string;
  readonly storageClass?: string;
  readonly labels: Record<string, string>;
}

/**
 * A ReadWriteOnce PersistentVolumeClaim (L1, so any quantity works: plus-27 accepts only whole GiB),
 * returned as a pod volume named `volumeName`.
 */
export function persistentVolume(scope: Construct, id: string, volumeName: string, props: ClaimProps): kplus.Volume {
  new k8s.KubePersistentVolumeClaim(scope, id, {
    // The wave of its consumer: on WaitForFirstConsumer storage a claim stays Pending until a pod uses it,
    // and Argo CD would never leave an earlier wave.
    metadata: { name: props.name, labels: props.labels, annotations: { ...syncWave(SYNC_WAVE.workloads), ...KEEP_DATA_ANNOTATIONS } },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: props.storageClass,
      resources: { requests: { storage: k8s.Quantity.fromString(props.size) } },
    },
  });
  const claim = kplus.PersistentVolumeClaim.fromClaimName(scope, `${id}-claim`, props.name);
  return kplus.Volume.fromPersistentVolumeClaim(scope, `${id}-volume`, claim, { name: volumeName });
}

/** A Service over the pods matching `selector`, with named ports: ClusterIP, `headless` for peer DNS, or as `exposure` says. */
export function clusterService(
  scope: Construct,
  id: string,
  props: {
    name: string;
    labels: Record<string, string>;
    selector: Record<string, string>;
    ports: { name: string; port: number; appProtocol?: string }[];
    /** No cluster IP, and DNS records for pods that are not ready yet (peers must find each other to become ready). */
    headless?: boolean;
    /** Type, annotations and load balancer settings of an exposed client Service (`expose.service`). */
    exposure?: ServiceExposeConfig;
  },
): kplus.Service {
  const e = props.exposure;
  const loadBalancer = e?.type === 'LoadBalancer';
  const service = new kplus.Service(scope, id, {
    metadata: { name: props.name, labels: props.labels, annotations: { ...e?.annotations, ...syncWave(loadBalancer ? SYNC_WAVE.expose : SYNC_WAVE.config) } },
    type: loadBalancer ? kplus.ServiceType.LOAD_BALANCER : e?.type === 'NodePort' ? kplus.ServiceType.NODE_PORT : kplus.ServiceType.CLUSTER_IP,
    ...(props.headless ? { clusterIP: 'None' } : {}),
    ports: props.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
  });
  if (props.headless) ApiObject.of(service).addJsonPatch(JsonPatch.add('/spec/publishNotReadyAddresses', true));
  if (loadBalancer) {
    // Local keeps the client's address, so the NetworkPolicy's ipBlocks see what loadBalancerSourceRanges allow.
    ApiObject.of(service).addJsonPatch(JsonPatch.add('/spec/externalTrafficPolicy', 'Local'));
    if (e.loadBalancerSourceRanges.length) ApiObject.of(service).addJsonPatch(JsonPatch.add('/spec/loadBalancerSourceRanges', [...e.loadBalancerSourceRanges]));
    if (e.loadBalancerClass) ApiObject.of(service).addJsonPatch(JsonPatch.add('/spec/loadBalancerClass', e.loadBalancerClass));
  }
  for (const [key, value] of Object.entries(props.selector)) service.selectLabel(key, value);
  // Exactly these labels: a StatefulSet given this Service adds cdk8s-plus' address label to the selector,
  // which no pod carries (no endpoints, no peer DNS).
  ApiObject.of(service).addJsonPatch(JsonPatch.add('/spec/selector', { ...props.selector }));
  // kplus renders `protocol` but not `appProtocol`; protocol-aware proxies and meshes read it.
  for (const p of props.ports) if (p.appProtocol) patchServicePort(service, p.name, 'appProtocol', p.appProtocol);
  return service;
}

/** Time for an image pull and scheduling, on top of a container's startup budget, before a rollout counts as failed. */
const ROLLOUT_MARGIN_SECONDS = 600;

/**
 * A one-pod Deployment for a component with a ReadWriteOnce volume: `Recreate`, because the new pod
 * cannot attach the volume until the old one has stopped; restricted pod security for `uid`/`gid`;
 * selected by the component's own labels (not cdk8s-plus' address label); a progress deadline beyond the
 * container's startup budget, so a slow but healthy start is not reported as a failed rollout.
 */
export function singlePodDeployment(
  scope: Construct,
  id: string,
  props: { name: string; labels: Record<string, string>; selector: Record<string, string>; uid: number; gid: number; startupSeconds: number },
): kplus.Deployment {
  const deployment = new kplus.Deployment(scope, id, {
    metadata: { name: props.name, labels: props.labels, annotations: syncWave(SYNC_WAVE.workloads) },
    podMetadata: { labels: props.labels },
    replicas: 1,
    progressDeadline: Duration.seconds(props.startupSeconds + ROLLOUT_MARGIN_SECONDS),
    strategy: kplus.DeploymentStrategy.recreate(),
    select: false,
    securityContext: restrictedPodSecurity(props.uid, props.gid),
    automountServiceAccountToken: false,
  });
  deployment.select(kplus.LabelSelector.of({ labels: props.selector }));
  return deployment;
}

/**
 * The name a component used on its own takes when none is given: its chart's naming scheme (cdk8s' path and
 * hash, or whatever the chart's `generateObjectName` does), as for any object of that chart.
 */
export function chartGivenName(scope: Construct): string {
  // generateObjectName reads only the construct's path (and kind, which a component has none of).
  return Chart.of(scope).generateObjectName(scope as unknown as ApiObject);
}
