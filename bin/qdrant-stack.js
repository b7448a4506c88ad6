#!/usr/bin/env node
'use strict';
// Streams, exit code and last-resort error handling: src/cli/stdio.ts; the commands: src/cli/main.ts.
// Both run from one bundle, lib/cli.cjs (scripts/bundle-cli.mjs), compiled with a code cache per command, as
// are the packages it loads for rendering (src/cli/compile-cache.ts); from lib/cli/*.js when the bundle was
// not built.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'lib', 'cli.cjs');
const CACHED_PACKAGES = /[\\/]node_modules[\\/](cdk8s|cdk8s-plus-27|constructs|commander)[\\/]/;
let cli;
if (existsSync(bundle)) {
  const { cacheModules, commandVariant, requireCached } = require('../lib/cli/compile-cache.js');
  const variant = commandVariant(process.argv);
  // The packages rendering loads from node_modules (cdk8s' yaml included) are compiled with the cache too.
  cacheModules(variant, (file) => CACHED_PACKAGES.test(file));
  cli = requireCached(bundle, variant, module);
} else {
  cli = { runCli: require('../lib/cli/stdio.js').runCli, main: (argv, io) => require('../lib/cli/main.js').main(argv, io) };
}
cli.runCli((argv, io) => cli.main(argv, io));
