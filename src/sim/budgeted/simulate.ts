/**
 * Setting up and summarising budgeted simulations (browser-safe; the CLI runs the replications on the worker pool).
 */
import type { BudgetedPolicySpec } from '../../bandits/budgeted/create.js';
import type { BudgetScheme } from '../../bandits/budgeted/policy.js';
import { BUDGETED_POLICY_NAMES, type BudgetedPolicyName } from '../../bandits/budgeted/policy.js';
import { AllotError } from '../../core/errors.js';
import { assertOneOf, assertPositive } from '../../core/validate.js';
import type { BudgetedPolicyRun } from './run.js';

/** Which schemes to run for the policies that have two. */
export type SchemeChoice = BudgetScheme | 'both';

/** One (policy, scheme) entry of a simulation result (the `policies[]` items of the CLI's RESULT.json). */
export interface BudgetedPolicySummary {
  readonly name: BudgetedPolicyName;
  /** null for MRCB; 'T' always for UCB-BV1. */
  readonly scheme: BudgetScheme | null;
  readonly checkpoints: number[];
  /** Regret b * rho* - reward at each checkpoint: mean and sample standard deviation over runs. */
  readonly regret: { mean: number[]; std: number[] };
  /** Pseudo-regret (mean rewards of the pulled arms in place of realised rewards). */
  readonly pseudoRegret: { mean: number[]; std: number[] };
  /**
   * Gap regret (Xia et al. 2016, Eq. 10): the sum over played rounds of rho* c(I_t) - r(I_t) with the true means;
   * no stopping-time noise, the quantity the paper's ± figures resemble.
   */
  readonly gapRegret: { mean: number[]; std: number[] };
  /** Regret at the largest budget. */
  readonly finalRegretMean: number;
  readonly finalRegretStd: number;
  /** Mean total reward at the largest budget. */
  readonly rewardMean: number;
  /** Mean rounds played at the largest budget. */
  readonly roundsMean: number;
  /** Compute time of this policy, summed over all runs (seconds). */
  readonly seconds: number;
}

/**
 * The default checkpoints: ten equal steps up to the budget (for B = 50,000: 5,000, 10,000, ..., 50,000, the
 * paper's grid).
 */
export function defaultCheckpoints(budget: number): number[] {
  assertPositive('budget', budget);
  const out: number[] = [];
  for (let k = 1; k <= 10; k++) out.push((budget * k) / 10);
  return out;
}

/**
 * Checks user checkpoints: positive, strictly ascending, <= budget; appends the budget when it is missing.
 *
 * @throws ALLOT_OUT_OF_RANGE / ALLOT_INVALID_ARGUMENT naming the bad checkpoint.
 */
export function normalizeCheckpoints(checkpoints: readonly number[], budget: number): number[] {
  assertPositive('budget', budget);
  const out: number[] = [];
  for (let j = 0; j < checkpoints.length; j++) {
    const b = checkpoints[j]!;
    assertPositive(`checkpoints[${j}]`, b);
    if (b > budget) {
      throw new AllotError('ALLOT_OUT_OF_RANGE', `checkpoints[${j}] must be <= budget ${budget} (got ${b})`);
    }
    if (j > 0 && !(b > checkpoints[j - 1]!)) {
      throw new AllotError(
        'ALLOT_INVALID_ARGUMENT',
        `checkpoints must be strictly ascending (got ${b} after ${checkpoints[j - 1]})`,
      );
    }
    out.push(b);
  }
  if (out.length === 0 || out[out.length - 1]! < budget) out.push(budget);
  return out;
}

/**
 * Expands policy names and a scheme choice into one spec per (policy, scheme): MRCB once (scheme null), UCB-BV1
 * once with Scheme T, the others with R, T or both.
 *
 * @throws ALLOT_UNKNOWN_OPTION for an unknown policy name or scheme; ALLOT_INVALID_ARGUMENT for an empty or
 *   repeated list.
 */
