/** The reward/cost distribution families of budgeted bandit environments (apart from env.ts, which loads @stdlib). */

/** Reward/cost distribution families. */
export type BudgetedDist = 'bernoulli' | 'multinomial' | 'beta';
/** The families, in the CLI's order. */
export const BUDGETED_DISTS: readonly BudgetedDist[] = ['multinomial', 'beta', 'bernoulli'];
