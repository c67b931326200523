/** `allot reproduce rank`: not yet implemented. */
import { AllotError } from '../../core/errors.js';
import type { ReproduceOptions, ReproduceResult } from './types.js';

/** Reproduces the rank seed paper. */
export async function reproduceRank(_opts: ReproduceOptions): Promise<ReproduceResult> {
  throw new AllotError('ALLOT_INTERNAL', 'reproduce rank is not implemented yet');
}
