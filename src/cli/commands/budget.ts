/** `allot budget ...` commands: the exact 0-1 ILFP oracle and budgeted multiple-play simulations. */
import type { Command } from 'commander';
import { solveIlfp } from '../../bandits/budgeted/oracle.js';
import { BUDGETED_POLICY_NAMES } from '../../bandits/budgeted/policy.js';
import { lineChart } from '../../core/chart.js';
import { AllotError } from '../../core/errors.js';
import { assertInInterval, assertOneOf } from '../../core/validate.js';
// The environments, the runner, the worker pool and the rng load @stdlib (~800 CommonJS files): they are imported
// when a command runs, so that --help and bad flags answer without them.
import { BUDGETED_DISTS, type BudgetedDist } from '../../sim/budgeted/dists.js';
import type { BudgetedInstance } from '../../sim/budgeted/env.js';
import type { BudgetedPolicyRun } from '../../sim/budgeted/run.js';
import {
  type BudgetedPolicySummary,
  defaultCheckpoints,
  expandPolicies,
  normalizeCheckpoints,
  type SchemeChoice,
  summarizeBudgeted,
} from '../../sim/budgeted/simulate.js';
import type { PoolStats } from '../../sim/pool.js';
import {
  aliasOption,
  assertMax,
  checkOutputPath,
  formatValue,
  info,
  numberOption,
  type OutputSpec,
  output,
  parseInteger,
  parseNameList,
  parseNumber,
  parseNumberList,
  pickAlias,
  requiredOption,
  toJson,
  warn,
  writeOutputs,
} from '../io.js';
import { renderSvg } from '../svg.js';

/** Documented maxima of `allot budget` (checked before any work starts; docs/cli.md lists them). */
export const BUDGET_LIMITS = {
  /** --arms (K). */
  arms: 1_000_000,
  /** --budget (B): 200x the paper's 50,000. */
  budget: 10_000_000,
  /** --runs. */
  runs: 100_000,
  /** Entries of --checkpoints. */
  checkpoints: 1_000,
  /** --workers. */
  workers: 256,
  /** Entries of the oracle's --a / --b. */
  oracleArms: 1_000_000,
} as const;

/** A validated simulation setting (the `setting` object of RESULT.json, minus derived fields). */
export interface BudgetSimulationSetting {
  readonly dist: BudgetedDist;
  readonly arms: number;
  readonly plays: number;
  readonly budget: number;
  readonly instanceSeed: number;
  readonly runs: number;
  readonly seed: number;
  readonly policies: readonly string[];
  readonly scheme: SchemeChoice;
  readonly kappa: number;
  readonly epsilon: number;
  readonly correlation: number;
  readonly checkpoints: readonly number[];
  /** Common random numbers across policies and schemes (paired draws per arm); default false. */
  readonly crn?: boolean;
}

/** RESULT.json of `allot budget simulate`. */
export interface BudgetSimulationResult {
  readonly setting: Record<string, unknown>;
  readonly rhoStar: number;
  readonly policies: BudgetedPolicySummary[];
}

/** Options of {@link runBudgetSimulations}. */
export interface BudgetRunOptions {
  readonly workers?: number | undefined;
  readonly progress?: boolean;
  readonly label?: string;
  /** When given, filled with the pool's wall time and per-worker busy time. */
  readonly stats?: PoolStats;
}

/**
 * Runs a budgeted simulation on the worker pool and summarises it (shared by the CLI and `reproduce budget`).
 *
 * @throws the option errors of the policies and environments (ALLOT_OUT_OF_RANGE, ALLOT_UNKNOWN_OPTION, ...).
 */
export async function runBudgetSimulation(
  s: BudgetSimulationSetting,
  opts: BudgetRunOptions = {},
): Promise<BudgetSimulationResult> {
  return (await runBudgetSimulations([s], opts))[0]!;
}

/**
 * Relative compute of one (run, policy) job, for ordering only: rounds grow with B / L, each round's work with K
 * (Thompson sampling draws Beta variates, about 4 times the index policies' work; eps-first and UCB-BV1 are cheaper:
 * measured shares of Table 2, 1 Dec 2026).
 */
function jobWeight(name: string, budget: number, K: number, L: number): number {
  const w = name === 'bts' ? 4 : name === 'eps-first' ? 0.6 : name === 'ucb-bv1' ? 0.3 : 1;
  return (w * budget * (K + 10)) / L;
}

