/**
 * The `qdrant-stack` command. Exit codes: 0 success, 1 failure while working, 2 usage or config error,
 * 3 (smoke) target unreachable or not ready.
 * Every message goes to stderr, except the results a command is asked for.
 */
import { Command, CommanderError, Option } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../config/errors';
import type { ResolvedStack } from '../config/load';
import { ENV_EXAMPLE_FILE } from '../files';
import { loadSmokeOptions, registerSmokeCommand } from './smoke-command';
import { registerCollectionsCommand } from './collections-command';
import { registerRestoreCommand } from './restore-command';
import { registerTokenCommand } from './token-command';

// Each command loads what it uses when it runs (cdk8s, zod, yaml, the clients): `--version`, `--help` and a
// usage error start in a few tens of milliseconds (test/cli-startup.test.ts).

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../package.json') as { version: string };

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** Runs the CLI with `argv` (as process.argv: node, script, args...); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('qdrant-stack')
    .description('Qdrant with Ollama and Redis on Kubernetes: render, validate and verify a stack from one model.')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nExit codes: 0 success, 1 failure, 2 invalid usage or config (smoke: 3 target unreachable or not ready).');

  program
    .command('synth')
    .description('render a stack into a folder (replaced atomically): Kubernetes manifests, docker-compose.yml, .env.example; each environment into <out>/<env>/')
    .option('-c, --config <file>', 'stack config file', 'stack.yaml')
    .option('-o, --out <dir>', 'output folder: created, or replaced when it holds only what qdrant-stack wrote there', 'dist')
    .option('-e, --env <name>', 'render only this environment, into <out>/<name>/')
    .option('--force', 'replace the output folder even when it holds files qdrant-stack did not write (they are lost)')
    .option('--allow-data-migration', 'render even when the change replaces or leaves behind a data volume of the previous render (move the data first)')
    .action(async (opts: { config: string; out: string; env?: string; force?: boolean; allowDataMigration?: boolean }) => {
      await zodJitless(); // before what follows loads src/config
      const { outputFolderProblems, refuseIfAny } = await import('../output');
      const { isRenderedName, objectsOf, renderModel, renderModels, writeRenders } = await import('../synth');
      const { assertDataKept, assertRenderable } = await import('../rollout');
      const { readRenders, refusedUpdates } = await import('../check');
      const { stackNamespace } = await import('../config/namespace');
      const out = opts.env && opts.out !== '' ? join(opts.out, opts.env) : opts.out;
      refuseIfAny(outputFolderProblems(out, { flag: '--out', config: opts.config, force: opts.force, ownName: isRenderedName }));
      const stack = await load(opts.config, io);
      const { selectEnvironment } = await import('../config/load');
      // Rendered once: the checks read these objects, and exactly these are written.
      const models = opts.env ? new Map([['.', renderModel(selectEnvironment(stack, opts.env, opts.config))]]) : renderModels(stack);
      const renders = objectsOf(models);
      assertRenderable(renders, opts.config);
      // The previous render: a change that loses data is refused, one the API server refuses is warned about.
      // Its files that hold what this render writes are not parsed: their objects are those in memory.
      const previous = existsSync(out) && statSync(out).isDirectory() ? readRenders(out, models) : new Map();
      if (!opts.allowDataMigration) assertDataKept(previous, renders, opts.config);
      writeRenders(out, models, { force: opts.force });
      if (opts.env) {
        const config = models.get('.')!.config;
        io.err(`synthesized environment '${opts.env}' of stack '${config.name}' (namespace ${stackNamespace(config)}) into ${out}/\n`);
      } else {
        const envs = [...stack.environments.keys()];
        io.err(`synthesized stack '${stack.base.name}' (namespace ${stackNamespace(stack.base)}) into ${out}/${envs.length ? `, environments ${envs.join(', ')} into ${out}/<env>/` : ''}\n`);
      }
      for (const f of refusedUpdates(previous, renders)) io.err(`warning: ${join(out, f.file)}: the API server refuses this update from the previous render: ${f.problem}\n`);
    });

  program
    .command('compose')
    .description('render the Docker Compose file of a stack (and its .env.example beside it)')
    .option('-c, --config <file>', 'stack config file', 'stack.yaml')
    .option('-o, --out <file>', 'Compose file to write', 'docker-compose.yml')
    .option('--force', 'write over a Compose file or .env.example that qdrant-stack did not write, or that was edited since')
    .action(async (opts: { config: string; out: string; force?: boolean }) => {
      const { outputFileProblems, refuseIfAny, writeOutputFile } = await import('../output');
      const envExample = join(dirname(opts.out), ENV_EXAMPLE_FILE);
      const composeFile = { flag: '--out', protect: [opts.config], example: 'docker-compose.yml', createFolders: true };
      const envFile = { flag: '--out', label: `${envExample} (written beside --out)`, protect: [opts.config], example: ENV_EXAMPLE_FILE, createFolders: true };
      const collides = opts.out !== '' && basename(opts.out) === ENV_EXAMPLE_FILE;
      refuseIfAny([
        ...outputFileProblems(opts.out, composeFile),
        ...(collides ? [`--out ${opts.out}: compose writes ${ENV_EXAMPLE_FILE} beside the Compose file, so the two would collide (choose another --out, e.g. docker-compose.yml)`] : outputFileProblems(envExample, envFile)),
      ]);
      const config = (await load(opts.config, io)).base;
      const { renderCompose, renderEnvExample } = await import('../compose/render');
      const compose = renderCompose(config);
      const env = renderEnvExample(config);
      // Replaced only when qdrant-stack wrote them (the Compose file's header; an unedited env template), or with --force.
      refuseIfAny([
        ...outputFileProblems(opts.out, { ...composeFile, ours: (text) => text.startsWith(firstLine(compose)), force: opts.force }),
        ...outputFileProblems(envExample, { ...envFile, ours: (text) => isEnvTemplate(text, env), force: opts.force }),
      ]);
      writeOutputFile(opts.out, compose, { createFolders: true });
      writeOutputFile(envExample, env, { createFolders: true });
      io.err(`wrote ${opts.out} and ${envExample} (copy it to .env and set the secrets)\n`);
    });

  program
    .command('plan')
    .description('print CPU, memory and storage requests and limits per component and in total')
    .option('-c, --config <file>', 'stack config file', 'stack.yaml')
    .option('-e, --env <name>', 'plan this environment')
    .option('-d, --dist <dir>', 'output folder holding the previous render, to check the upgrade against (its <env>/ subfolder with --env)', 'dist')
    .option('--job <purpose>', 'print only the name of the Job of this purpose that the render produces (smoke-test, ollama-pull, secret-generator), e.g. for kubectl wait')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { config: string; env?: string; dist: string; job?: string; format: 'text' | 'json' }) => {
      const stack = await load(opts.config, io);
      const { selectEnvironment } = await import('../config/load');
      const { renderModel } = await import('../synth');
      const { assertRenderable, rollout } = await import('../rollout');
      const config = selectEnvironment(stack, opts.env, opts.config);
      const render = renderModel(config);
      assertRenderable(new Map([['.', render.objects]]), opts.config);
      const rolled = rollout(config, opts.env ? join(opts.dist, opts.env) : opts.dist, render);
      if (opts.job !== undefined) {
        const job = rolled.jobs.find((j) => j.purpose === opts.job);
        if (!job) throw new ConfigError([{ path: '--job', message: `no Job of purpose "${opts.job}" in this render (it has: ${rolled.jobs.map((j) => j.purpose).join(', ') || 'none'})` }], opts.config);
        io.out(`${job.name}\n`);
        return;
      }
      const { plan } = await import('../config/plan');
      const { formatPlan, formatRollout } = await import('./plan-format');
      const result = plan(config);
      const title = `plan for stack '${config.name}'${opts.env ? ` (environment ${opts.env})` : ''}${config.profile ? `, profile ${config.profile}` : ''}`;
      io.out(opts.format === 'json' ? `${JSON.stringify({ ...result, rollout: rolled }, null, 2)}\n` : `${formatPlan(result, title)}\n${formatRollout(rolled)}`);
    });

  program
    .command('check')
    .description('CI guard: fail when the config is invalid, the committed output is stale, or a manifest breaks its Kubernetes schema')
    .option('-c, --config <file>', 'stack config file', 'stack.yaml')
    .option('-d, --dist <dir>', 'committed output folder', 'dist')
    .option('-b, --base <dir>', 'the previous render (e.g. what is deployed, or the main branch\'s dist/): fail on updates the API server would refuse')
    .option('--allow-data-migration', 'do not fail on data volumes the model replaces or leaves behind, against the committed or --base render')
    .action(async (opts: { config: string; dist: string; base?: string; allowDataMigration?: boolean }) => {
      const stack = await load(opts.config, io);
      const { objectsOf, renderModels } = await import('../synth');
      const { assertRenderable, dataVolumeFindings, hasRender } = await import('../rollout');
      const { clusterRuleFindings, invalidObjects, readRenders, staleFiles, upgradeFindings } = await import('../check');
      if (opts.base !== undefined && !hasRender(opts.base)) throw new ConfigError([{ path: '--base', message: `${opts.base} holds no rendered manifests (*.k8s.yaml)` }], opts.config);
      // Rendered once: checked, then compared with the committed files.
      const models = renderModels(stack);
      const renders = objectsOf(models);
      assertRenderable(renders, opts.config);
      const stale = staleFiles(stack, opts.dist, models);
      const present = existsSync(opts.dist);
      const { findings: invalid, checked, skipped } = present ? invalidObjects(opts.dist) : { findings: [], checked: 0, skipped: [] };
      const refused = present ? clusterRuleFindings(opts.dist, models) : [];
      const upgrade = present && opts.base ? upgradeFindings(opts.base, opts.dist) : [];
      // Data volumes the model leaves behind: against the committed render (the change not yet synthesized) and the base.
      const dataLoss = opts.allowDataMigration ? [] : [...(present ? dataVolumeFindings(readRenders(opts.dist, models), renders) : []), ...(opts.base ? dataVolumeFindings(readRenders(opts.base), renders, opts.base) : [])];
      for (const f of [...stale, ...invalid, ...refused, ...upgrade, ...dataLoss]) io.err(`${join(opts.dist, f.file)}: ${f.problem}\n`);
      const skippedNote = skipped.length ? `; not schema-checked (no schema at hand): ${skipped.join(', ')}` : '';
      if (stale.length || invalid.length || refused.length || upgrade.length || dataLoss.length) {
        const counts = [
          `${stale.length} stale file(s)`,
          `${invalid.length} invalid object(s)`,
          `${refused.length} API server rule violation(s)`,
          ...(opts.base ? [`${upgrade.length} refused update(s)`] : []),
          ...(dataLoss.length ? [`${dataLoss.length} data volume(s) replaced or left behind (move the data, then --allow-data-migration)`] : []),
        ];
        io.err(`check: FAILED — ${counts.join(', ')}${stale.length ? '; run `qdrant-stack synth` (npm run synth) and commit dist/' : ''}\n`);
        code = EXIT.failed;
        return;
      }
      const upgradeNote = opts.base ? `, every update from ${opts.base}/ is legal` : '';
      io.out(`check: ${opts.config} valid, ${opts.dist}/ up to date, ${checked} objects match their Kubernetes schema, none breaks an API server rule${upgradeNote}${skippedNote}\n`);
    });

  program
    .command('validate')
    .description('check a stack config and report every problem at once')
    .option('-c, --config <file>', 'stack config file', 'stack.yaml')
    .action(async (opts: { config: string }) => {
      const stack = await load(opts.config, io);
      const { renderAll, assertRenderable } = await import('../rollout');
      // The same rules as synth: a model whose render a cluster would refuse is not valid.
      assertRenderable(renderAll(stack), opts.config);
      const envs = [...stack.environments.keys()];
      io.out(`${opts.config}: valid (stack '${stack.base.name}', ${stack.base.qdrant.collections.length} collection(s)${envs.length ? `, environments: ${envs.join(', ')}` : ''})\n`);
    });

  const smoke = registerSmokeCommand(program, io, (c) => (code = c));
  registerCollectionsCommand(program, io, (c) => (code = c));
  registerRestoreCommand(program, io, (c) => (code = c));
  registerTokenCommand(program, io);

  try {
    // `help smoke` prints the smoke command's help without running it: its options are loaded first.
    if (commandOf(argv) === 'smoke') await loadSmokeOptions(smoke);
    await program.parseAsync(argv as string[]);
  } catch (e) {
    code = exitCodeOf(e, io);
  }
  return code;
}

