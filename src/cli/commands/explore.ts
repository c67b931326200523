/**
 * `allot explore simulate`: the two-phase, three-group A/B test of multi-task UCB (Guo et al. 2023) on the
 * simulated short-video recommender, with the exploration-efficiency metrics per group and day.
 */
import type { Command } from 'commander';
import { AllotError } from '../../core/errors.js';
import { createRng } from '../../core/rng.js';
import {
  activityChart,
  efficiencyLevelChart,
  efficiencyLiftChart,
  JOB_MODULE,
  playsLiftChart,
  type RecsysExperimentConfig,
  type RecsysExperimentResult,
  resolveRecsysExperiment,
  runRecsysExperiment,
  taskLiftChart,
} from '../../experiments/index.js';
import { runReplications } from '../../sim/pool.js';
import { createProgress } from '../../sim/progress.js';
import { emit, info, parseInteger, parseNumber, parseNumberList, toJson } from '../io.js';
import { writeSvg } from '../svg.js';

/** Raw options of `explore simulate` as commander hands them over. */
interface SimulateOptions {
  users: string;
  topics: string;
  daysBurnin: string;
  daysPhase1: string;
  daysPhase2: string;
  shares: string;
  gamma: string;
  seed: string;
  workers?: string;
  replications: string;
  posteriorSamples: string;
  out?: string;
  plot?: string;
}

/** Parses and validates the options into experiment settings (one AllotError naming the flag on bad input). */
export function parseSimulateOptions(o: SimulateOptions): {
  config: Partial<RecsysExperimentConfig>;
  seed: number;
  workers: number | undefined;
  replications: number;
} {
  const users = parseInteger('--users', o.users, 1);
  const topics = parseInteger('--topics', o.topics, 1);
  if (topics > 1024) throw new AllotError('ALLOT_OUT_OF_RANGE', `--topics must be <= 1024 (got ${topics})`);
  const daysBurnin = parseInteger('--days-burnin', o.daysBurnin, 0);
  const daysPhase1 = parseInteger('--days-phase1', o.daysPhase1, 1);
  const daysPhase2 = parseInteger('--days-phase2', o.daysPhase2, 1);
  const shares = parseNumberList('--shares', o.shares);
  if (shares.length !== 3) {
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `--shares must list 3 shares production,control,test (got ${shares.length})`,
    );
  }
  for (const s of shares) {
    if (s < 0 || s > 1)
      throw new AllotError('ALLOT_OUT_OF_RANGE', `--shares must each be in [0, 1] (got ${s})`);
  }
  const sum = shares[0]! + shares[1]! + shares[2]!;
  if (Math.abs(sum - 1) > 1e-9) {
    throw new AllotError('ALLOT_OUT_OF_RANGE', `--shares must sum to 1 (got ${Number(sum.toPrecision(12))})`);
  }
  if (!(shares[1]! > 0 && shares[2]! > 0)) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `--shares must give control and test a share > 0 (got ${shares[1]} and ${shares[2]})`,
    );
  }
  const gamma = parseNumber('--gamma', o.gamma);
  if (gamma < 0) throw new AllotError('ALLOT_OUT_OF_RANGE', `--gamma must be >= 0 (got ${gamma})`);
  const seed = parseInteger('--seed', o.seed, 0);
  const workers = o.workers === undefined ? undefined : parseInteger('--workers', o.workers, 1);
  const replications = parseInteger('--replications', o.replications, 1);
  const posteriorSamples = parseInteger('--posterior-samples', o.posteriorSamples, 1);
  const config: Partial<RecsysExperimentConfig> = {
    users,
    topics,
    daysBurnin,
    daysPhase1,
    daysPhase2,
    shares: [shares[0]!, shares[1]!, shares[2]!],
    gamma,
    posteriorSamples,
  };
  resolveRecsysExperiment(config);
  return { config, seed, workers, replications };
}

/** Writes the SVG analogues of Figures 3–6 for one result under PREFIX. */
export async function writeExplorePlots(prefix: string, r: RecsysExperimentResult): Promise<string[]> {
  const files = [
    [`${prefix}-plays-lift.svg`, playsLiftChart(r.days)],
    [
      `${prefix}-activity.svg`,
      activityChart(r.buckets.control, 'Exploration efficiency by user activity (control)'),
    ],
    [`${prefix}-efficiency-lift.svg`, efficiencyLiftChart(r.days)],
    [`${prefix}-EI.svg`, efficiencyLevelChart(r.days, 'EI')],
    [`${prefix}-TE.svg`, efficiencyLevelChart(r.days, 'TE')],
    [`${prefix}-TD.svg`, efficiencyLevelChart(r.days, 'TD')],
    [`${prefix}-tasks-lift.svg`, taskLiftChart(r.days)],
  ] as const;
  for (const [path, spec] of files) await writeSvg(path, spec);
  return files.map(([p]) => p);
}