export function expandPolicies(
  names: readonly string[],
  scheme: SchemeChoice,
  extra: { kappa?: number; epsilon?: number; lambda?: number } = {},
): BudgetedPolicySpec[] {
  if (names.length === 0) throw new AllotError('ALLOT_INVALID_ARGUMENT', 'policies must not be empty');
  const sc = assertOneOf('scheme', scheme, ['R', 'T', 'both'] as const);
  const seen = new Set<string>();
  const specs: BudgetedPolicySpec[] = [];
  for (const raw of names) {
    const name = assertOneOf('policy', raw, BUDGETED_POLICY_NAMES);
    if (seen.has(name)) throw new AllotError('ALLOT_INVALID_ARGUMENT', `policy ${name} is listed twice`);
    seen.add(name);
    if (name === 'mrcb') {
      specs.push(extra.kappa === undefined ? { name } : { name, kappa: extra.kappa });
    } else if (name === 'ucb-bv1') {
      specs.push(
        extra.lambda === undefined ? { name, scheme: 'T' } : { name, scheme: 'T', lambda: extra.lambda },
      );
    } else {
      const schemes: BudgetScheme[] = sc === 'both' ? ['R', 'T'] : [sc];
      for (const s of schemes) {
        specs.push(
          name === 'eps-first' && extra.epsilon !== undefined
            ? { name, scheme: s, epsilon: extra.epsilon }
            : { name, scheme: s },
        );
      }
    }
  }
  return specs;
}

function meanStd(xs: readonly number[]): [number, number] {
  const n = xs.length;
  let m = 0;
  for (const x of xs) m += x;
  m /= n;
  if (n < 2) return [m, 0];
  let v = 0;
  for (const x of xs) v += (x - m) * (x - m);
  return [m, Math.sqrt(v / (n - 1))];
}

/**
 * Mean and sample standard deviation (n - 1) over runs, per policy and checkpoint.
 *
 * @param specs - the policies, in the order of each replication's results.
 * @param checkpoints - the budgets.
 * @param runs - one entry per replication: `{ policies: BudgetedPolicyRun[] }`.
 * @returns one summary per spec.
 */
export function summarizeBudgeted(
  specs: readonly BudgetedPolicySpec[],
  checkpoints: readonly number[],
  runs: readonly { readonly policies: readonly BudgetedPolicyRun[] }[],
): BudgetedPolicySummary[] {
  return specs.map((spec, p) => {
    const regretMean: number[] = [];
    const regretStd: number[] = [];
    const pseudoMean: number[] = [];
    const pseudoStd: number[] = [];
    const gapMean: number[] = [];
    const gapStd: number[] = [];
    for (let j = 0; j < checkpoints.length; j++) {
      const [m, s] = meanStd(runs.map((r) => r.policies[p]!.regret[j]!));
      regretMean.push(m);
      regretStd.push(s);
      const [pm, ps] = meanStd(runs.map((r) => r.policies[p]!.pseudoRegret[j]!));
      pseudoMean.push(pm);
      pseudoStd.push(ps);
      const [gm, gs] = meanStd(runs.map((r) => r.policies[p]!.gapRegret[j]!));
      gapMean.push(gm);
      gapStd.push(gs);
    }
    let seconds = 0;
    for (const r of runs) seconds += r.policies[p]!.seconds;
    return {
      name: spec.name,
      scheme: spec.name === 'mrcb' ? null : (spec.scheme ?? 'R'),
      checkpoints: [...checkpoints],
      regret: { mean: regretMean, std: regretStd },
      pseudoRegret: { mean: pseudoMean, std: pseudoStd },
      gapRegret: { mean: gapMean, std: gapStd },
      finalRegretMean: regretMean[regretMean.length - 1]!,
      finalRegretStd: regretStd[regretStd.length - 1]!,
      rewardMean: meanStd(runs.map((r) => r.policies[p]!.reward))[0],
      roundsMean: meanStd(runs.map((r) => r.policies[p]!.rounds))[0],
      seconds,
    };
  });
}
