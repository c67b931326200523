/**
 * `allot explore simulate`: the two-phase, three-group A/B test of multi-task UCB (Guo et al. 2023) on the
 * simulated short-video recommender, with the exploration-efficiency metrics per group and day.
 */
import type { Command } from 'commander';
import { AllotError } from '../../core/errors.js';
import { createRng } from '../../core/rng.js';
import {
  activityChart,
  combineRecsysArms,
  createRecsysBurninShared,
  createRecsysMetricShared,
  efficiencyLevelChart,
  efficiencyLiftChart,
  JOB_MODULE,
  playsLiftChart,
  RECSYS_LIMITS,
  type RecsysArmJobInput,
  type RecsysArmResult,
  type RecsysExperimentConfig,
  type RecsysExperimentResult,
  resolveRecsysExperiment,
  runRecsysExperiment,
  taskLiftChart,
  truthChart,
} from '../../experiments/index.js';
import { defaultWorkers, runReplications } from '../../sim/pool.js';
import { createProgress } from '../../sim/progress.js';
import { MAX_ITEMS_PER_TOPIC, WORLD_PRESET_NAMES } from '../../sim/recsys/world.js';
import {
  aliasOption,
  checkOutputPath,
  info,
  numberOption,
  type OutputSpec,
  output,
  parseInteger,
  parseNumber,
  parseNumberList,
  pickAlias,
  toJson,
  writeOutputs,
} from '../io.js';
import { renderSvg } from '../svg.js';

/** Raw options of `explore simulate` as commander hands them over. */
export interface SimulateOptions {
  users: string;
  topics: string;
  daysBurnin: string;
  daysPhase1: string;
  daysPhase2: string;
  shares: string;
  gamma: string;
  gammaScale?: string;
  unseenCount?: string;
  discount?: string;
  preset?: string;
  newTopics?: string;
  interestHalfLife?: string;
  activityResponse?: string;
  itemsPerTopic?: string;
  itemSd?: string;
  sourcing?: string;
  posteriorMethod?: string;
  truth?: boolean;
  seed: string;
  workers?: string;
  runs?: string;
  replications?: string;
  posteriorSamples: string;
  out?: string;
  plot?: string;
}

/** Documented maxima of `explore simulate` (checked before any work starts). */
export const EXPLORE_CLI_LIMITS: {
  readonly users: number;
  readonly days: number;
  readonly runs: number;
  readonly posteriorSamples: number;
  /** users x (burn-in + Phase I + Phase II days) x runs: the simulated user-days. */
  readonly userDays: number;
} = {
  users: RECSYS_LIMITS.users,
  days: RECSYS_LIMITS.days,
  runs: RECSYS_LIMITS.replications,
  posteriorSamples: RECSYS_LIMITS.posteriorSamples,
  userDays: RECSYS_LIMITS.userDays,
};