/**
 * The command `argv` names (`help <command>` names that command): the program has no option taking a value,
 * so it is the first argument that is not an option.
 */
function commandOf(argv: readonly string[]): string | undefined {
  const operands = argv.slice(2).filter((a) => !a.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : operands[0];
}

/**
 * zod's JIT compiles (new Function) a parser for each object schema the first time it parses with it: work that
 * a command, which parses each schema about once, pays for and never gets back (README "## Performance"). Each
 * schema reads the setting when it is built, that is when src/config is first loaded: so before that.
 */
async function zodJitless(): Promise<void> {
  (await import('zod')).config({ jitless: true });
}

/** Loads a stack config and prints its warnings (valid, but probably not meant). */
async function load(file: string, io: Io): Promise<ResolvedStack> {
  await zodJitless();
  const { loadStack } = await import('../config/load');
  const stack = loadStack(file);
  for (const w of stack.warnings) io.err(`warning: ${file}: ${w.path}: ${w.message}\n`);
  return stack;
}

function exitCodeOf(e: unknown, io: Io): number {
  if (e instanceof CommanderError) {
    // --help and --version end through here too, with exit code 0.
    return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (e instanceof ConfigError) {
    io.err(`error: ${e.message}\n`);
    return EXIT.usage;
  }
  // Loaded only now: an OutputError comes from src/output.ts, which the command loaded then.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { OutputError } = require('../output') as typeof import('../output');
  if (e instanceof OutputError) {
    for (const problem of e.problems) io.err(`error: ${problem}\n`);
    return EXIT.usage;
  }
  const err = e as NodeJS.ErrnoException;
  const hint = err.path ? FILE_ERRORS[err.code ?? ''] : undefined;
  io.err(`error: ${hint ? `${err.path}: ${hint}` : err.message}\n`);
  return EXIT.failed;
}

const firstLine = (text: string) => text.slice(0, text.indexOf('\n') + 1);

/**
 * Whether `existing` is an .env.example as qdrant-stack writes them, unedited: the header of `fresh` (its
 * comment lines) and then only empty `NAME=` lines, so a render of an older model counts, a filled-in value
 * or an added line does not.
 */
function isEnvTemplate(existing: string, fresh: string): boolean {
  const header = fresh.split('\n').filter((l) => l.startsWith('#'));
  const lines = existing.split('\n');
  return header.every((l, i) => lines[i] === l) && lines.slice(header.length).every((l) => l === '' || /^[A-Z_][A-Z0-9_]*=$/.test(l));
}

/** What to do about the file system errors a command can hit. */
const FILE_ERRORS: Record<string, string> = {
  EACCES: 'permission denied (choose another --out, or fix the folder\'s permissions)',
  EPERM: 'operation not permitted (choose another --out)',
  EROFS: 'read-only file system (choose another --out)',
  ENOSPC: 'no space left on the device',
  EFBIG: 'file too large (a file size limit is in force)',
  ENOTDIR: 'a parent of this path is a file, not a folder (choose another --out)',
  EEXIST: 'is in the way: a file where a folder is needed (remove it, or choose another --out)',
};

if (require.main === module) {
  // As the bin does (npm run synth and check run this file through tsx): quiet closed pipes, no stack traces.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./stdio') as typeof import('./stdio')).runCli(main);
}
