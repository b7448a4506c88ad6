/** The example Pulumi program in examples/pulumi-docker, run as written against a mocked engine. */
import * as pulumi from '@pulumi/pulumi';
import { join } from 'node:path';
import { mockPulumi, settle } from './support/pulumi-mocks';

const created = mockPulumi();
pulumi.runtime.setAllConfig(
  {
    'project:stackFile': join(__dirname, '..', 'stack.yaml'),
    'project:qdrantApiKey': 'example-key-a1',
    'project:qdrantReadOnlyApiKey': 'example-ro-c3',
    'project:redisPassword': 'example-pw-b2',
  },
  ['project:qdrantApiKey', 'project:qdrantReadOnlyApiKey', 'project:redisPassword'],
);

test('examples/pulumi-docker creates the stack from stack.yaml and exports the Qdrant URL', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require('../examples/pulumi-docker/index');
  expect((await settle(program.qdrantUrl)).value).toBe('http://127.0.0.1:6333');
  expect(program.containers).toEqual(['qdrant', 'collections', 'ollama-volumes', 'ollama', 'ollama-pull', 'redis']);
  // Registrations finish asynchronously; give them a bounded moment.
  const containers = () => created.filter((r) => r.type === 'docker:index/container:Container');
  for (let i = 0; i < 100 && containers().length < 6; i++) await new Promise((r) => setTimeout(r, 20));
  expect(containers().map((c) => c.inputs.name).sort()).toEqual(['qdrant-stack-collections', 'qdrant-stack-ollama', 'qdrant-stack-ollama-pull', 'qdrant-stack-ollama-volumes', 'qdrant-stack-qdrant', 'qdrant-stack-redis']);
});
