/**
 * @module
 * Position-based-model ranking environments: SINREAL and SINBIN (Ermis et al. 2020, §5.1), the examination
 * probabilities (1 − ε)/exp(position), and the (run, policy) simulation job for the replication runner.
 */

export {
  JOB_MODULE,
  PBM_POLICIES,
  PBM_SIM_DEFAULTS,
  PBM_SIM_LIMITS,
  type PbmBatchInput,
  type PbmJobResult,
  type PbmPolicySpec,
  type PbmPolicySummary,
  type PbmSimInput,
  pbmBatchOffsets,
  pbmCheckpointRounds,
  pbmPolicy,
  runPbmBatchJob,
  runPbmJob,
  summarizePbm,
  validatePbmSimInput,
} from './simulate.js';
export {
  contextualize,
  createSinInstance,
  createSinStream,
  examinationProbabilities,
  expectedReward,
  SIN_DATASETS,
  type SinDatasetKind,
  type SinInstance,
  type SinInstanceOptions,
  type SinStream,
} from './sin-dataset.js';
