/** `allot reproduce forecast`: not yet implemented. */
import { AllotError } from '../../core/errors.js';
import type { ReproduceOptions, ReproduceResult } from './types.js';

/** Reproduces the forecast seed paper. */
export async function reproduceForecast(_opts: ReproduceOptions): Promise<ReproduceResult> {
  throw new AllotError('ALLOT_INTERNAL', 'reproduce forecast is not implemented yet');
}
