import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allocationRows,
  checkForecasts,
  parseModelOutput,
  parseTargetData,
  quantileScoreRows,
  summarizeScores,
} from '../../src/forecast/index.js';
import { SHARED } from '../helpers/cli.js';

const HUB = join(SHARED, 'data', 'forecast-hub');

describe('the real FluSight 2024-25 subset, end to end', () => {
  const table = parseModelOutput(readFileSync(join(HUB, 'model-output.csv'), 'utf8'));
  const truth = parseTargetData(readFileSync(join(HUB, 'target-data.csv'), 'utf8'));
  const { complete, incomplete } = checkForecasts(table);

  it('finds the complete forecasts the data README lists per reference date, and lists the others with reasons', () => {
    expect(table.kept).toBe(288696);
    expect(table.locations.length).toBe(52);
    const per = new Map<string, number>();
    for (const f of complete) per.set(f.referenceDate, (per.get(f.referenceDate) ?? 0) + 1);
    // README table, column "complete for all 52 locations"
    expect(Object.fromEntries(per)).toEqual({
      '2024-12-07': 29,
      '2024-12-21': 31,
      '2025-01-04': 33,
      '2025-01-18': 31,
      '2025-02-01': 32,
      '2025-02-15': 33,
    });
    expect(complete.length + incomplete.length).toBe(table.forecasts.length);
    for (const f of incomplete) expect(f.reason).toMatch(/^missing locations? /);
    expect(incomplete.find((f) => f.model === 'CADPH-FluCAT_Ensemble')!.reason).toMatch(/\(51\) of 52/);
  });

  it('allocates and scores every complete forecast: x >= 0, sum x = K, monotone in K, finite scores', () => {
    // from far in the lower tails (K = 1) to far beyond the upper quantiles (K = 1e6)
    const Ks = [1, 200, 2000, 15000, 60000, 1e6];
    for (const f of complete) {
      const { rows, allocations } = allocationRows(f, Ks, { truth });
      expect(rows.length).toBe(Ks.length * 52);
      for (const a of allocations) {
        let s = 0;
        for (const x of a.x) {
          expect(x).toBeGreaterThanOrEqual(0);
          s += x;
        }
        expect(Math.abs(s - a.K)).toBeLessThanOrEqual(1e-12 * a.K);
      }
      for (let j = 1; j < allocations.length; j++) {
        for (let i = 0; i < 52; i++) {
          expect(allocations[j]!.x[i]!).toBeGreaterThanOrEqual(allocations[j - 1]!.x[i]! - 1e-12 * Ks[j]!);
        }
      }
      for (const r of rows) {
        expect(Number.isFinite(r.score_total!)).toBe(true);
        expect(Number.isFinite(r.tau)).toBe(true);
        expect(r.score_adjusted!).toBeGreaterThanOrEqual(-1e-9 * r.K);
        expect(r.score_oracle).toBe(Math.max(0, sumObs(rows, r.K) - r.K));
      }
    }
  });

  it('scores WIS for every location forecast and ranks models by relative WIS', () => {
    const rows = quantileScoreRows(table, truth);
    expect(rows.length).toBe(288696 / 23);
    expect(rows.every((r) => r.wis !== null && Number.isFinite(r.wis))).toBe(true);
    const summary = summarizeScores(rows, 'FluSight-baseline');
    expect(summary.find((s) => s.model_id === 'FluSight-baseline')!.relative_wis).toBe(1);
    expect(summary.length).toBe(45);
  });
});

function sumObs(rows: readonly { K: number; observation: number | null }[], K: number): number {
  let s = 0;
  for (const r of rows) if (r.K === K) s += r.observation!;
  return s;
}
