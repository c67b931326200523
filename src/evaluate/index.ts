/**
 * @module
 * Off-policy evaluation: estimators of a target policy's value from logged bandit feedback (DM, IPW, SNIPW, DR,
 * SNDR, Switch-DR, DRos; slate estimators: independent IPS, standard IPS, pseudo-inverse), target policies
 * (uniform, Bernoulli Thompson sampling, epsilon-greedy, explicit action distributions, per-decision adapters),
 * readers for OBD and allot logs (from strings: browser-safe), bootstrap and normal intervals.
 */

export { type AgentPolicyOptions, agentPolicy } from './agent-policy.js';
export { type CsvTable, parseCsv, requireColumns } from './csv.js';
export {
  type EstimateOptions,
  estimateValues,
  type OpeArrays,
  type OpeEstimates,
  STANDARD_ESTIMATORS,
  type StandardEstimator,
  type WeightDiagnostics,
} from './estimators.js';
export { type EvaluateOptions, type EvaluationResult, evaluatePolicy, onPolicyValue } from './evaluate.js';
export {
  type BootstrapMethod,
  type Estimate,
  POISSON_BOOTSTRAP_FROM,
  poissonBootstrapTotals,
  type RatioEstimator,
  type RatioTerm,
  ratioEstimates,
  Z975,
} from './intervals.js';
export {
  type AllotLogRow,
  allotRowsToLog,
  type BanditLog,
  type LoggedDecision,
  parseAllotLog,
  parseAllotLogRows,
  parseObdLog,
} from './log.js';
export {
  actionDistPolicy,
  type BernoulliTsOptions,
  type BernoulliTsTable,
  bernoulliTsPolicy,
  type DecisionProbabilities,
  decisionPolicy,
  type EpsilonGreedyOptions,
  epsilonGreedyPolicy,
  type ImpressionIndex,
  impressionIndex,
  simulateBernoulliTs,
  type TargetDistribution,
  type TargetPolicy,
  uniformPolicy,
} from './policies.js';
export { POLICY_TYPES, parseBtsPrior, policyFromConfig } from './policy-config.js';
export { fitRewardModel, type RewardModelFit, type RewardModelOptions } from './reward-model.js';
export {
  estimateSlate,
  pinvSymmetric,
  SLATE_ESTIMATORS,
  type SlateEstimator,
  type SlateResult,
  uniformSlateGamma,
} from './slate.js';
