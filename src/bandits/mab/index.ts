/**
 * @module
 * Multi-armed bandit policies over plain-data additive state: UCB1, multi-task UCB with per-user counts (Eq. 1 of
 * Guo et al. 2023), Bernoulli and Gaussian Thompson sampling, epsilon-greedy.
 */
export {
  type ArmDelta,
  type ArmStats,
  applyArmDelta,
  checkAvailable,
  createArmStats,
  learnArm,
  mergeArmStats,
} from './arm-stats.js';
export { decideEpsilonGreedy, type EpsilonGreedyContext } from './epsilon-greedy.js';
export {
  applyMultiTaskUcbDelta,
  createMultiTaskUcb,
  createMultiTaskUcbState,
  decideMultiTaskUcb,
  discountMultiTaskUcbState,
  type GammaScale,
  learnMultiTaskUcb,
  type MultiTaskUcbContext,
  type MultiTaskUcbDelta,
  type MultiTaskUcbPolicy,
  type MultiTaskUcbState,
  mergeMultiTaskUcbState,
  multiTaskUcbScore,
  multiTaskUcbSelect,
  scoreSpread,
  ucbSelect,
} from './multitask-ucb.js';
export {
  type BernoulliThompsonPrior,
  decideBernoulliThompson,
  decideGaussianThompson,
  type GaussianThompsonPrior,
  type ThompsonContext,
} from './thompson.js';
export { decideUcb1, type Ucb1Context, ucb1Index } from './ucb1.js';
