// A Pulumi program that runs the stack on the local Docker engine, from the same stack.yaml as the
// Kubernetes manifests. Secrets come from Pulumi config:
//   pulumi config set --secret qdrantApiKey "$(openssl rand -hex 32)"
//   pulumi config set --secret qdrantReadOnlyApiKey "$(openssl rand -hex 32)"
//   pulumi config set --secret redisPassword "$(openssl rand -hex 32)"
//   pulumi up
import * as pulumi from '@pulumi/pulumi';
import { loadConfig } from 'qdrant-stack';
import { dockerStack } from 'qdrant-stack/pulumi';

const settings = new pulumi.Config();
const stack = dockerStack('qdrant-stack', {
  config: loadConfig(settings.get('stackFile') ?? '../../stack.yaml'),
  qdrantApiKey: settings.requireSecret('qdrantApiKey'),
  qdrantReadOnlyApiKey: settings.requireSecret('qdrantReadOnlyApiKey'),
  redisPassword: settings.requireSecret('redisPassword'),
});

export const qdrantUrl = stack.qdrantUrl;
export const containers = Object.keys(stack.containers);
