/**
 * The state of every budgeted policy: additive sufficient statistics per arm (counts and sums), plain data.
 * Learning adds a delta; `mergeBudgetedStats` is elementwise addition, so it is associative and commutative.
 */
import { AllotError } from '../../core/errors.js';
import { assertInteger } from '../../core/validate.js';

/** Per-arm counts and sums; all fields add under merge. */
export interface BudgetedStats {
  /** Number of arms K. */
  readonly K: number;
  /** Rounds played (the round index t of the confidence terms is `rounds + 1`). */
  rounds: number;
  /** T_i: rounds in which arm i was pulled. */
  readonly pulls: Float64Array;
  /** Sum of the rewards observed on arm i. */
  readonly sumReward: Float64Array;
  /** Sum of the costs observed on arm i. */
  readonly sumCost: Float64Array;
  /** Successes of the Bernoulli trials on the rewards (BTS's S^r; failures are pulls - successes). */
  readonly trialReward: Float64Array;
  /** Successes of the Bernoulli trials on the costs (BTS's S^c). */
  readonly trialCost: Float64Array;
}

/**
 * Empty statistics for K arms.
 *
 * @param K - number of arms, integer >= 1.
 * @returns zeroed statistics.
 * @throws ALLOT_INVALID_ARGUMENT / ALLOT_OUT_OF_RANGE for a bad K.
 */
export function createBudgetedStats(K: number): BudgetedStats {
  assertInteger('K', K, 1);
  return {
    K,
    rounds: 0,
    pulls: new Float64Array(K),
    sumReward: new Float64Array(K),
    sumCost: new Float64Array(K),
    trialReward: new Float64Array(K),
    trialCost: new Float64Array(K),
  };
}

/**
 * The sum of two statistics (a new object; inputs untouched). Associative and commutative.
 *
 * @throws ALLOT_SHAPE_MISMATCH when the arm counts differ.
 */
export function mergeBudgetedStats(x: BudgetedStats, y: BudgetedStats): BudgetedStats {
  if (x.K !== y.K) {
    throw new AllotError('ALLOT_SHAPE_MISMATCH', `stats must have the same K (got ${x.K} and ${y.K})`);
  }
  const out = createBudgetedStats(x.K);
  addBudgetedStatsInto(out, x);
  addBudgetedStatsInto(out, y);
  return out;
}

/** Adds `delta` into `target` in place (both with the same K; not checked). */
export function addBudgetedStatsInto(target: BudgetedStats, delta: BudgetedStats): void {
  target.rounds += delta.rounds;
  for (let i = 0; i < target.K; i++) {
    target.pulls[i]! += delta.pulls[i]!;
    target.sumReward[i]! += delta.sumReward[i]!;
    target.sumCost[i]! += delta.sumCost[i]!;
    target.trialReward[i]! += delta.trialReward[i]!;
    target.trialCost[i]! += delta.trialCost[i]!;
  }
}