/** Parses and validates the options into experiment settings (one AllotError naming the flag on bad input). */
export function parseSimulateOptions(o: SimulateOptions): {
  config: Partial<RecsysExperimentConfig>;
  seed: number;
  workers: number | undefined;
  replications: number;
} {
  const users = parseInteger('--users', o.users, 1, EXPLORE_CLI_LIMITS.users);
  const topics = parseInteger('--topics', o.topics, 1, RECSYS_LIMITS.topics);
  const daysBurnin = parseInteger('--days-burnin', o.daysBurnin, 0, EXPLORE_CLI_LIMITS.days);
  const daysPhase1 = parseInteger('--days-phase1', o.daysPhase1, 1, EXPLORE_CLI_LIMITS.days);
  const daysPhase2 = parseInteger('--days-phase2', o.daysPhase2, 1, EXPLORE_CLI_LIMITS.days);
  const shares = parseNumberList('--shares', o.shares, 3);
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
  const workers = o.workers === undefined ? undefined : parseInteger('--workers', o.workers, 1, 256);
  const replications = parseInteger(
    o.runs === undefined && o.replications !== undefined ? '--replications' : '--runs',
    pickAlias(['--runs', '--replications'], [o.runs, o.replications], '1'),
    1,
    EXPLORE_CLI_LIMITS.runs,
  );
  const posteriorSamples = parseInteger(
    '--posterior-samples',
    o.posteriorSamples,
    1,
    EXPLORE_CLI_LIMITS.posteriorSamples,
  );
  const userDays = users * (daysBurnin + daysPhase1 + daysPhase2) * replications;
  if (userDays > EXPLORE_CLI_LIMITS.userDays) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `--users x (--days-burnin + --days-phase1 + --days-phase2) x --runs must be <= ${EXPLORE_CLI_LIMITS.userDays} simulated user-days (got ${userDays})`,
    );
  }
  const choice = <T extends string>(
    flag: string,
    raw: string | undefined,
    choices: readonly T[],
  ): T | undefined => {
    if (raw === undefined) return undefined;
    if (!(choices as readonly string[]).includes(raw)) {
      throw new AllotError(
        'ALLOT_UNKNOWN_OPTION',
        `${flag} must be one of ${choices.join(', ')} (got ${JSON.stringify(raw)})`,
      );
    }
    return raw as T;
  };
  const gammaScale = choice('--gamma-scale', o.gammaScale, ['spread', 'absolute'] as const);
  const preset = choice('--preset', o.preset, WORLD_PRESET_NAMES);
  const sourcing = choice('--sourcing', o.sourcing, ['personalised', 'uniform'] as const);
  const posteriorMethod = choice('--posterior-method', o.posteriorMethod, [
    'quadrature',
    'montecarlo',
  ] as const);
  const world: Record<string, unknown> = {};
  if (sourcing !== undefined) world.sourcing = sourcing;
  if (o.newTopics !== undefined) world.newTopics = parseInteger('--new-topics', o.newTopics, 0, topics - 1);
  if (o.interestHalfLife !== undefined) {
    const h = parseNumber('--interest-half-life', o.interestHalfLife);
    if (h < 0) throw new AllotError('ALLOT_OUT_OF_RANGE', `--interest-half-life must be >= 0 (got ${h})`);
    world.interestHalfLife = h;
  }
  if (o.activityResponse !== undefined) {
    const b = parseNumber('--activity-response', o.activityResponse);
    if (b < 0 || b > 20)
      throw new AllotError('ALLOT_OUT_OF_RANGE', `--activity-response must be in [0, 20] (got ${b})`);
    world.activityResponse = b;
  }
  if (o.itemsPerTopic !== undefined) {
    world.itemsPerTopic = parseInteger('--items-per-topic', o.itemsPerTopic, 1, MAX_ITEMS_PER_TOPIC);
  }
  if (o.itemSd !== undefined) {
    const sd = parseNumber('--item-sd', o.itemSd);
    if (sd < 0 || sd > 10)
      throw new AllotError('ALLOT_OUT_OF_RANGE', `--item-sd must be in [0, 10] (got ${sd})`);
    world.itemSd = sd;
  }
  const config: Partial<RecsysExperimentConfig> = {
    users,
    topics,
    daysBurnin,
    daysPhase1,
    daysPhase2,
    shares: [shares[0]!, shares[1]!, shares[2]!],
    gamma,
    posteriorSamples,
    ...(gammaScale !== undefined ? { gammaScale } : {}),
    ...(preset !== undefined ? { preset } : {}),
    ...(posteriorMethod !== undefined ? { posteriorMethod } : {}),
    ...(o.truth === false ? { truth: false } : {}),
    world,
  };
  if (o.unseenCount !== undefined) {
    const u = parseNumber('--unseen-count', o.unseenCount);
    if (u < 0) throw new AllotError('ALLOT_OUT_OF_RANGE', `--unseen-count must be >= 0 (got ${u})`);
    (config as { unseenCount?: number }).unseenCount = u;
  }
  if (o.discount !== undefined) {
    const d = parseNumber('--discount', o.discount);
    if (!(d > 0 && d <= 1))
      throw new AllotError('ALLOT_OUT_OF_RANGE', `--discount must be in (0, 1] (got ${d})`);
    (config as { discount?: number }).discount = d;
  }
  resolveRecsysExperiment(config);
  return { config, seed, workers, replications };
}

/**
 * Runs R replications of the experiment, each as two arms (the experiment and its counterfactual) on the worker
 * pool, and combines them. Replication r uses `createRng(seed).fork(r)`.
 */
