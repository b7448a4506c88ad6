import * as pulumi from '@pulumi/pulumi';

/** A resource the program registered, with the inputs it was given. */
export interface MockedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
}

/**
 * Pulumi's own mocking: the program runs for real, resource registrations are recorded instead of sent to
 * an engine (no Pulumi CLI, no Docker). A RemoteImage's imageId echoes its name, as the provider would.
 */
export function mockPulumi(): MockedResource[] {
  const created: MockedResource[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        created.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state = args.type === 'docker:index/remoteImage:RemoteImage' ? { ...args.inputs, imageId: `${args.inputs.name}@sha256:0` } : args.inputs;
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    'project',
    'stack',
    false,
  );
  return created;
}

/** The value of an Output (or a plain value), and whether it is secret. */
export async function settle<T>(value: pulumi.Input<T>): Promise<{ value: T; secret: boolean }> {
  const output = pulumi.output(value);
  const secret = await pulumi.isSecret(output);
  const resolved = await new Promise<T>((resolve) => output.apply((v) => resolve(v as T)));
  return { value: resolved, secret };
}
