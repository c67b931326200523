/**
 * The `allot` command: a thin shell over the library. Machine output (JSON/CSV) goes to stdout or `--out`; human text
 * and progress to stderr. User errors print one line `allot: <CODE>: <message>` and exit 2; internal failures exit 1
 * (set ALLOT_DEBUG=1 to see the stack).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ERROR_CODES, isAllotError } from '../core/errors.js';
import { registerAgents } from './commands/agents.js';
import { registerBudget } from './commands/budget.js';
import { registerDp } from './commands/dp.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerExperiments } from './commands/experiments.js';
import { registerExplore } from './commands/explore.js';
import { registerForecast } from './commands/forecast.js';
import { registerRank } from './commands/rank.js';
import { registerReproduce } from './commands/reproduce.js';
import { registerServe } from './commands/serve.js';
import { oneLine, setQuiet } from './io.js';

/** The package version, read from package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Builds the command tree (exported for tests and docs generation). */
export function buildProgram(): Command {
  const program = new Command('allot');
  program
    .description(
      'allot: deciding under uncertainty (bandits, ranking, budgets, forecast allocation, dynamic programming)',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('-q, --quiet', 'print no progress, summaries or warnings on stderr (errors still print)')
    .hook('preAction', (_root, action) => {
      // Any level may say --quiet (a subcommand's own --quiet default must not hide the global one).
      let q = process.env['ALLOT_QUIET'] === '1';
      for (let c: Command | null = action; c !== null; c = c.parent) q ||= c.opts()['quiet'] === true;
      setQuiet(q);
    })
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .showHelpAfterError(false)
    .addHelpText(
      'after',
      '\nMachine output goes to stdout (or --out FILE); progress and messages to stderr.\n' +
        'Errors: one line "allot: CODE: message" on stderr; exit 2 for bad input, 1 for internal failures.\n' +
        'Docs: README.md and docs/ in the package.',
    );
  registerDp(program);
  registerForecast(program);
  registerBudget(program);
  registerRank(program);
  registerExplore(program);
  registerEvaluate(program);
  registerReproduce(program);
  registerServe(program);
  registerAgents(program);
  registerExperiments(program);
  return program;
}

/** Runs the CLI on `argv` (without the node and script entries) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      ) {
        return 0;
      }
      if (e.code === 'commander.executeSubCommandAsync') return e.exitCode;
      const msg = e.message.replace(/^error:\s*/, '');
      const code = e.code === 'commander.unknownCommand' ? 'ALLOT_UNKNOWN_OPTION' : 'ALLOT_INVALID_ARGUMENT';
      process.stderr.write(`allot: ${code}: ${oneLine(msg)} (see --help)\n`);
      return 2;
    }
    if (isAllotError(e)) {
      const user = ERROR_CODES[e.code]?.userError ?? false;
      process.stderr.write(`allot: ${e.code}: ${oneLine(e.message)}\n`);
      if (!user && process.env['ALLOT_DEBUG']) process.stderr.write(`${e.stack ?? ''}\n`);
      return user ? 2 : 1;
    }
    const err = e as Error;
    process.stderr.write(`allot: ALLOT_INTERNAL: ${oneLine(err?.message ?? String(e))}\n`);
    if (process.env['ALLOT_DEBUG']) process.stderr.write(`${err?.stack ?? ''}\n`);
    return 1;
  }
}
