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
  betaPosteriorInto,
  createMaxProbabilityWork,
  DEFAULT_KL_IMPUTE,
  type ExplorationMetrics,
  explorationMetrics,
  explorationMetricsInto,
  type MaxProbabilityWork,
  maxProbabilitiesInto,
  topicMaxProbabilities,
} from './exploration-metrics.js';
export {
  JOB_MODULE as METRICS_JOB_MODULE,
  type SyntheticMetricsInput,
  type SyntheticMetricsResult,
  syntheticMetricsJob,
} from './metrics-job.js';
export { type Lift, liftFromRatios, type RatioEstimate, ratioEstimate, userLevelLift } from './readout.js';
export {
  type ActivityBucket,
  DEFAULT_RECSYS_EXPERIMENT,
  type ExperimentDay,
  type GroupDay,
  JOB_MODULE,
  type RecsysExperimentConfig,
  type RecsysExperimentResult,
  type RecsysJobInput,
  type RecsysSweepInput,
  recsysExperimentJob,
  recsysSweepJob,
  resolveRecsysExperiment,
  runRecsysExperiment,
  type StartDiagnostics,
  simulateRecsysExperiment,
} from './recsys-ab.js';
export {
  activityChart,
  efficiencyLevelChart,
  efficiencyLiftChart,
  playsLiftChart,
  taskLiftChart,
} from './recsys-charts.js';
