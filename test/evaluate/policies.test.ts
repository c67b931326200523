import { describe, expect, it } from 'vitest';
import {
  actionDistPolicy,
  type BanditLog,
  bernoulliTsPolicy,
  parseBtsPrior,
  simulateBernoulliTs,
  uniformPolicy,
} from '../../src/evaluate/index.js';

function smallLog(positions: number[]): BanditLog {
  const n = positions.length;
  return {
    n,
    actions: ['0', '1', '2'],
    nPositions: Math.max(...positions) + 1,
    action: Int32Array.from(positions, (_, i) => i % 3),
    position: Int32Array.from(positions),
    reward: new Float64Array(n),
    pscore: new Float64Array(n).fill(1 / 3),
    impression: Int32Array.from(positions, (_, i) => i),
    nImpressions: n,
    skipped: 0,
  };
}

describe('Bernoulli Thompson sampling by Monte Carlo', () => {
  const t = simulateBernoulliTs([1, 2, 30, 1], [30, 30, 1, 1], 2, 20_000, 1);
  it('each position is a distribution over items and no item exceeds probability 1 over positions', () => {
    for (let k = 0; k < 2; k++) {
      let s = 0;
      for (let m = 0; m < 4; m++) s += t.marginal[k * 4 + m]!;
      expect(s).toBeCloseTo(1, 12);
    }
    for (let m = 0; m < 4; m++) expect(t.marginal[m]! + t.marginal[4 + m]!).toBeLessThanOrEqual(1 + 1e-12);
  });
  it('an item with Beta(30, 1) is first almost always', () => {
    expect(t.marginal[2]!).toBeGreaterThan(0.9);
  });
  it('is seeded: the same seed gives the same table', () => {
    expect(simulateBernoulliTs([1, 2, 30, 1], [30, 30, 1, 1], 2, 1000, 5).marginal).toEqual(
      simulateBernoulliTs([1, 2, 30, 1], [30, 30, 1, 1], 2, 1000, 5).marginal,
    );
  });
  it('rejects a logged position beyond its positions', () => {
    const p = bernoulliTsPolicy({ alpha: [1, 1, 1], beta: [1, 1, 1], positions: 2, simulations: 100 });
    expect(() => p.distribution(smallLog([0, 1, 2]))).toThrow(
      /log row 2 is at position 2, beyond the bernoulli-ts policy's 2 positions/,
    );
  });
  it("reads OBP's prior_bts.yaml layout", () => {
    const y =
      'men:\n  alpha:\n    - 3.0\n    - 4.0\n  beta:\n    - 10.0\n    - 20.0\nwomen:\n  alpha:\n    - 1.0\n  beta:\n    - 2.0\n';
    expect(parseBtsPrior(y, 'men')).toEqual({ alpha: [3, 4], beta: [10, 20] });
    expect(() => parseBtsPrior(y, 'all')).toThrow(/campaign "all"/);
  });
});

describe('uniform policy', () => {
  it('gives 1/K to every action', () => {
    const d = uniformPolicy().distribution(smallLog([0, 1]));
    expect(Array.from(d.prob)).toEqual(new Array(6).fill(1 / 3));
  });
});

describe('action-distribution files', () => {
  const log = smallLog([0, 1]);
  const ok = 'row,position,action,probability\n0,0,0,0.5\n0,0,1,0.5\n1,1,2,1\n';
  it('reads the distribution of each row at its position', () => {
    const d = actionDistPolicy(ok).distribution(log);
    expect(Array.from(d.prob)).toEqual([0.5, 0.5, 0, 0, 0, 1]);
  });
  it('one clear error each: missing columns, a row it lacks, sums not 1, positions beyond its own, unknown action', () => {
    expect(() => actionDistPolicy('row,position,action\n0,0,0\n').distribution(log)).toThrow(
      /lacks column probability/,
    );
    expect(() =>
      actionDistPolicy('row,position,action,probability\n0,0,0,1\n').distribution(smallLog([0, 0])),
    ).toThrow(/lacks log row 1/);
    expect(() =>
      actionDistPolicy('row,position,action,probability\n0,0,0,0.5\n0,0,1,0.4\n1,1,2,1\n').distribution(log),
    ).toThrow(/row 0 at position 0 sum to 0.9, not 1/);
    expect(() =>
      actionDistPolicy('row,position,action,probability\n0,0,0,1\n1,0,1,1\n').distribution(log),
    ).toThrow(/log row 1 is at position 1, beyond the action-dist policy's 1 position/);
    expect(() =>
      actionDistPolicy('row,position,action,probability\n0,0,9,1\n1,1,2,1\n').distribution(log),
    ).toThrow(/action "9", which the log does not have/);
    expect(() => actionDistPolicy('row,position,action,probability\n5,0,0,1\n').distribution(log)).toThrow(
      /row 5, beyond the log's 2 rows/,
    );
  });
});
