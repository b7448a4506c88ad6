/**
 * Facts about the stock image the stack's own Jobs run on (secret generation, model pulls, smoke test).
 * A public image with Node, so Job logic ships as a script in a ConfigMap: no custom image to build,
 * nothing downloaded at run time.
 */
export const RUNNER = {
  image: 'node:22-alpine',
  /** The `node` user of the official image. */
  uid: 1000,
  gid: 1000,
  scriptsPath: '/scripts',
} as const;

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