/** Mean lift of plays per day over replications, with the spread across replications. */
function replicationSummary(results: readonly RecsysExperimentResult[]): unknown {
  const days = results[0]!.days.length;
  const out: unknown[] = [];
  for (let d = 0; d < days; d++) {
    const xs = results.map((r) => r.days[d]!.lift.plays.estimate).filter((v): v is number => v !== null);
    const mean = xs.reduce((s, v) => s + v, 0) / Math.max(1, xs.length);
    const sd =
      xs.length > 1
        ? Math.sqrt(xs.reduce((s, v) => s + (v - mean) * (v - mean), 0) / (xs.length - 1))
        : Number.NaN;
    const se = sd / Math.sqrt(xs.length);
    out.push({
      day: results[0]!.days[d]!.day,
      phase: results[0]!.days[d]!.phase,
      plays: { estimate: mean, ci95: [mean - 1.96 * se, mean + 1.96 * se], replications: xs.length },
    });
  }
  return out;
}

/** Registers the `explore` commands on the program. */
export function registerExplore(program: Command): void {
  const explore = program
    .command('explore')
    .description(
      'multi-task UCB with per-user counts on a simulated short-video recommender, the three-group two-phase A/B ' +
        'test and exploration-efficiency metrics (Guo et al. 2023)',
    );

  explore
    .command('simulate')
    .description(
      'simulate the two-phase A/B test (Phase I: pooled reward model, UCB in test only; Phase II: one model per ' +
        'group) and print RESULT.json {setting, days:[{day, phase, groups:{production, control, test}, lift}], ' +
        'buckets, assigned}',
    )
    .option('--users <n>', 'number of simulated users (>= 1)', '20000')
    .option('--topics <n>', 'number of topics (arms), the coarse taxonomy (1..1024)', '30')
    .option('--days-phase1 <n>', 'days of Phase I (>= 1)', '21')
    .option('--days-phase2 <n>', 'days of Phase II (>= 1)', '14')
    .option('--days-burnin <n>', 'days of production-only history before the experiment (>= 0)', '14')
    .option('--shares <p,c,t>', 'shares of production, control, test (sum 1)', '0.9,0.05,0.05')
    .option('--gamma <x>', 'UCB exploration scale gamma of the test group (>= 0)', '1')
    .option('--seed <n>', 'root seed', '1')
    .option(
      '--workers <n>',
      'worker threads for --replications > 1 (one replication is sequential by day; default: all cores)',
    )
    .option(
      '--replications <n>',
      'independent replications (seeds forked from --seed), run on the worker pool',
      '1',
    )
    .option('--posterior-samples <n>', 'Monte Carlo draws per user and day for the belief P', '100')
    .option('--out <file>', 'write RESULT.json here instead of stdout')
    .option(
      '--plot <prefix>',
      'also write PREFIX-plays-lift.svg, -activity.svg, -efficiency-lift.svg, -EI.svg, -TE.svg, -TD.svg, -tasks-lift.svg',
    )
    .action(async (o: SimulateOptions) => {
      const { config, seed, workers, replications } = parseSimulateOptions(o);
      const t0 = performance.now();
      let result: RecsysExperimentResult;
      let extra: Record<string, unknown> = {};
      if (replications === 1) {
        const progress = createProgress('explore simulate', process.stderr.isTTY === true);
        try {
          result = runRecsysExperiment(config, createRng(seed).fork(0), (d, t) => progress.update(d, t));
        } finally {
          progress.stop();
        }
      } else {
        const progress = createProgress('explore replications', process.stderr.isTTY === true);
        let all: RecsysExperimentResult[];
        try {
          all = await runReplications<Partial<RecsysExperimentConfig>, RecsysExperimentResult>(
            { module: JOB_MODULE, name: 'recsysExperimentJob' },
            config,
            {
              runs: replications,
              seed,
              ...(workers !== undefined ? { workers } : {}),
              onProgress: (d, t) => progress.update(d, t),
            },
          );
        } finally {
          progress.stop();
        }
        result = all[0]!;
        extra = {
          replications: {
            runs: replications,
            liftByDay: replicationSummary(all),
            lifts: all.map((r) => r.days.map((d) => d.lift.plays.estimate)),
          },
        };
      }
      const body = { ...result, setting: { ...result.setting, seed, replications }, ...extra };
      if (o.plot !== undefined) await writeExplorePlots(o.plot, result);
      emit(toJson(body), o.out);
      info(`explore simulate: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    });
}
