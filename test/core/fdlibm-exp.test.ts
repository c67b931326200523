import { describe, expect, it } from 'vitest';
import { fdlibmExp } from '../../src/core/fdlibm-exp.js';
import { createRng } from '../../src/core/rng.js';

/** Counts the arguments where fdlibmExp and Math.exp differ in any bit (Object.is: -0, NaN). */
function mismatches(xs: Iterable<number>): number[] {
  const bad: number[] = [];
  for (const x of xs) if (!Object.is(fdlibmExp(x), Math.exp(x))) bad.push(x);
  return bad;
}

describe('fdlibmExp (Math.exp by the same algorithm, inlined)', () => {
  it('gives the same bits as Math.exp at the special values and every branch threshold', () => {
    const special = [0, -0, 1, -1, Math.E, 0.5, -0.5, 1e-300, -1e-300, 2 ** -28, -(2 ** -28), 2 ** -29];
    special.push(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 709, -708, 709.78, -745.13);
    special.push(-746, 710, -707.9999999, 708.9999999, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE);
    const xs: number[] = [...special];
    // 0.5 ln 2, 1.5 ln 2, 2^-28 and the ends of the fast range, with their neighbours and relative steps around them.
    const edges = [0.34657359027997264, 1.0397207708399179, 2 ** -28, 708, 709];
    const rng = createRng(11);
    for (const e of edges) {
      for (let j = -2000; j <= 2000; j++) {
        const x = e * (1 + j * 2 ** -52);
        xs.push(x, -x);
      }
      for (let j = 0; j < 20_000; j++) {
        const x = e * (1 + (rng.uniform() - 0.5) * 1e-6);
        xs.push(x, -x);
      }
    }
    expect(mismatches(xs)).toEqual([]);
  });

  it('gives the same bits as Math.exp on a million arguments across its range', () => {
    const rng = createRng(7);
    const xs = new Float64Array(1_000_000);
    for (let i = 0; i < xs.length; i += 4) {
      xs[i] = -750 + 1470 * rng.uniform(); // everything, over- and underflow included
      xs[i + 1] = -760 * rng.uniform() ** 3; // the densities of the quadrature: mostly near 0, down to underflow
      xs[i + 2] = 8 * (rng.uniform() - 0.5); // the logits of the simulation
      xs[i + 3] = (rng.uniform() - 0.5) * 2 ** (-60 * rng.uniform()); // tiny arguments
    }
    expect(mismatches(xs)).toEqual([]);
  });
});
