/** Replication jobs used by the pool tests. */
import { AllotError } from '../../src/core/errors.js';
import type { Rng } from '../../src/core/rng.js';

/** Sums `input.n` uniforms: a result that depends on the replication's whole stream. */
export function sumUniforms(input: { n: number }, index: number, rng: Rng): { index: number; sum: number } {
  let s = 0;
  for (let i = 0; i < input.n; i++) s += rng.uniform();
  return { index, sum: s };
}

/** Fails with a user error at replication 3. */
export function failAtThree(_input: unknown, index: number): number {
  if (index === 3) throw new AllotError('ALLOT_OUT_OF_RANGE', 'replication 3 was told to fail');
  return index;
}
