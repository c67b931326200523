/**
 * @module
 * Linear contextual bandits over contextualised action vectors: LinUCB (OFUL radius, Sherman–Morrison inverse) and
 * linear Thompson sampling (Normal-Inverse-Gamma posterior, rank-one Cholesky factor), top-L selection, and the
 * additive statistics (Gram matrix, b, Σy², n) that make two replicas mergeable.
 */
export {
  cholUpdateUpper,
  cholUpdateUpperBlock,
  positionsByExamination,
  solveUpperTranspose,
  symQuadForm,
  symQuadForms,
  topL,
} from './kernels.js';
export {
  applyLinearDelta,
  assertCandidates,
  createLinearBandit,
  DEFAULT_ALPHA_SCALE,
  decideLinearTopL,
  ensureScratch,
  LINEAR_ALGORITHMS,
  type LinearAlgorithm,
  type LinearBandit,
  type LinearBanditConfig,
  type LinearBanditOptions,
  learnLinear,
  linearLogDet,
  linearMean,
  linearScores,
  linTsScores,
  linUcbScores,
  nigPosterior,
  nigShapeScale,
  observeLinear,
  observeLinearBatch,
  ofulRadius,
  refactorLinearBandit,
  sampleLinTs,
} from './linear-bandit.js';
export {
  addObservation,
  addObservations,
  createLinearStats,
  gramMatrix,
  type LinearStats,
  linearDelta,
  mergeLinearStats,
  ridgeEstimate,
} from './linear-stats.js';
export { quadFormsAndDotsWasm, setWasmQuadEnabled, wasmQuadAvailable } from './wasm/quad.js';
