#!/usr/bin/env node
'use strict';
// Streams, exit code and last-resort error handling: src/cli/stdio.ts; the commands: src/cli/main.ts.
require('../lib/cli/stdio.js').runCli((argv, io) => require('../lib/cli/main.js').main(argv, io));
