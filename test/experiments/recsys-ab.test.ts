import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import {
  activityChart,
  efficiencyLevelChart,
  efficiencyLiftChart,
  playsLiftChart,
  runRecsysExperiment,
  simulateRecsysExperiment,
  taskLiftChart,
} from '../../src/experiments/index.js';

const SMALL = { users: 600, daysBurnin: 4, daysPhase1: 3, daysPhase2: 2, posteriorSamples: 50 };

describe('two-phase three-group experiment on the simulated recommender', () => {
  it('reports phases 1 then 2, every group each day, and the lift test/control - 1 of plays', () => {
    const r = simulateRecsysExperiment(SMALL, 1);
    expect(r.days.map((d) => d.phase)).toEqual([1, 1, 1, 2, 2]);
    expect(r.assigned.production + r.assigned.control + r.assigned.test).toBe(600);
    for (const d of r.days) {
      expect(d.lift.plays.estimate).toBeCloseTo(d.groups.test.plays / d.groups.control.plays - 1, 12);
      for (const g of [d.groups.production, d.groups.control, d.groups.test]) {
        expect(g.complete).toBeGreaterThan(0);
        expect(g.complete).toBeLessThan(1);
        expect(g.skip + g.playRate).toBeCloseTo(1, 12);
        expect(g.TD).not.toBeNull();
        expect(g.TD!).toBeGreaterThanOrEqual(1);
        expect(g.TE!).toBeGreaterThanOrEqual(0);
        expect(g.TE!).toBeLessThanOrEqual(1);
        expect(g.EI!).toBeGreaterThanOrEqual(0);
        expect(g.IU!).toBeLessThanOrEqual(Math.log(30) + 1e-12);
      }
    }
  });

  it('builds the Figure 3-6 chart specs from the result (lift in %, with the 95 % band)', () => {
    const r = simulateRecsysExperiment(SMALL, 1);
    const fig3 = playsLiftChart(r.days) as {
      data: { values: { series: string; y: number; lo: number; hi: number }[] };
    };
    const rows = fig3.data.values.filter((v) => v.series === 'plays');
    expect(rows).toHaveLength(5);
    expect(rows[0]!.y).toBeCloseTo(100 * r.days[0]!.lift.plays.estimate!, 10);
    expect(rows[0]!.lo).toBeCloseTo(100 * r.days[0]!.lift.plays.ci95[0]!, 10);
    for (const spec of [
      activityChart(r.buckets.control, 'control'),
      efficiencyLiftChart(r.days),
      efficiencyLevelChart(r.days, 'EI'),
      taskLiftChart(r.days),
    ]) {
      expect(JSON.stringify(spec)).toContain('"layer"');
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = runRecsysExperiment(SMALL, createRng(5));
    const b = runRecsysExperiment(SMALL, createRng(5));
    const c = runRecsysExperiment(SMALL, createRng(6));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a.days)).not.toBe(JSON.stringify(c.days));
  });

  it('explores in test only: test recommends more distinct topics per user than control', () => {
    const r = simulateRecsysExperiment({ ...SMALL, users: 1500 }, 2);
    const d1 = r.days[0]!;
    expect(d1.groups.test.TD!).toBeGreaterThan(d1.groups.control.TD!);
    // With gamma = 0 the test group is served exactly like control: no systematic difference in TD.
    const g0 = simulateRecsysExperiment({ ...SMALL, users: 1500, gamma: 0 }, 2);
    expect(Math.abs(g0.days[0]!.groups.test.TD! - g0.days[0]!.groups.control.TD!)).toBeLessThan(1.5);
  });

  it('rejects bad settings with one clear error', () => {
    expect(() => simulateRecsysExperiment({ users: 0 }, 1)).toThrow(
      /users must be an integer >= 1 \(got 0\)/,
    );
    expect(() => simulateRecsysExperiment({ gamma: -1 }, 1)).toThrow(/gamma must be >= 0 \(got -1\)/);
    expect(() => simulateRecsysExperiment({ daysPhase1: 0 }, 1)).toThrow(
      /daysPhase1 must be an integer >= 1/,
    );
    expect(() => simulateRecsysExperiment({ shares: [0.8, 0.1, 0.05] }, 1)).toThrow(/shares must sum to 1/);
  });
});
