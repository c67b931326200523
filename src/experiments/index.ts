/**
 * @module
 * A/B designs for learning agents, exploration-efficiency metrics and readout statistics: the hash assignment to
 * production / control / test, the two-phase experiment of Guo et al. (2023) on the simulated recommender, the
 * metrics EI, TD, IU, TE of its section 4.2, and the user-level delta-method readout.
 */
export {
  type Assignment,
  assignUser,
  assignUsers,
  createAssignment,
  GROUPS,
  type GroupName,
  hashUnit,
} from './assignment.js';
export {
  createQuadratureWork,
  DEFAULT_QUADRATURE,
  lnBeta,
  lnGamma,
  maxProbabilitiesQuadratureInto,
  type QuadratureOptions,
  type QuadratureWork,
  regularizedIncompleteBeta,
} from './beta-max.js';
export {
  betaPosteriorInto,
  createMaxProbabilityWork,
  DEFAULT_KL_IMPUTE,
  type ExplorationMetrics,
  explorationMetrics,
  explorationMetricsInto,
  type MaxProbabilityWork,
  maxProbabilitiesInto,
  type PriorRates,
  topicMaxProbabilities,
  type UserDayCounts,
  userDayExplorationMetrics,
} from './exploration-metrics.js';
export {
  JOB_MODULE as METRICS_JOB_MODULE,
  type SyntheticMetricsInput,
  type SyntheticMetricsResult,
  syntheticMetricsJob,
} from './metrics-job.js';
export {
  type CupedGroup,
  type CupedLift,
  cupedLift,
  type GroupReadout,
  type Lift,
  liftFromRatios,
  meanLift,
  type PowerInput,
  type PowerResult,
  pairedLift,
  powerAnalysis,
  type RatioEstimate,
  type RecordsReadout,
  ratioEstimate,
  readoutFromRecords,
  type UserDayRecord,
  userLevelLift,
} from './readout.js';
export {
  type ActivityBucket,
  combineRecsysArms,
  createRecsysBurninShared,
  createRecsysMetricShared,
  DEFAULT_RECSYS_EXPERIMENT,
  type ExperimentDay,
  type GroupDay,
  helpRecsysMetrics,
  JOB_MODULE,
  METRIC_UNIT_SLOTS,
  type PhaseReadout,
  type PlaysLift,
  RECSYS_LIMITS,
  type RecsysArmJobInput,
  type RecsysArmResult,
  type RecsysBurninShared,
  type RecsysExperimentConfig,
  type RecsysExperimentResult,
  type RecsysJobInput,
  type RecsysMetricShared,
  type RecsysSweepInput,
  recsysArmJob,
  recsysExperimentJob,
  recsysSweepJob,
  resolveRecsysExperiment,
  runRecsysExperiment,
  type StartDiagnostics,
  simulateRecsysArm,
  simulateRecsysExperiment,
} from './recsys-ab.js';
export {
  activityChart,
  efficiencyLevelChart,
  efficiencyLiftChart,
  playsLiftChart,
  taskLiftChart,
  truthChart,
} from './recsys-charts.js';
