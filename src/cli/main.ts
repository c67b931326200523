/**
 * The `allot` command: a thin shell over the library. Machine output (JSON/CSV) goes to stdout or `--out`; human text
 * and progress to stderr. User errors print one line `allot: <CODE>: <message>` and exit 2; internal failures exit 1
 * (set ALLOT_DEBUG=1 to see the stack).
 *
 * Start-up: the command modules pull in the domains and their dependencies (@stdlib alone is ~800 CommonJS files), so
 * each is imported only when its command runs. The others are listed in `allot --help` from {@link COMMAND_INDEX}
 * (name, help term, description), which a test keeps equal to what the modules register.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help } from 'commander';
import { ERROR_CODES, isAllotError } from '../core/errors.js';
import { oneLine, setQuiet } from './io.js';

type Register = (program: Command) => void;

/** One top-level command: how `allot --help` lists it without loading it, and how to load it. */
export interface CommandIndexEntry {
  /** The command's term in `allot --help` (its name, `[options]` and arguments, as Commander prints them). */
  readonly term: string;
  /** Its description, as the module registers it. */
  readonly description: string;
  /** Imports the module and returns its register function. */
  readonly load: () => Promise<Register>;
}

/** The top-level commands in `allot --help` order. */
export const COMMAND_INDEX: Readonly<Record<string, CommandIndexEntry>> = {
  dp: {
    term: 'dp',
    description: 'dynamic programming: value function iteration with interpolation (cake eating)',
    load: async () => (await import('./commands/dp.js')).registerDp,
  },
  forecast: {
    term: 'forecast',
    description: 'quantile forecasts → allocations of a stock K across locations, allocation scores, WIS',
    load: async () => (await import('./commands/forecast.js')).registerForecast,
  },
  budget: {
    term: 'budget',
    description:
      'budgeted multiple-play bandits: the exact ILFP oracle, MRCB and baselines (Xia et al. 2016)',
    load: async () => (await import('./commands/budget.js')).registerBudget,
  },
  rank: {
    term: 'rank',
    description: 'ranking under position bias: PBM bandit simulations and position-bias estimation from logs',
    load: async () => (await import('./commands/rank.js')).registerRank,
  },
  explore: {
    term: 'explore',
    description:
      'multi-task UCB with per-user counts on a simulated short-video recommender, the three-group two-phase A/B ' +
      'test and exploration-efficiency metrics (Guo et al. 2023)',
    load: async () => (await import('./commands/explore.js')).registerExplore,
  },
  evaluate: {
    term: 'evaluate [options]',
    description:
      "estimate a target policy's expected reward per logged row from logged bandit feedback (off-policy evaluation)",
    load: async () => (await import('./commands/evaluate.js')).registerEvaluate,
  },
  reproduce: {
    term: 'reproduce [options] <domain>',
    description:
      "regenerate a seed paper's tables and plots as markdown + SVG (dp, forecast, budget, rank, explore, evaluate, " +
      'or all); dp and forecast also write report.json, which the dashboard (allot serve, /reproductions) shows',
    load: async () => (await import('./commands/reproduce.js')).registerReproduce,
  },
  serve: {
    term: 'serve [options]',
    description:
      'run the decision service: decide -> log with propensities -> join rewards by event id -> learn (HTTP + JSON, ' +
      'OpenAPI at /openapi.json, metrics at /metrics, dashboard at /)',
    load: async () => (await import('./commands/serve.js')).registerServe,
  },
  agents: {
    term: 'agents',
    description: "read a decision service's store: export the joined log, replay, snapshot",
    load: async () => (await import('./commands/agents.js')).registerAgents,
  },
  experiments: {
    term: 'experiments',
    description: 'live A/B experiments of learning agents run by the decision service (docs/experiments.md)',
    load: async () => (await import('./commands/experiments.js')).registerExperiments,
  },
};

/** The package version, read from package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Thrown by a placeholder command if it is ever dispatched: main() then loads every command and parses again. */
class LoadAllCommands extends Error {}

/** Help terms of the placeholder commands (the real term needs the module's options and arguments). */
const placeholderTerms = new WeakMap<Command, string>();

/**
 * The top-level command names `argv` can reach: the first operand (root options take no values), and after `help`
 * the one it asks about. `undefined` means "all" (nothing to guess from).
 */
function commandsNamed(argv: readonly string[]): string[] {
  const operands = argv.filter((a) => !a.startsWith('-'));
  const first = operands[0];
  if (first === undefined) return [];
  if (first === 'help') return operands[1] === undefined ? [] : [operands[1]];
  return [first];
}

/**
 * Builds the command tree. `load` names the commands whose modules are imported and registered (default: all); the
 * others are placeholders that `--help` lists with the same term and description.
 */
export async function buildProgram(load?: readonly string[]): Promise<Command> {
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
    .configureHelp({
      subcommandTerm(cmd: Command): string {
        return placeholderTerms.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
      },
    })
    .showHelpAfterError(false)
    .addHelpText(
      'after',
      '\nMachine output goes to stdout (or --out FILE); progress and messages to stderr.\n' +
        'Errors: one line "allot: CODE: message" on stderr; exit 2 for bad input, 1 for internal failures.\n' +
        'Docs: README.md and docs/ in the package.',
    );
  const wanted = new Set(load ?? Object.keys(COMMAND_INDEX));
  const registers = await Promise.all(
    Object.entries(COMMAND_INDEX).map(([name, e]) => (wanted.has(name) ? e.load() : undefined)),
  );
  Object.entries(COMMAND_INDEX).forEach(([name, e], i) => {
    const register = registers[i];
    if (register !== undefined) {
      register(program);
      return;
    }
    const placeholder = program
      .command(name)
      .description(e.description)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument('[args...]')
      .action(() => {
        throw new LoadAllCommands();
      });
    placeholderTerms.set(placeholder, e.term);
  });
  return program;
}

/** Runs the CLI on `argv` (without the node and script entries) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // A command that completes but reports a failed check (`agents replay`, `experiments replay`: exit 1) sets
  // process.exitCode; it is this run's result, and the caller's value is restored (tests run main in-process).
  const callers = process.exitCode;
  process.exitCode = undefined;
  try {
    let program = await buildProgram(commandsNamed(argv));
    try {
      await program.parseAsync([...argv], { from: 'user' });
    } catch (e) {
      if (!(e instanceof LoadAllCommands)) throw e;
      program = await buildProgram();
      await program.parseAsync([...argv], { from: 'user' });
    }
    return Number(process.exitCode ?? 0);
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
  } finally {
    process.exitCode = callers;
  }
}
