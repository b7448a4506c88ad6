/** The app `cdk8s synth` runs (see cdk8s.yaml): renders ./stack.yaml into the folder cdk8s chose. */
import { App, YamlOutputType } from 'cdk8s';
import { loadConfig } from './config/load';
import { addStack } from './synth';

const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml' });
addStack(app, loadConfig(process.env.QDRANT_STACK_CONFIG ?? 'stack.yaml'));
app.synth();
