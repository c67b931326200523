/** `allot reproduce budget`: not yet implemented. */
import { AllotError } from '../../core/errors.js';
import type { ReproduceOptions, ReproduceResult } from './types.js';

/** Reproduces the budget seed paper. */
export async function reproduceBudget(_opts: ReproduceOptions): Promise<ReproduceResult> {
  throw new AllotError('ALLOT_INTERNAL', 'reproduce budget is not implemented yet');
}