export async function runExploreReplications(
  config: Partial<RecsysExperimentConfig>,
  seed: number,
  replications: number,
  workers: number | undefined,
  onProgress?: (done: number, total: number) => void,
): Promise<RecsysExperimentResult[]> {
  const c = resolveRecsysExperiment(config);
  const settings = Array.from({ length: replications }, () => c);
  const streams = Array.from({ length: replications }, (_, r) => r);
  const arms = c.truth ? 2 : 1;
  // With the counterfactual, its thread helps compute the experiment's exploration metrics once it is done.
  const shared = arms === 2 ? settings.map((x) => createRecsysMetricShared(x)) : undefined;
  // With two threads or more, the two arms' threads simulate the burn-in (the same in both arms) together.
  const burnin =
    arms === 2 && Math.min(workers ?? defaultWorkers(), arms * replications) >= 2
      ? settings.map((x) => createRecsysBurninShared(x))
      : undefined;
  const input: RecsysArmJobInput = {
    settings,
    seed,
    streams,
    arms,
    ...(shared ? { shared } : {}),
    ...(burnin ? { burnin } : {}),
  };
  const jobs = await runReplications<RecsysArmJobInput, RecsysArmResult>(
    { module: JOB_MODULE, name: 'recsysArmJob' },
    input,
    {
      runs: arms * replications,
      seed,
      chunk: 1,
      ...(workers !== undefined ? { workers } : {}),
      ...(onProgress !== undefined ? { onProgress } : {}),
    },
  );
  return Array.from({ length: replications }, (_, r) =>
    combineRecsysArms(jobs[arms * r]!, arms === 2 ? jobs[2 * r + 1] : undefined),
  );
}

