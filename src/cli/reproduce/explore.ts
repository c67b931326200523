/** `allot reproduce explore`: not yet implemented. */
import { AllotError } from '../../core/errors.js';
import type { ReproduceOptions, ReproduceResult } from './types.js';

/** Reproduces the explore seed paper. */
export async function reproduceExplore(_opts: ReproduceOptions): Promise<ReproduceResult> {
  throw new AllotError('ALLOT_INTERNAL', 'reproduce explore is not implemented yet');
}
