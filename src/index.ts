/** qdrant-stack as a library: the model, the constructs for your own cdk8s app, and the renderers. */
export * from './config/schema';
export { resolveConfig, parseConfig, loadConfig } from './config/load';
export { ConfigError, type ConfigProblem } from './config/errors';
export { qdrantResources, qdrantMemoryBytes, type ComputedResources } from './config/resources';
export { QDRANT, qdrantImage } from './components/qdrant';
export { Qdrant, type QdrantProps, type SecretKeyReference } from './constructs/qdrant';
export { SecretGenerator, type SecretGeneratorProps, type GeneratedSecretKey } from './constructs/secret-generator';
export { StackChart, type StackChartProps, stackNamespace } from './charts/stack-chart';
export { addStack, renderStack, synthManifests } from './synth';
