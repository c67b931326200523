/**
 * @module
 * allot: one engine for deciding under uncertainty. Each domain is also its own entry (`allot/core`, `allot/dp`,
 * `allot/forecast`, `allot/bandits`, `allot/sim`, `allot/experiments`, `allot/evaluate`); this root entry gathers them as namespaces.
 * Browser-safe: Node-only code lives in `allot/sim/node` and the CLI.
 */
export * as bandits from './bandits/index.js';
export * as core from './core/index.js';
export * as dp from './dp/index.js';
export * as evaluate from './evaluate/index.js';
export * as experiments from './experiments/index.js';
export * as forecast from './forecast/index.js';
export * as sim from './sim/index.js';
