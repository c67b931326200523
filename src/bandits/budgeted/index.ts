/**
 * @module
 * Budgeted multiple-play bandits (Xia et al., IJCAI 2016): the exact 0-1 ILFP oracle O(a, b, L), MRCB, and the
 * baselines epsilon-first, fractional KUBE, BTS and UCB-BV1 with Scheme T / Scheme R. Policy state is
 * {@link BudgetedStats}: additive per-arm counts and sums.
 */

export { type BtsOptions, bernoulliTrial, createBts } from './bts.js';
export { type BudgetedPolicySpec, createBudgetedPolicy } from './create.js';
export {
  createEpsilonFirst,
  EPSILON_FIRST_DEFAULT_EPSILON,
  type EpsilonFirstOptions,
} from './epsilon-first.js';
export { createKnownMeansPolicy } from './known-means.js';
export { createKube, type KubeOptions } from './kube.js';
export { createMrcb, MRCB_DEFAULT_KAPPA, type MrcbOptions } from './mrcb.js';
export {
  bruteForceIlfp,
  createIlfpWorkspace,
  type IlfpOptions,
  type IlfpSolution,
  type IlfpWorkspace,
  ilfpOracleInto,
  type OracleTieBreak,
  schemeTInto,
  solveIlfp,
  ZERO_COST_MAX_REWARD,
  ZERO_COST_RANDOM,
  type ZeroCostTieBreak,
} from './oracle.js';
export {
  assertObservations,
  BUDGETED_POLICY_NAMES,
  type BudgetedContext,
  type BudgetedPolicy,
  type BudgetedPolicyName,
  type BudgetScheme,
  budgetedDelta,
  cyclicArmsInto,
} from './policy.js';
export { topLInto } from './select.js';
export {
  addBudgetedStatsInto,
  type BudgetedStats,
  createBudgetedStats,
  mergeBudgetedStats,
} from './stats.js';
export { createUcbBv1, type UcbBv1Options } from './ucb-bv1.js';
