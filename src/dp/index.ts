/**
 * @module
 * Dynamic programming with interpolation: not-a-knot / natural / monotone (PCHIP) / linear interpolation, bounded
 * Brent minimisation with scipy's semantics, value function iteration for the cake-eating problem (CRRA utility,
 * i.i.d. or Markov shocks), Tauchen discretisation and simulated paths.
 */
export {
  type CakeSolution,
  type CakeSolveHooks,
  pairwiseSum,
  policyFunction,
  solveCakeEating,
  solveCakeProblem,
  valueFunction,
} from './cake.js';
export { policyChart, valueChart } from './charts.js';
export {
  type CakeEatingConfig,
  type CakeProblem,
  type CakeShocks,
  DP_LIMITS,
  normalizeCakeConfig,
  type StopMetric,
} from './config.js';
export { linspace } from './grid.js';
export {
  createInterpolant,
  derivativeInterpolant,
  EXTRAPOLATIONS,
  type Extrapolation,
  evaluateInterpolant,
  evaluateInterpolantMany,
  INTERPOLATION_KINDS,
  type Interpolant,
  type InterpolantOptions,
  type InterpolationKind,
  refitInterpolant,
} from './interpolate.js';
export {
  type BoundedMinimizeOptions,
  type BoundedMinimum,
  brentBounded,
  minimizeBounded,
} from './minimize.js';
export { type CakePath, type SimulateCakeOptions, simulateCake } from './simulate.js';
export {
  type MarkovChain,
  matrixRows,
  stationaryDistribution,
  TAUCHEN_MAX_STATES,
  type TauchenOptions,
  tauchen,
} from './tauchen.js';
