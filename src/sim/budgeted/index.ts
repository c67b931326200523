/**
 * @module
 * Budgeted multiple-play bandit environments (Bernoulli, multinomial on {0, .25, .5, .75, 1}, Beta; reward and cost
 * per arm, optionally correlated), the seeded instance generator, the budget rule, regret at budget checkpoints, and
 * the replication job for the worker pool.
 */
export {
  BUDGETED_DISTS,
  type BudgetedDist,
  type BudgetedEnv,
  type BudgetedInstance,
  type BudgetedInstanceOptions,
  createBernoulliInstance,
  createBudgetedEnv,
  generateBudgetedInstance,
  MIN_COST_MEAN,
  MULTINOMIAL_SUPPORT,
} from './env.js';
export {
  type ArmStreams,
  type BudgetedEpisode,
  type BudgetedJobInput,
  type BudgetedPolicyRun,
  budgetedReplication,
  createArmStreams,
  ENV_STREAM,
  JOB_MODULE,
  knownMeansReplication,
  MAX_ROUNDS,
  optimalRatio,
  policyStream,
  runBudgetedEpisode,
} from './run.js';
export {
  type BudgetedPolicySummary,
  defaultCheckpoints,
  expandPolicies,
  normalizeCheckpoints,
  type SchemeChoice,
  summarizeBudgeted,
} from './simulate.js';
