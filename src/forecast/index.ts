/**
 * @module
 * The forecast domain: quantile forecasts → distributions (distfromq) → allocation Bayes acts → allocation scores
 * and the hub's quantile scores (WIS, coverage, relative skill), with hubverse file I/O.
 */
export {
  type Allocation,
  type AllocationKind,
  type AllocationOptions,
  type Marginal,
  solveAllocation,
} from './allocate.js';
export {
  createQuantileDistribution,
  type PointMass,
  type QuantileDistribution,
  type QuantileDistributionOptions,
  stdNormalQuantile,
  type TailFamily,
} from './distribution.js';
export {
  type AllocationRow,
  type AllocationRowsOptions,
  allocationRows,
  checkForecasts,
  forecastDistributions,
  type IncompleteForecast,
  type ModelSummaryRow,
  type PreparedForecast,
  type PreparedLocation,
  type QuantileScoreRow,
  quantileScoreRows,
  summarizeScores,
} from './evaluate.js';
export { expectedShortfallGamma, expectedShortfallLognormal } from './expected-shortfall.js';
export {
  createModelOutputParser,
  type ModelOutputFilter,
  type ModelOutputParser,
  type ModelOutputParserOptions,
  type ModelOutputTable,
  normalizeLocation,
  parseModelOutput,
  parseTargetData,
  type RawForecast,
  type RawLocation,
  splitCsvLine,
  type TargetData,
} from './hub.js';
export { type RelativeSkill, relativeSkill, type ScoredUnit } from './relative-skill.js';
export {
  type AllocationScore,
  oracleAllocation,
  pinball,
  type QuantileScores,
  scoreAllocation,
  scoreQuantiles,
} from './scores.js';
