/**
 * @module
 * Bandit policies, one namespace per family: `mab` (UCB1, multi-task UCB, Thompson sampling, epsilon-greedy),
 * `linear` (LinUCB, LinTS), `ranking` (PBM ranking policies and position-bias estimators), `budgeted` (the ILFP
 * oracle, MRCB and its baselines), `agent` (a served policy behind one JSON config: decide with propensities, fold
 * logged events into additive state).
 */
export * as agent from './agent/index.js';
export * as budgeted from './budgeted/index.js';
export * as linear from './linear/index.js';
export * as mab from './mab/index.js';
export * as ranking from './ranking/index.js';
