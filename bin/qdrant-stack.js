#!/usr/bin/env node
'use strict';
// Streams, exit code and last-resort error handling: src/cli/stdio.ts; the commands: src/cli/main.ts.
// Both run from one bundle, lib/cli.cjs (scripts/bundle-cli.mjs), with the packages they render with
// (cdk8s, cdk8s-plus-27, constructs, commander, yaml, zod, ...), compiled with a code cache per command
// (src/cli/compile-cache.ts); from lib/cli/*.js, on the packages in node_modules, when the bundle was not built.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'lib', 'cli.cjs');
let cli;
if (existsSync(bundle)) {
  const { commandVariant, requireCached } = require('../lib/cli/compile-cache.js');
  cli = requireCached(bundle, commandVariant(process.argv), module);
} else {
  cli = { runCli: require('../lib/cli/stdio.js').runCli, main: (argv, io) => require('../lib/cli/main.js').main(argv, io) };
}
cli.runCli((argv, io) => cli.main(argv, io));
