/**
 * qdrant-stack as a library: the stack model, the constructs for your own cdk8s app (the whole stack as
 * {@link QdrantStack}, or each component on its own), the component descriptors, and the renderers
 * (Kubernetes, Compose, `plan`). The smoke test and the collections reconciler are `qdrant-stack/smoke` and
 * `qdrant-stack/collections`; the Pulumi program is `qdrant-stack/pulumi`.
 *
 * @packageDocumentation
 */

// The model: schema, loading, errors, defaults, sizing.
export * from './config/schema';
export { resolveConfig, parseConfig, loadConfig, loadStack, type ResolvedStack } from './config/load';
export { ConfigError, type ConfigProblem } from './config/errors';
export { stackNamespace, createsNamespace } from './config/namespace';
export { qdrantResources, ollamaResources, redisResources, qdrantMemoryBytes, type ComputedResources, type ResourceAmounts } from './config/resources';
export { plan, type Plan, type PlanRow } from './config/plan';

// Component facts: images, ports, paths, probes, env names.
export { QDRANT, qdrantImage } from './components/qdrant';
export { OLLAMA, ollamaImage } from './components/ollama';
export { REDIS, redisImage } from './components/redis';
export { RUNNER } from './components/runner';
export { EMBEDDING_MODELS, embeddingDimensions } from './components/embeddings';

// The whole stack as a construct, and its component descriptors.
export { QdrantStack, POD_SECURITY_LABELS, type QdrantStackProps, type ConnectOptions, type StackJobPurpose } from './stack/qdrant-stack';
export type { StackComponent, DeployedComponent, KubernetesContext, ComponentPlan, ComponentSecret } from './stack/component';
export { COMPONENTS, enabledComponents } from './stack/components';
export { qdrantComponent } from './stack/components/qdrant';
export { ollamaComponent } from './stack/components/ollama';
export { redisComponent } from './stack/components/redis';

// Constructs, each usable on its own.
export { Qdrant, type QdrantProps, type QdrantModel, type SecretKeyReference } from './constructs/qdrant';
export { Ollama, type OllamaProps, type OllamaModel } from './constructs/ollama';
export { Redis, type RedisProps, type RedisModel } from './constructs/redis';
export { ConnectionContract, secretReferenceAnnotation, SECRET_REFERENCE_ANNOTATIONS, type ConnectionContractProps, type ConnectionSettings } from './constructs/connection';
export { StackNetworkPolicies, ANYWHERE, type StackNetworkPoliciesProps, type ProtectedServer } from './constructs/network-policies';
export { SecretGenerator, type SecretGeneratorProps, type GeneratedSecretKey } from './constructs/secret-generator';
export { SmokeTest, type SmokeTestProps } from './constructs/smoke-job';
export { CollectionsJob, type CollectionsJobProps } from './constructs/collections-job';
export { SnapshotSchedule, type SnapshotScheduleProps } from './constructs/snapshot-schedule';
export { QdrantMetrics, type QdrantMetricsProps } from './constructs/metrics';
export { ModelPuller, type ModelPullerProps } from './constructs/model-puller';
export { CLIENT_LABEL, MANAGED_BY } from './constructs/labels';
export { SYNC_WAVE, KEEP_DATA_ANNOTATIONS } from './constructs/gitops';
export { containerPath, patchContainer, patchServicePort } from './constructs/escape-hatches';
// Building blocks for a component of your own (see README, "Extending: a fourth component").
export { clusterService, singlePodDeployment, persistentVolume, httpProbe, commandProbe, startupTiming } from './constructs/parts';
export { restrictedPodSecurity, restrictedContainerSecurity, finishRestrictedPod } from './constructs/restricted';
export { componentLabels, selectorLabels, type ComponentLabelProps } from './constructs/labels';
export { syncWave } from './constructs/gitops';
export { resourceRow, jobRow, tcp } from './stack/components/shared';
export { value, secret, type Environment, type EnvSource } from './components/env';
export type { LocalPort, LocalHealthcheck } from './local/types';
export { objectName, instanceName, NAME_LIMITS, STACK_NAME_MAX } from './naming';

// Renderers: the CLI's charts, files, Compose and the local description.
export { StackChart, type StackChartProps } from './charts/stack-chart';
export { addStack, renderStack, synthManifests } from './synth';
export { renderCompose, renderEnvExample } from './compose/render';
export { localStack, localSecrets, type LocalService, type LocalStack } from './local/services';
