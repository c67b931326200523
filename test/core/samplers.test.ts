import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { prepareBeta, sampleBeta, sampleBetaPrepared } from '../../src/core/samplers.js';

describe('fast samplers', () => {
  test.prop(
    [
      fc.double({ min: 0.05, max: 50, noNaN: true }),
      fc.double({ min: 0.05, max: 50, noNaN: true }),
      fc.nat(),
    ],
    {
      seed: 3,
      numRuns: 100,
    },
  )('sampleBetaPrepared gives the same draws as sampleBeta from the same stream', (a, b, seed) => {
    const prep = new Float64Array(4);
    prepareBeta(1, [a], [b], prep);
    const r1 = createRng(seed);
    const r2 = createRng(seed);
    for (let k = 0; k < 20; k++) expect(sampleBetaPrepared(r1, a, b, prep, 0)).toBe(sampleBeta(a, b, r2));
  });
});
