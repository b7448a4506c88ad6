/** Names and inputs of the stack's post-deploy Jobs, shared by the stack, the CLI and the smoke test. */
import { managesCollections } from '../config/collection';
import { stackNamespace } from '../config/namespace';
import type { StackConfig } from '../config/schema';
import { objectName } from '../naming';
import { expectationsFromConfig, type SmokeExpectations } from '../smoke/options';

/** Name of the collections Job before its content hash (the smoke test waits for it and points to it). */
export function collectionsJobName(config: StackConfig): string {
  return objectName('Job', config.name, 'collections');
}

/**
 * What the smoke Job checks against: the model's expectations and, when the stack renders the collections
 * Job, that Job, which the schema check waits for and points to.
 */
export function smokeJobExpectations(config: StackConfig): SmokeExpectations {
  const expectations = expectationsFromConfig(config);
  if (!managesCollections(config)) return expectations;
  return { ...expectations, collectionsJob: { namespace: stackNamespace(config), name: collectionsJobName(config) } };
}
