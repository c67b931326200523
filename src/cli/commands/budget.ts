/** `allot budget ...` commands: the exact 0-1 ILFP oracle and budgeted multiple-play simulations. */
import type { Command } from 'commander';
import { solveIlfp } from '../../bandits/budgeted/oracle.js';
import { BUDGETED_POLICY_NAMES } from '../../bandits/budgeted/policy.js';
import { lineChart } from '../../core/chart.js';
import { AllotError } from '../../core/errors.js';
import { createRng } from '../../core/rng.js';
import { assertInInterval, assertOneOf } from '../../core/validate.js';
import {
  BUDGETED_DISTS,
  type BudgetedDist,
  type BudgetedInstance,
  generateBudgetedInstance,
} from '../../sim/budgeted/env.js';
import { type BudgetedPolicyRun, JOB_MODULE, optimalRatio } from '../../sim/budgeted/run.js';
import {
  type BudgetedPolicySummary,
  defaultCheckpoints,
  expandPolicies,
  normalizeCheckpoints,
  type SchemeChoice,
  summarizeBudgeted,
} from '../../sim/budgeted/simulate.js';
import { runReplications } from '../../sim/pool.js';
import { createProgress } from '../../sim/progress.js';
import {
  emit,
  info,
  parseInteger,
  parseNameList,
  parseNumber,
  parseNumberList,
  toJson,
  writeFileAtomic,
} from '../io.js';
import { renderSvg } from '../svg.js';

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
}

/** RESULT.json of `allot budget simulate`. */
export interface BudgetSimulationResult {
  readonly setting: Record<string, unknown>;
  readonly rhoStar: number;
  readonly policies: BudgetedPolicySummary[];
}

/**
 * Runs a budgeted simulation on the worker pool and summarises it (shared by the CLI and `reproduce budget`).
 *
 * @throws the option errors of the policies and environments (ALLOT_OUT_OF_RANGE, ALLOT_UNKNOWN_OPTION, ...).
 */
