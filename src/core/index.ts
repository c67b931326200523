/**
 * @module
 * The numerical core: seeded RNG, dense linear algebra, distributions, errors, validation and chart specs.
 * Browser-safe: no Node-only imports.
 */
export {
  type Bar,
  barChart,
  type ChartSpec,
  type LineChartOptions,
  lineChart,
  type Series,
} from './chart.js';
export {
  betaCdf,
  betaPdf,
  betaQuantile,
  gammaCdf,
  gammaPdf,
  gammaQuantile,
  lognormalCdf,
  lognormalPdf,
  lognormalQuantile,
  normalCdf,
  normalLogPdf,
  normalPdf,
  normalQuantile,
} from './dist.js';
export {
  AllotError,
  type AllotErrorOptions,
  ERROR_CODES,
  type ErrorCode,
  type ErrorCodeInfo,
  isAllotError,
} from './errors.js';
export {
  addOuter,
  cholesky,
  choleskyInPlace,
  choleskySolve,
  dot,
  identity,
  invertSpd,
  logDetFromCholesky,
  matVec,
  quadForm,
  shermanMorrisonUpdate,
  solveLower,
  solveLowerTranspose,
  solveUpper,
  symmetrize,
} from './linalg.js';
export { createRng, type Rng, restoreRng } from './rng.js';
export { prepareBeta, sampleBeta, sampleBetaPrepared, sampleGamma, sampleNormal } from './samplers.js';
export {
  assertFinite,
  assertInInterval,
  assertInteger,
  assertNonNegative,
  assertOneOf,
  assertPositive,
  assertProbabilityVector,
  assertSameLength,
  show,
  toFiniteArray,
} from './validate.js';