/**
 * Runs several budgeted simulations on ONE worker pool, one job per (setting, run, policy), longest first, and
 * summarises each; the results equal separate {@link runBudgetSimulation} calls.
 *
 * @remarks
 * Load balance: a run's policies differ by 10x or more in compute (Thompson sampling at K = 50 takes seconds), so
 * whole runs, or settings run one after the other, leave a worker idle while the last long job finishes. Jobs sorted
 * by estimated compute, longest first, and handed out one at a time (greedy list scheduling) end within about one
 * short job of each other. Every job draws from its run's generator `createRng(seed).fork(run)` (the policy from
 * `fork(policyStream)`, common random numbers from `fork(ENV_STREAM)`), so splitting and reordering change nothing.
 *
 * @throws the option errors of the policies and environments (ALLOT_OUT_OF_RANGE, ALLOT_UNKNOWN_OPTION, ...).
 */
export async function runBudgetSimulations(
  settings: readonly BudgetSimulationSetting[],
  opts: BudgetRunOptions = {},
): Promise<BudgetSimulationResult[]> {
  const [
    { generateBudgetedInstance },
    { JOB_MODULE, optimalRatio },
    { runReplications },
    { createProgress },
  ] = await Promise.all([
    import('../../sim/budgeted/env.js'),
    import('../../sim/budgeted/run.js'),
    import('../../sim/pool.js'),
    import('../../sim/progress.js'),
  ]);
  const prepared = settings.map((s) => {
    if (s.plays > s.arms) {
      throw new AllotError('ALLOT_OUT_OF_RANGE', `--plays must be <= --arms = ${s.arms} (got ${s.plays})`);
    }
    const checkpoints = normalizeCheckpoints(s.checkpoints, s.budget);
    const instance: BudgetedInstance = generateBudgetedInstance({
      dist: s.dist,
      K: s.arms,
      seed: s.instanceSeed,
      correlation: s.correlation,
    });
    // A loop, not Math.min(...costMean): a spread of 150,000 arms overflows the call stack.
    let lambda = Number.POSITIVE_INFINITY;
    for (const c of instance.costMean) if (c < lambda) lambda = c;
    const specs = expandPolicies(s.policies, s.scheme, { kappa: s.kappa, epsilon: s.epsilon, lambda });
    const { rhoStar, arms } = optimalRatio(instance, s.plays);
    return { s, checkpoints, instance, lambda, specs, rhoStar, arms };
  });
  // The jobs, longest first (ties in (setting, run, policy) order: the sort is stable).
  const order: { sim: number; run: number; p: number; w: number }[] = [];
  prepared.forEach((x, sim) => {
    for (let run = 0; run < x.s.runs; run++) {
      x.specs.forEach((spec, p) => {
        order.push({ sim, run, p, w: jobWeight(spec.name, x.s.budget, x.s.arms, x.s.plays) });
      });
    }
  });
  order.sort((u, v) => v.w - u.w);
  const jobs = new Int32Array(3 * order.length);
  order.forEach((o, k) => {
    jobs[3 * k] = o.sim;
    jobs[3 * k + 1] = o.run;
    jobs[3 * k + 2] = o.p;
  });
  const bar = createProgress(opts.label ?? 'budget simulate', opts.progress ?? process.stderr.isTTY === true);
  let out: BudgetedPolicyRun[];
  try {
    out = await runReplications<unknown, BudgetedPolicyRun>(
      { module: JOB_MODULE, name: 'budgetedPolicyJob' },
      {
        sims: prepared.map((x) => ({
          instance: x.instance,
          L: x.s.plays,
          checkpoints: x.checkpoints,
          rhoStar: x.rhoStar,
          policies: x.specs,
          crn: x.s.crn === true,
        })),
        seeds: prepared.map((x) => x.s.seed),
        jobs,
      },
      {
        runs: order.length,
        // The job's generator comes from its setting's seed and run (see budgetedPolicyJob), not from this seed.
        seed: 0,
        // One job per message: a job takes up to seconds (BTS, K = 50), so larger chunks leave a core idle at the end.
        chunk: 1,
        ...(opts.workers === undefined ? {} : { workers: opts.workers }),
        ...(opts.stats === undefined ? {} : { stats: opts.stats }),
        onProgress: (d, t) => bar.update(d, t),
      },
    );
  } finally {
    bar.stop();
  }
  const byRun = prepared.map((x) =>
    Array.from({ length: x.s.runs }, () => ({ policies: new Array<BudgetedPolicyRun>(x.specs.length) })),
  );
  order.forEach((o, k) => {
    byRun[o.sim]![o.run]!.policies[o.p] = out[k]!;
  });
  return prepared.map((x, sim) => {
    const s = x.s;
    return {
      setting: {
        dist: s.dist,
        arms: s.arms,
        plays: s.plays,
        budget: s.budget,
        instanceSeed: s.instanceSeed,
        runs: s.runs,
        seed: s.seed,
        scheme: s.scheme,
        kappa: s.kappa,
        epsilon: s.epsilon,
        correlation: s.correlation,
        checkpoints: x.checkpoints,
        crn: s.crn === true,
        ucbBv1Lambda: x.lambda,
        optimalArms: x.arms,
        armRewardMeans: x.instance.rewardMean,
        armCostMeans: x.instance.costMean,
      },
      rhoStar: x.rhoStar,
      policies: summarizeBudgeted(x.specs, x.checkpoints, byRun[sim]!),
    };
  });
}

