/**
 * The app `cdk8s synth` runs (see cdk8s.yaml): renders ./stack.yaml and its environments into the folder
 * cdk8s chose (CDK8S_OUTDIR), exactly as `npm run synth` does.
 */
import { loadStack } from './config/load';
import { renderStack } from './synth';

const stack = loadStack(process.env.QDRANT_STACK_CONFIG ?? 'stack.yaml');
renderStack(stack.base, process.env.CDK8S_OUTDIR ?? 'dist', stack.environments);