/** Renders the SVG analogues of Figures 3–6 (and the truth chart) for one result under PREFIX, without writing. */
export async function renderExplorePlots(prefix: string, r: RecsysExperimentResult): Promise<OutputSpec[]> {
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
    ...(r.truth !== null ? ([[`${prefix}-truth.svg`, truthChart(r.days)]] as const) : []),
  ] as const;
  const out: OutputSpec[] = [];
  for (const [path, spec] of files) out.push({ path, data: await renderSvg(spec), flag: '--plot' });
  return out;
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
        'group) on the same users with and without exploration, and print RESULT.json {setting, days:[{day, phase, ' +
        'groups:{production, control, test}, lift, truth, aa, cumulative}], truth, phases:[{phase, lift, aa, ' +
        'truth, leakage, liftCuped}], power, buckets, assigned}',
    )
    .addOption(
      numberOption('--users <n>', `number of simulated users, 1..${EXPLORE_CLI_LIMITS.users}`, 20000),
    )
    .addOption(numberOption('--topics <n>', 'number of topics (arms), the coarse taxonomy, 1..1024', 30))
    .addOption(numberOption('--days-phase1 <n>', `days of Phase I, 1..${EXPLORE_CLI_LIMITS.days}`, 21))
    .addOption(numberOption('--days-phase2 <n>', `days of Phase II, 1..${EXPLORE_CLI_LIMITS.days}`, 14))
    .addOption(
      numberOption(
        '--days-burnin <n>',
        `days of production-only history before the experiment (the CUPED pre-period), 0..${EXPLORE_CLI_LIMITS.days}`,
        14,
      ),
    )
    .option('--shares <p,c,t>', 'shares of production, control, test (sum 1)', '0.9,0.05,0.05')
    .addOption(
      numberOption(
        '--gamma <x>',
        'UCB exploration scale gamma of the test group (>= 0; see --gamma-scale)',
        1,
      ),
    )
    .option(
      '--gamma-scale <s>',
      "spread: gamma in units of the user's score spread across topics (default); absolute: as Eq. 1 is written",
    )
    .option(
      '--unseen-count <n>',
      'N_{t,a} used in the bonus of a never-shown topic; 0 = infinite bonus (default: 1)',
    )
    .option('--discount <f>', 'daily discount of the UCB counts, in (0, 1] (default: 1 = none)')
    .option(
      '--preset <name>',
      `world: ${WORLD_PRESET_NAMES.join('|')} (default: funnel; uniform = the old world; funnel-topics = the funnel without items)`,
    )
    .option('--sourcing <s>', 'candidate topics: personalised|uniform (default: from the preset)')
    .option('--new-topics <n>', 'topics launched during the experiment (default: from the preset, funnel 6)')
    .option(
      '--interest-half-life <days>',
      'interest drift half-life in days, 0 = none (default: preset, funnel 60)',
    )
    .option(
      '--activity-response <b>',
      'sessions x exp(b (satisfaction - reference)), 0 = fixed activity (default: preset, funnel 2)',
    )
    .option(
      '--items-per-topic <n>',
      `items per topic, 1..${MAX_ITEMS_PER_TOPIC}; the UCB arms are topics, the item within one is picked upstream (default: preset, funnel 10; 1 = topics only)`,
    )
    .option('--item-sd <x>', "sd of an item's relevance logit around its topic's, 0..10 (default: 0.5)")
    .option('--no-truth', 'skip the counterfactual arm (no truth, A/A or leakage; half the work)')
    .addOption(numberOption('--seed <n>', 'root seed', 1))
    .option(
      '--workers <n>',
      'worker threads; the experiment and its counterfactual run in parallel (default: all cores)',
    )
    .option(
      '--runs <n>',
      `independent replications (streams forked from --seed), 1..${EXPLORE_CLI_LIMITS.runs} (default: 1; alias: --replications)`,
    )
    .addOption(aliasOption('--replications <n>'))
    .option('--posterior-method <m>', 'belief P: quadrature (exact, default) | montecarlo')
    .addOption(
      numberOption(
        '--posterior-samples <n>',
        `Monte Carlo draws per user and day with --posterior-method montecarlo, 1..${EXPLORE_CLI_LIMITS.posteriorSamples}`,
        1000,
      ),
    )
    .option('--out <file>', 'write RESULT.json here instead of stdout')
    .option(
      '--plot <prefix>',
      'also write PREFIX-plays-lift.svg, -activity.svg, -efficiency-lift.svg, -EI.svg, -TE.svg, -TD.svg, -tasks-lift.svg, -truth.svg',
    )
    .addHelpText(
      'after',
      `\nLimits: users x days x runs <= ${EXPLORE_CLI_LIMITS.userDays} simulated user-days.` +
        '\n\nExample:\n  npx allot explore simulate --users 5000 --gamma 0.5 --out out/explore.json --plot out/explore',
    )
    .action(async (o: SimulateOptions) => {
      const { config, seed, workers, replications } = parseSimulateOptions(o);
      if (o.out !== undefined) checkOutputPath(o.out, '--out');
      if (o.plot !== undefined) checkOutputPath(`${o.plot}-plays-lift.svg`, '--plot');
      const t0 = performance.now();
      let extra: Record<string, unknown> = {};
      const progress = createProgress('explore simulate', process.stderr.isTTY === true);
      let all: RecsysExperimentResult[];
      try {
        if (workers === 1) {
          all = [];
          for (let r = 0; r < replications; r++) {
            all.push(
              runRecsysExperiment(config, createRng(seed).fork(r), (d, t) =>
                progress.update(r * t + d, replications * t),
              ),
            );
          }
        } else {
          all = await runExploreReplications(config, seed, replications, workers, (d, t) =>
            progress.update(d, t),
          );
        }
      } finally {
        progress.stop();
      }
      const result = all[0]!;
      if (replications > 1) {
        extra = {
          replications: {
            runs: replications,
            liftByDay: replicationSummary(all),
            lifts: all.map((r) => r.days.map((d) => d.lift.plays.estimate)),
            truth: all.map((r) => r.truth?.plays.estimate ?? null),
            phases: all.map((r) =>
              r.phases.map((p) => ({
                phase: p.phase,
                lift: p.lift.plays.estimate,
                aa: p.aa?.plays.estimate ?? null,
                truth: p.truth?.plays.estimate ?? null,
              })),
            ),
          },
        };
      }
      const body = { ...result, setting: { ...result.setting, seed, replications }, ...extra };
      const outputs: OutputSpec[] = o.plot !== undefined ? await renderExplorePlots(o.plot, result) : [];
      outputs.push(output(toJson(body), o.out));
      writeOutputs(outputs);
      info(`explore simulate: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    });
}
