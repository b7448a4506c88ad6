/**
 * Where `npm run build` puts the in-cluster smoke runner (runner.ts, bundled by scripts/bundle-smoke.mjs);
 * the smoke Job ships it through src/constructs/runner-job.ts like every bundled runner.
 */
import { bundlePath } from '../jobs/bundles';

export const SMOKE_BUNDLE_PATH = bundlePath('smoke-runner');
