/**
 * @module
 * Ranking bandits in the position-based model: LinUCB-PBMRank, LinTS-PBMRank, their naive versions (q = 1), the
 * Random baseline, and position-bias estimators (known, CTR per position, adPredictor probit per position, EM).
 */
export {
  type AdPredictor,
  type AdPredictorOptions,
  adPredictorProbability,
  adPredictorUpdate,
  createAdPredictor,
} from './ad-predictor.js';
export {
  type ClickLog,
  estimateLogPositionBias,
  LOG_BIAS_LIMITS,
  LOG_BIAS_METHODS,
  type LogBiasMethod,
  type LogBiasOptions,
  type LogBiasPosition,
  type LogBiasResult,
  wilsonInterval,
} from './log-bias.js';
export {
  BIAS_REFITS,
  type BiasRefit,
  biasDrift,
  createPbmRanker,
  decidePbm,
  decidePbmUnchecked,
  flushPositionStats,
  learnPbm,
  learnPbmUnchecked,
  type PbmRanker,
  type PbmRankerOptions,
  type PendingRounds,
  randomList,
  refitPbmRanker,
} from './pbm-ranker.js';
export {
  BIAS_METHODS,
  type BiasMethod,
  type CountingBias,
  type CtrBias,
  createPositionBiasEstimator,
  ctrPositionBias,
  currentPositionBias,
  type EmLink,
  type EmOptions,
  type EmResult,
  emPositionBias,
  type FixedBias,
  initialPositionBias,
  type PositionBiasEstimator,
  type PositionBiasOptions,
  PROBIT_MODELS,
  type ProbitAverage,
  type ProbitBias,
  type ProbitLogOptions,
  type ProbitModel,
  probitPositionBias,
  updatePositionBias,
} from './position-bias.js';
export {
  combinePositionStats,
  createPositionStats,
  mergePositionStats,
} from './position-stats.js';
