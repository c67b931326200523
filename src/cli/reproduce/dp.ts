/** `allot reproduce dp`: not yet implemented. */
import { AllotError } from '../../core/errors.js';
import type { ReproduceOptions, ReproduceResult } from './types.js';

/** Reproduces the dp seed paper. */
export async function reproduceDp(_opts: ReproduceOptions): Promise<ReproduceResult> {
  throw new AllotError('ALLOT_INTERNAL', 'reproduce dp is not implemented yet');
}