/** Display name of a (policy, scheme) entry, e.g. `bts (R)`. */
export function entryLabel(p: { name: string; scheme: string | null }): string {
  return p.scheme === null ? p.name : `${p.name} (${p.scheme})`;
}

/** The regret-vs-budget chart (mean ± std band) of a simulation. */
export function regretChart(res: BudgetSimulationResult, title: string): Record<string, unknown> {
  return lineChart({
    title,
    xLabel: 'budget B',
    yLabel: 'regret B·ρ* − reward',
    points: true,
    series: res.policies.map((p) => ({
      name: entryLabel(p),
      x: p.checkpoints,
      y: p.regret.mean,
      lower: p.regret.mean.map((m, j) => m - p.regret.std[j]!),
      upper: p.regret.mean.map((m, j) => m + p.regret.std[j]!),
    })),
  });
}

interface SimulateOpts {
  arms: string;
  slots?: string;
  plays?: string;
  budget: string;
  dist: string;
  instanceSeed: string;
  runs?: string;
  replications?: string;
  seed: string;
  policies: string;
  scheme: string;
  kappa: string;
  epsilon: string;
  correlation: string;
  checkpoints?: string;
  crn?: boolean;
  workers?: string;
  out?: string;
  plot?: string;
}

/** Registers the `budget` commands on the program. */
export function registerBudget(program: Command): void {
  const budget = program
    .command('budget')
    .description(
      'budgeted multiple-play bandits: the exact ILFP oracle, MRCB and baselines (Xia et al. 2016)',
    );

  budget
    .command('oracle')
    .description('the L arms maximising sum(a)/sum(b) (exact 0-1 ILFP oracle); prints {"arms", "ratio"}')
    .addOption(requiredOption('--a <list>', 'numerators a_i > 0, comma-separated (e.g. expected rewards)'))
    .addOption(
      requiredOption(
        '--b <list>',
        'denominators b_i >= 0, comma-separated, same length (e.g. expected costs)',
      ),
    )
    .option('--slots <L>', 'number of arms to choose, 1 <= L <= K (required; alias: --L)')
    .addOption(aliasOption('--L <n>'))
    .option('--zero-cost <rule>', 'when >= L arms have b = 0: random (paper) or max-reward', 'random')
    .addOption(numberOption('--seed <n>', 'seed of the random zero-cost tie-break', 1))
    .option('--out <file>', 'write the JSON here instead of stdout')
    .addHelpText(
      'after',
      '\nExample:\n  npx allot budget oracle --a 0.9,0.5,0.4 --b 0.5,0.2,0.1 --slots 2\n' +
        '  prints {"arms": [1, 2], "ratio": 2.9999999999999996} (indented JSON)',
    )
    .action(
      async (o: {
        a: string;
        b: string;
        slots?: string;
        L?: string;
        zeroCost: string;
        seed: string;
        out?: string;
      }) => {
        if (o.out !== undefined) checkOutputPath(o.out, '--out');
        const slotsRaw = pickAlias(['--slots', '--L'], [o.slots, o.L], undefined);
        if (slotsRaw === undefined) {
          throw new AllotError(
            'ALLOT_INVALID_ARGUMENT',
            "required option '--slots <L>' not specified (see --help)",
          );
        }
        const a = parseNumberList('--a', o.a, BUDGET_LIMITS.oracleArms);
        const b = parseNumberList('--b', o.b, BUDGET_LIMITS.oracleArms);
        if (a.length !== b.length) {
          throw new AllotError(
            'ALLOT_SHAPE_MISMATCH',
            `--a and --b must have the same length (got ${a.length} and ${b.length})`,
          );
        }
        const slotsFlag = o.slots === undefined ? '--L' : '--slots';
        const L = parseInteger(slotsFlag, slotsRaw);
        if (L < 1 || L > a.length) {
          throw new AllotError(
            'ALLOT_OUT_OF_RANGE',
            `${slotsFlag} must be in [1, K] = [1, ${a.length}] (got ${L})`,
          );
        }
        for (let i = 0; i < a.length; i++) {
          if (!(a[i]! > 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `--a[${i}] must be > 0 (got ${a[i]})`);
          if (!(b[i]! >= 0))
            throw new AllotError('ALLOT_OUT_OF_RANGE', `--b[${i}] must be >= 0 (got ${b[i]})`);
        }
        const zc = assertOneOf('--zero-cost', o.zeroCost, ['random', 'max-reward'] as const);
        const seed = parseInteger('--seed', o.seed, 0);
        const { createRng } = await import('../../core/rng.js');
        const sol = solveIlfp(a, b, L, {
          zeroCostTieBreak: zc === 'random' ? 'random' : 'maxReward',
          rng: createRng(seed),
        });
        // A ratio of +Infinity (L zero-cost arms) is written as null, as JSON has no Infinity.
        writeOutputs([output(toJson({ arms: sol.arms, ratio: sol.ratio }), o.out)]);
        if (!Number.isFinite(sol.ratio))
          warn('ratio is +Infinity (written as null): the chosen arms all have b = 0');
      },
    );

  budget
    .command('simulate')
    .description('simulate MRCB and the baselines on a seeded instance; regret at budget checkpoints (JSON)')
    .addOption(numberOption('--arms <K>', `number of arms K, <= ${BUDGET_LIMITS.arms}`, 10))
    .option('--slots <L>', 'arms pulled per round, 1 <= L <= K (default: 1; alias: --plays)')
    .addOption(aliasOption('--plays <L>'))
    .addOption(numberOption('--budget <B>', `budget B, 0 < B <= ${formatValue(BUDGET_LIMITS.budget)}`, 50000))
    .option('--dist <name>', `reward/cost distribution: ${BUDGETED_DISTS.join('|')}`, 'multinomial')
    .addOption(
      numberOption(
        '--instance-seed <S>',
        'seed of the random instance (means and distribution parameters)',
        1,
      ),
    )
    .option(
      '--runs <n>',
      `independent runs on the instance, <= ${BUDGET_LIMITS.runs} (default: 100; alias: --replications)`,
    )
    .addOption(aliasOption('--replications <n>'))
    .addOption(numberOption('--seed <n>', 'root seed of the runs (run i uses fork(i))', 1))
    .option(
      '--policies <list>',
      `comma-separated: ${BUDGETED_POLICY_NAMES.join(',')}`,
      BUDGETED_POLICY_NAMES.join(','),
    )
    .option(
      '--scheme <s>',
      'multiple-play scheme of eps-first, kube, bts: R|T|both (ucb-bv1 is always T)',
      'R',
    )
    .addOption(
      numberOption(
        '--kappa <x>',
        "MRCB confidence scale kappa > 0 (the paper's 2^-4; so small a kappa can lock the best arm out for a long " +
          'time after a few unlucky early costs: see the kappa sweep in docs/budget.md)',
        0.0625,
      ),
    )
    .addOption(numberOption('--epsilon <x>', 'eps-first exploration share in (0, 1)', 0.1))
    .addOption(numberOption('--correlation <rho>', 'reward/cost coupling within an arm, in [-1, 1]', 0))
    .option(
      '--checkpoints <list>',
      `ascending budgets <= B where regret is recorded, at most ${BUDGET_LIMITS.checkpoints} (default: B/10, 2B/10, ..., B)`,
    )
    .option(
      '--crn',
      "common random numbers: arm i's n-th pull draws the same reward and cost under every policy and scheme, " +
        'so their regrets are paired (default: each policy on its own stream)',
      false,
    )
    .option('--workers <n>', `worker threads, <= ${BUDGET_LIMITS.workers} (default: all cores)`)
    .option('--out <file>', 'write RESULT.json here instead of stdout')
    .option('--plot <prefix>', 'also write the regret-vs-budget chart to <prefix>-regret.svg')
    .addHelpText(
      'after',
      '\nRESULT.json policies[] carry regret (realised), pseudoRegret and gapRegret (Eq. 10, true means) per checkpoint.' +
        '\n\nExample:\n  npx allot budget simulate --arms 10 --slots 2 --budget 5000 --runs 20 --out out/budget.json',
    )
    .action(async (o: SimulateOpts) => {
      // Output targets first: a bad --out fails in milliseconds, not after the simulation.
      if (o.out !== undefined) checkOutputPath(o.out, '--out');
      if (o.plot !== undefined) checkOutputPath(`${o.plot}-regret.svg`, '--plot');
      const arms = parseInteger('--arms', o.arms, 1, BUDGET_LIMITS.arms);
      const slotsFlag = o.slots === undefined && o.plays !== undefined ? '--plays' : '--slots';
      const plays = parseInteger(slotsFlag, pickAlias(['--slots', '--plays'], [o.slots, o.plays], '1'), 1);
      if (plays > arms) {
        throw new AllotError('ALLOT_OUT_OF_RANGE', `${slotsFlag} must be <= --arms = ${arms} (got ${plays})`);
      }
      const budgetB = parseNumber('--budget', o.budget);
      if (!(budgetB > 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `--budget must be > 0 (got ${budgetB})`);
      assertMax('--budget', budgetB, BUDGET_LIMITS.budget);
      const runsFlag = o.runs === undefined && o.replications !== undefined ? '--replications' : '--runs';
      const nRuns = parseInteger(
        runsFlag,
        pickAlias(['--runs', '--replications'], [o.runs, o.replications], '100'),
        1,
        BUDGET_LIMITS.runs,
      );
      const dist = assertOneOf('--dist', o.dist, BUDGETED_DISTS);
      const policies = parseNameList('--policies', o.policies);
      for (const p of policies) assertOneOf('--policies', p, BUDGETED_POLICY_NAMES);
      // Accept r, t, BOTH as well (the canonical spellings are R, T, both).
      const rawScheme = o.scheme.toLowerCase() === 'both' ? 'both' : o.scheme.toUpperCase();
      const scheme = assertOneOf('--scheme', rawScheme, ['R', 'T', 'both'] as const);
      const kappa = parseNumber('--kappa', o.kappa);
      if (!(kappa > 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `--kappa must be > 0 (got ${kappa})`);
      const epsilon = parseNumber('--epsilon', o.epsilon);
      assertInInterval('--epsilon', epsilon, 0, 1, true, true);
      const correlation = parseNumber('--correlation', o.correlation);
      assertInInterval('--correlation', correlation, -1, 1);
      const checkpoints =
        o.checkpoints === undefined
          ? defaultCheckpoints(budgetB)
          : parseNumberList('--checkpoints', o.checkpoints, BUDGET_LIMITS.checkpoints);
      normalizeCheckpoints(checkpoints, budgetB);
      const setting: BudgetSimulationSetting = {
        dist,
        arms,
        plays,
        budget: budgetB,
        instanceSeed: parseInteger('--instance-seed', o.instanceSeed, 0),
        runs: nRuns,
        seed: parseInteger('--seed', o.seed, 0),
        policies,
        scheme,
        kappa,
        epsilon,
        correlation,
        checkpoints,
        crn: o.crn === true,
      };
      const workers =
        o.workers === undefined ? undefined : parseInteger('--workers', o.workers, 1, BUDGET_LIMITS.workers);
      const res = await runBudgetSimulation(setting, { workers });
      // Render everything, then write all outputs or none.
      const outs: OutputSpec[] = [output(toJson(res), o.out)];
      if (o.plot !== undefined) {
        const svg = await renderSvg(
          regretChart(res, `Regret vs budget: ${dist}, K = ${arms}, L = ${plays}, ${setting.runs} runs`),
        );
        outs.push({ path: `${o.plot}-regret.svg`, data: svg, flag: '--plot' });
      }
      writeOutputs(outs);
      info(`rho*_L = ${res.rhoStar.toFixed(4)}; final regret (mean ± std over ${setting.runs} runs):`);
      for (const p of res.policies) {
        info(
          `  ${entryLabel(p).padEnd(16)} ${p.finalRegretMean.toFixed(1)} ± ${p.finalRegretStd.toFixed(1)}`,
        );
      }
    });
}
