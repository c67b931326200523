/**
 * `allot experiments readout|replay`. readout: the readout of a live experiment (issue 12) straight from a service's store, the
 * same function `GET /v1/experiments/{id}/readout` calls: per group users, decisions, rewards per active user,
 * per-index rates and EI/TD/IU/TE; the lift test/control - 1 with a user-level 95 % interval; per day and phase.
 * replay: every state of the experiment rebuilt from the logs alone, compared with the stored state.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { AllotError } from '../../core/errors.js';
import { DEFAULT_TENANT } from '../../serve/auth.js';
import { experimentReadout, readoutOptions, replayExperiment } from '../../serve/experiments.js';
import { openStore } from '../../serve/open-store.js';
import { checkOutputPath, emit, info, parseInteger, toJson } from '../io.js';

import { DEFAULT_STORE } from './serve.js';

const EXPERIMENT_ID = /^[A-Za-z0-9._-]{1,100}$/;

interface ReadoutFlags {
  store: string;
  experiment: string;
  tenant: string;
  out?: string;
  samples: string;
  seed: string;
  daySeconds: string;
  maxWork: string;
}

/** Registers `allot experiments ...`. */
export function registerExperiments(program: Command): void {
  const experiments = program
    .command('experiments')
    .description('live A/B experiments of learning agents run by the decision service (docs/experiments.md)')
    .addHelpText(
      'after',
      '\nExample:\n  npx allot experiments readout --store sqlite:.allot/allot.db --experiment ucb-1',
    );
  experiments
    .command('readout')
    .description(
      "print an experiment's readout from a store: per group users, decisions, rewards per user, task rates, " +
        'EI/TD/IU/TE; lift test/control - 1 with a user-level 95% interval; per day (the same as GET .../readout)',
    )
    .option('--store <url>', 'memory | sqlite:PATH | redis://HOST:PORT[/DB]', DEFAULT_STORE)
    .requiredOption('--experiment <id>', 'experiment id (required)')
    .option('--tenant <name>', 'tenant the experiment belongs to (with --auth on the server)', DEFAULT_TENANT)
    .option('--out <file>', 'write RESULT.json here (default stdout; written atomically)')
    .option(
      '--samples <n>',
      'Monte Carlo draws per user-day for the exploration metrics (0: skip them)',
      '200',
    )
    .option('--seed <n>', 'seed of those draws', '1')
    .option('--day-seconds <n>', 'length of a readout day in seconds', '86400')
    .option(
      '--max-work <n>',
      'skip the exploration metrics when arms x samples x user-days exceeds this',
      '20000000',
    )
    .addHelpText(
      'after',
      '\nExample:\n  npx allot experiments readout --store sqlite:.allot/allot.db --experiment ucb-test --out out/readout.json',
    )
    .action(async (o: ReadoutFlags) => {
      checkId(o.experiment);
      const samples = parseInteger('--samples', o.samples, 0, 100_000);
      const seed = parseInteger('--seed', o.seed, 0);
      const daySeconds = parseInteger('--day-seconds', o.daySeconds, 1, 31_536_000);
      const maxWork = parseInteger('--max-work', o.maxWork, 0, 1e12);
      if (o.out !== undefined) checkOutputPath(o.out, '--out');
      const store = await openExisting(o.store);
      let readout: Awaited<ReturnType<typeof experimentReadout>>;
      try {
        readout = await experimentReadout(
          store,
          o.tenant,
          o.experiment,
          readoutOptions({
            samples: String(samples),
            seed: String(seed),
            daySeconds: String(daySeconds),
            maxWork: String(maxWork),
          }),
        );
      } catch (e) {
        if (e instanceof AllotError && e.code === 'ALLOT_UNKNOWN_AGENT')
          throw new AllotError('ALLOT_UNKNOWN_AGENT', `${e.message} in ${o.store} (tenant ${o.tenant})`);
        throw e;
      } finally {
        await store.close();
      }
      emit(`${toJson(readout)}\n`, o.out);
      const l = readout.lift;
      info(
        `phase ${readout.phase}: lift ${l.estimate === null ? '-' : l.estimate.toFixed(4)} ` +
          `[${l.ci95[0] === null ? '-' : l.ci95[0].toFixed(4)}, ${l.ci95[1] === null ? '-' : l.ci95[1].toFixed(4)}] (${l.method})` +
          (o.out === undefined ? '' : `; wrote ${o.out}`),
      );
    });

  experiments
    .command('replay')
    .description(
      'rebuild every state of an experiment from the logs alone (a Phase II group agent: the pooled log up to the switch, then its own) and check each equals the stored state',
    )
    .option('--store <url>', 'memory | sqlite:PATH | redis://HOST:PORT[/DB]', DEFAULT_STORE)
    .requiredOption('--experiment <id>', 'experiment id (required)')
    .option('--tenant <name>', 'tenant the experiment belongs to (with --auth on the server)', DEFAULT_TENANT)
    .option('--out <file>', 'write the report JSON here (default stdout; written atomically)')
    .addHelpText(
      'after',
      '\nExit 0 when every state is equal, 1 when one is not.\n\nExample:\n  npx allot experiments replay --store sqlite:.allot/allot.db --experiment ucb-1',
    )
    .action(async (o: Pick<ReadoutFlags, 'store' | 'experiment' | 'tenant' | 'out'>) => {
      checkId(o.experiment);
      if (o.out !== undefined) checkOutputPath(o.out, '--out');
      const store = await openExisting(o.store);
      let report: Awaited<ReturnType<typeof replayExperiment>>;
      try {
        report = await replayExperiment(store, o.tenant, o.experiment);
      } finally {
        await store.close();
      }
      emit(`${toJson(report)}\n`, o.out);
      info(
        report.equal
          ? `replay equals the stored state of ${report.agents.length} agents`
          : 'replay DIFFERS from the stored state',
      );
      if (!report.equal) process.exitCode = 1;
    });
}

function checkId(id: string): void {
  if (!EXPERIMENT_ID.test(id))
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `--experiment must match ${EXPERIMENT_ID.source} (got ${JSON.stringify(id)})`,
    );
}

async function openExisting(url: string) {
  if (url.startsWith('sqlite:') && !existsSync(url.slice('sqlite:'.length)))
    throw new AllotError('ALLOT_FILE_NOT_FOUND', `--store ${url}: no such SQLite file`);
  return openStore(url);
}