export async function runBudgetSimulation(
  s: BudgetSimulationSetting,
  opts: { workers?: number | undefined; progress?: boolean; label?: string } = {},
): Promise<BudgetSimulationResult> {
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
  const lambda = Math.min(...instance.costMean);
  const specs = expandPolicies(s.policies, s.scheme, { kappa: s.kappa, epsilon: s.epsilon, lambda });
  const { rhoStar, arms } = optimalRatio(instance, s.plays);
  const bar = createProgress(opts.label ?? 'budget simulate', opts.progress ?? process.stderr.isTTY === true);
  let runs: { policies: BudgetedPolicyRun[] }[];
  try {
    runs = await runReplications<unknown, { policies: BudgetedPolicyRun[] }>(
      { module: JOB_MODULE, name: 'budgetedReplication' },
      { instance, L: s.plays, checkpoints, rhoStar, policies: specs },
      {
        runs: s.runs,
        seed: s.seed,
        ...(opts.workers === undefined ? {} : { workers: opts.workers }),
        onProgress: (d, t) => bar.update(d, t),
      },
    );
  } finally {
    bar.stop();
  }
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
      checkpoints,
      ucbBv1Lambda: lambda,
      optimalArms: arms,
      armRewardMeans: instance.rewardMean,
      armCostMeans: instance.costMean,
    },
    rhoStar,
    policies: summarizeBudgeted(specs, checkpoints, runs),
  };
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
  plays: string;
  budget: string;
  dist: string;
  instanceSeed: string;
  runs: string;
  seed: string;
  policies: string;
  scheme: string;
  kappa: string;
  epsilon: string;
  correlation: string;
  checkpoints?: string;
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
    .requiredOption('--a <list>', 'numerators a_i > 0, comma-separated (e.g. expected rewards)')
    .requiredOption('--b <list>', 'denominators b_i >= 0, comma-separated, same length (e.g. expected costs)')
    .requiredOption('--L <n>', 'number of arms to choose, 1 <= L <= K')
    .option('--zero-cost <rule>', 'when >= L arms have b = 0: random (paper) or max-reward', 'random')
    .option('--seed <n>', 'seed of the random zero-cost tie-break', '1')
    .option('--out <file>', 'write the JSON here instead of stdout')
    .action((o: { a: string; b: string; L: string; zeroCost: string; seed: string; out?: string }) => {
      const a = parseNumberList('--a', o.a);
      const b = parseNumberList('--b', o.b);
      if (a.length !== b.length) {
        throw new AllotError(
          'ALLOT_SHAPE_MISMATCH',
          `--a and --b must have the same length (got ${a.length} and ${b.length})`,
        );
      }
      const L = parseInteger('--L', o.L);
      if (L < 1 || L > a.length) {
        throw new AllotError('ALLOT_OUT_OF_RANGE', `--L must be in [1, K] = [1, ${a.length}] (got ${L})`);
      }
      for (let i = 0; i < a.length; i++) {
        if (!(a[i]! > 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `--a[${i}] must be > 0 (got ${a[i]})`);
        if (!(b[i]! >= 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `--b[${i}] must be >= 0 (got ${b[i]})`);
      }
      const zc = assertOneOf('--zero-cost', o.zeroCost, ['random', 'max-reward'] as const);
      const seed = parseInteger('--seed', o.seed, 0);
      const sol = solveIlfp(a, b, L, {
        zeroCostTieBreak: zc === 'random' ? 'random' : 'maxReward',
        rng: createRng(seed),
      });
      // A ratio of +Infinity (L zero-cost arms) is written as null, as JSON has no Infinity.
      emit(toJson({ arms: sol.arms, ratio: sol.ratio }), o.out);
      if (!Number.isFinite(sol.ratio)) info('ratio is +Infinity: the chosen arms all have b = 0');
    });

  budget
    .command('simulate')
    .description('simulate MRCB and the baselines on a seeded instance; regret at budget checkpoints (JSON)')
    .option('--arms <K>', 'number of arms K', '10')
    .option('--plays <L>', 'arms pulled per round, 1 <= L <= K', '1')
    .option('--budget <B>', 'budget B > 0', '50000')
    .option('--dist <name>', `reward/cost distribution: ${BUDGETED_DISTS.join('|')}`, 'multinomial')
    .option('--instance-seed <S>', 'seed of the random instance (means and distribution parameters)', '1')
    .option('--runs <n>', 'independent runs on the instance', '100')
    .option('--seed <n>', 'root seed of the runs (run i uses fork(i))', '1')
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
    .option('--kappa <x>', 'MRCB confidence scale kappa > 0', '0.0625')
    .option('--epsilon <x>', 'eps-first exploration share in (0, 1)', '0.1')
    .option('--correlation <rho>', 'reward/cost coupling within an arm, in [-1, 1]', '0')
    .option(
      '--checkpoints <list>',
      'ascending budgets <= B where regret is recorded (default: B/10, 2B/10, ..., B)',
    )
    .option('--workers <n>', 'worker threads (default: all cores)')
    .option('--out <file>', 'write RESULT.json here instead of stdout')
    .option('--plot <prefix>', 'also write the regret-vs-budget chart to <prefix>-regret.svg')
    .action(async (o: SimulateOpts) => {
      const arms = parseInteger('--arms', o.arms, 1);
      const plays = parseInteger('--plays', o.plays, 1);
      if (plays > arms) {
        throw new AllotError('ALLOT_OUT_OF_RANGE', `--plays must be <= --arms = ${arms} (got ${plays})`);
      }
      const budgetB = parseNumber('--budget', o.budget);
      if (!(budgetB > 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `--budget must be > 0 (got ${budgetB})`);
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
          : parseNumberList('--checkpoints', o.checkpoints);
      normalizeCheckpoints(checkpoints, budgetB);
      const setting: BudgetSimulationSetting = {
        dist,
        arms,
        plays,
        budget: budgetB,
        instanceSeed: parseInteger('--instance-seed', o.instanceSeed, 0),
        runs: parseInteger('--runs', o.runs, 1),
        seed: parseInteger('--seed', o.seed, 0),
        policies,
        scheme,
        kappa,
        epsilon,
        correlation,
        checkpoints,
      };
      const workers = o.workers === undefined ? undefined : parseInteger('--workers', o.workers, 1);
      const res = await runBudgetSimulation(setting, { workers });
      const svg =
        o.plot === undefined
          ? undefined
          : await renderSvg(
              regretChart(res, `Regret vs budget: ${dist}, K = ${arms}, L = ${plays}, ${setting.runs} runs`),
            );
      emit(toJson(res), o.out);
      if (svg !== undefined) writeFileAtomic(`${o.plot}-regret.svg`, svg);
      info(`rho*_L = ${res.rhoStar.toFixed(4)}; final regret (mean ± std over ${setting.runs} runs):`);
      for (const p of res.policies) {
        info(
          `  ${entryLabel(p).padEnd(16)} ${p.finalRegretMean.toFixed(1)} ± ${p.finalRegretStd.toFixed(1)}`,
        );
      }
    });
}
