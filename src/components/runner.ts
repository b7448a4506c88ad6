import { imageReference, type ImageSource } from './images';

/**
 * Facts about the stock image the stack's own Jobs run on (secret generation, model pulls, smoke test).
 * A public image with Node, so Job logic ships as a script in a ConfigMap: no custom image to build,
 * nothing downloaded at run time.
 */
export const RUNNER = {
  /** The default reference; with the model's registry and digest it is {@link runnerImage}. */
  image: 'node:22-alpine',
  imageRepository: 'node',
  imageTag: '22-alpine',
  /** The `node` user of the official image. */
  uid: 1000,
  gid: 1000,
  scriptsPath: '/scripts',
} as const;

/** The Jobs' node image, behind the model's registry and digest. */
export function runnerImage(source?: ImageSource): string {
  return imageReference({ key: 'runner', repository: RUNNER.imageRepository, tag: RUNNER.imageTag }, source);
}

/**
 * The collections reconciler (src/collections/job.ts, bundled by `npm run build`) as every target runs it:
 * its bundle, entry, the file of declared collections and the environment it reads.
 */
export const COLLECTIONS_RUNNER = {
  bundle: 'collections-runner',
  entry: 'jobMain',
  file: 'collections.json',
  env: { file: 'COLLECTIONS_FILE', deadline: 'COLLECTIONS_DEADLINE_S' },
} as const;
