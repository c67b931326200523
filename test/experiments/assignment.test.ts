import { describe, expect, it } from 'vitest';
import { assignUser, assignUsers, createAssignment, hashUnit } from '../../src/experiments/index.js';

describe('hash assignment to production / control / test', () => {
  const a = createAssignment([0.9, 0.05, 0.05], 0);

  it('is stable: a user keeps its group whatever the population size or order', () => {
    const small = assignUsers(a, 1000);
    const big = assignUsers(a, 100_000);
    expect(Array.from(big.subarray(0, 1000))).toEqual(Array.from(small));
    for (const id of [0, 17, 999, 123_456, 2 ** 40 + 3]) expect(assignUser(a, id)).toBe(assignUser(a, id));
    expect(hashUnit(2 ** 40 + 3, 0)).not.toBe(hashUnit(3, 0));
  });

  it('lands within 1 % (absolute) of the shares at 100,000 users, for several salts and shares', () => {
    for (const [shares, salt] of [
      [[0.9, 0.05, 0.05], 0],
      [[0.9, 0.05, 0.05], 12345],
      [[0.5, 0.25, 0.25], 7],
      [[0.98, 0.01, 0.01], 3],
    ] as const) {
      const g = assignUsers(createAssignment(shares, salt), 100_000);
      const counts = [0, 0, 0];
      for (const x of g) counts[x]!++;
      for (let i = 0; i < 3; i++) {
        expect(
          Math.abs(counts[i]! / 100_000 - shares[i]!),
          `shares ${shares} salt ${salt} group ${i}`,
        ).toBeLessThan(0.01);
        // Much tighter in fact: within 4 binomial standard deviations.
        const sd = Math.sqrt((shares[i]! * (1 - shares[i]!)) / 100_000);
        expect(Math.abs(counts[i]! / 100_000 - shares[i]!)).toBeLessThan(4 * sd);
      }
    }
  });

  it('gives independent splits for different salts', () => {
    const g1 = assignUsers(createAssignment([0.5, 0.25, 0.25], 1), 20_000);
    const g2 = assignUsers(createAssignment([0.5, 0.25, 0.25], 2), 20_000);
    let same = 0;
    for (let i = 0; i < g1.length; i++) if (g1[i] === g2[i]) same++;
    // Independent: P(same) = 0.5^2 + 0.25^2 + 0.25^2 = 0.375.
    expect(Math.abs(same / 20_000 - 0.375)).toBeLessThan(0.015);
  });

  it('rejects shares that do not sum to 1, a zero control or test share, or the wrong count', () => {
    expect(() => createAssignment([0.9, 0.05, 0.04])).toThrowErrorMatchingInlineSnapshot(
      `[AllotError: shares must sum to 1 (got 0.99)]`,
    );
    expect(() => createAssignment([1, 0, 0])).toThrow(/control and test shares must be > 0/);
    expect(() => createAssignment([0.5, 0.5])).toThrow(/shares must have 3 entries/);
    expect(() => createAssignment([1.2, -0.1, -0.1])).toThrow(/shares\[0\] must be in \[0, 1\]/);
  });
});
