/**
 * The app `cdk8s synth` runs (see cdk8s.yaml): renders ./stack.yaml and its environments into the folder
 * cdk8s chose (CDK8S_OUTDIR), exactly as `npm run synth` does. A bad config or a refused output folder
 * (one holding files qdrant-stack did not write) is reported as the CLI reports it, with exit code 2.
 */
import { ConfigError } from './config/errors';
import { loadStack } from './config/load';
import { OutputError } from './output';
import { renderStack } from './synth';

try {
  const stack = loadStack(process.env.QDRANT_STACK_CONFIG ?? 'stack.yaml');
  renderStack(stack.base, process.env.CDK8S_OUTDIR ?? 'dist', stack.environments);
} catch (e) {
  if (!(e instanceof ConfigError || e instanceof OutputError)) throw e;
  const problems = e instanceof OutputError ? e.problems : [e.message];
  process.stderr.write(problems.map((p) => `error: ${p}\n`).join(''));
  process.exitCode = 2;
}
