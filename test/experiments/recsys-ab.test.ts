import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import {
  activityChart,
  combineRecsysArms,
  createRecsysBurninShared,
  createRecsysMetricShared,
  efficiencyLevelChart,
  efficiencyLiftChart,
  helpRecsysMetrics,
  JOB_MODULE,
  meanLift,
  playsLiftChart,
  type RecsysArmJobInput,
  type RecsysArmResult,
  runRecsysExperiment,
  simulateRecsysArm,
  simulateRecsysExperiment,
  taskLiftChart,
  truthChart,
} from '../../src/experiments/index.js';
import { runReplications } from '../../src/sim/pool.js';

/** Per-user plays of the control and test users of an arm summed over the experiment days [from, to]. */
function phaseTotals(arm: RecsysArmResult, from: number, to: number): { control: number[]; test: number[] } {
  const n = arm.tracked.length;
  const tot = new Float64Array(n);
  for (let d = from; d <= to; d++) for (let j = 0; j < n; j++) tot[j]! += arm.dailyPlays[d - 1]![j]!;
  return { control: Array.from(tot.subarray(0, arm.nControl)), test: Array.from(tot.subarray(arm.nControl)) };
}

const SMALL = { users: 600, daysBurnin: 4, daysPhase1: 3, daysPhase2: 2 };

describe('exploration metrics in shared memory (computed by whichever thread is free)', () => {
  const cfg = { ...SMALL, users: 900, shares: [0.6, 0.2, 0.2] as [number, number, number] };

  it('give the same result as computed inline, in one thread and on two workers', async () => {
    const inline = runRecsysExperiment(cfg, createRng(4).fork(0));
    const shared = createRecsysMetricShared(cfg)!;
    expect(shared.slots).toBeGreaterThan(cfg.users * 0.4);
    const rng = createRng(4).fork(0);
    const main = simulateRecsysArm(cfg, rng, 1, true, undefined, shared);
    // Every unit was computed by the experiment arm's thread: a late helper finds nothing left.
    helpRecsysMetrics(shared, cfg);
    const one = combineRecsysArms(main, simulateRecsysArm(cfg, rng, 0, false));
    expect(JSON.stringify(one)).toBe(JSON.stringify(inline));
    const input: RecsysArmJobInput = {
      settings: [cfg],
      seed: 4,
      streams: [0],
      arms: 2,
      shared: [createRecsysMetricShared(cfg)],
    };
    const arms = await runReplications<RecsysArmJobInput, RecsysArmResult>(
      { module: JOB_MODULE, name: 'recsysArmJob' },
      input,
      { runs: 2, seed: 4, chunk: 1, workers: 2 },
    );
    expect(JSON.stringify(combineRecsysArms(arms[0]!, arms[1]))).toBe(JSON.stringify(inline));
  }, 120_000);

  it("give the same result with the burn-in served by both arms' threads together (odd users, discount)", async () => {
    for (const [c, runs] of [
      [cfg, 4],
      [{ ...cfg, users: 301, discount: 0.9, daysBurnin: 3 }, 2],
    ] as const) {
      const inline = runRecsysExperiment(c, createRng(5).fork(0));
      const input: RecsysArmJobInput = {
        settings: [c, c],
        seed: 5,
        streams: [0, 0],
        arms: 2,
        shared: [createRecsysMetricShared(c), null],
        burnin: [createRecsysBurninShared(c), createRecsysBurninShared(c)],
      };
      // Two workers; with 4 runs the second pair starts when the first pair's threads free up (the odd-sized,
      // discounted world checks one pair: a smaller world keeps the test's time down).
      const arms = await runReplications<RecsysArmJobInput, RecsysArmResult>(
        { module: JOB_MODULE, name: 'recsysArmJob' },
        input,
        { runs, seed: 5, chunk: 1, workers: 2 },
      );
      for (let k = 0; k < runs; k += 2)
        expect(JSON.stringify(combineRecsysArms(arms[k]!, arms[k + 1]))).toBe(JSON.stringify(inline));
    }
    expect(createRecsysBurninShared({ ...cfg, daysBurnin: 0 })).toBeNull();
    expect(() =>
      simulateRecsysArm({ ...cfg, users: 1000 }, createRng(1).fork(0), 1, true, undefined, null, {
        shared: createRecsysBurninShared(cfg)!,
        part: 0,
      }),
    ).toThrow(/other settings/);
  }, 180_000);

  it('are declined for Monte Carlo P and refused for other settings', () => {
    expect(createRecsysMetricShared({ ...cfg, posteriorMethod: 'montecarlo' })).toBeNull();
    const shared = createRecsysMetricShared(cfg)!;
    expect(() =>
      simulateRecsysArm({ ...cfg, users: 1000 }, createRng(1).fork(0), 1, true, undefined, shared),
    ).toThrow(/other settings/);
  });
});

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

  it('measures the truth on the same users: with gamma = 0 the two arms are identical (truth and leakage 0)', () => {
    const r = simulateRecsysExperiment({ ...SMALL, gamma: 0 }, 3);
    expect(r.truth!.plays.estimate).toBe(0);
    for (const p of r.phases) {
      expect(p.truth!.plays.estimate).toBe(0);
      expect(p.leakage!.plays.estimate).toBe(0);
      // The A/A counterpart is then the readout itself.
      expect(p.aa!.plays.estimate).toBeCloseTo(p.lift.plays.estimate!, 12);
    }
    for (const d of r.days) expect(d.truth!.plays.estimate).toBe(0);
    // With exploration the truth moves, and the result carries the contract fields.
    const u = simulateRecsysExperiment({ ...SMALL, gamma: 2 }, 3);
    expect(u.truth!.plays.estimate).not.toBe(0);
    expect(u.truth!.plays.ci95[0]!).toBeLessThan(u.truth!.plays.estimate!);
    expect(u.phases.map((p) => p.phase)).toEqual([1, 2]);
    for (const p of u.phases) {
      for (const f of ['lift', 'aa', 'truth', 'leakage', 'liftCuped'] as const) {
        expect(p[f]!.plays.ci95).toHaveLength(2);
      }
    }
    expect(u.power!.mde80).toBeGreaterThan(0);
    const spec = JSON.stringify(truthChart(u.days));
    expect(spec).toContain('truth (paired, test users)');
  });

  it("the phase A/A equals the counterfactual arm's readout, and covers 0 in >= 90 % of 50 seeded small runs", () => {
    const cfg = {
      users: 800,
      shares: [0.5, 0.25, 0.25] as [number, number, number],
      daysBurnin: 3,
      daysPhase1: 3,
      daysPhase2: 2,
    };
    const rng = createRng(9).fork(0);
    const r = runRecsysExperiment(cfg, rng);
    const cf = simulateRecsysArm(cfg, rng, 0, false);
    const t1 = phaseTotals(cf, 1, 3);
    expect(r.phases[0]!.aa!.plays.estimate).toBeCloseTo(meanLift(t1.test, t1.control).estimate!, 12);
    let covered1 = 0;
    let covered2 = 0;
    for (let seed = 0; seed < 50; seed++) {
      const arm = simulateRecsysArm(cfg, createRng(seed).fork(0), 0, false);
      for (const [from, to, ph] of [
        [1, 3, 1],
        [4, 5, 2],
      ] as const) {
        const t = phaseTotals(arm, from, to);
        const l = meanLift(t.test, t.control);
        if (l.ci95[0]! <= 0 && 0 <= l.ci95[1]!) {
          if (ph === 1) covered1++;
          else covered2++;
        }
      }
    }
    expect(covered1).toBeGreaterThanOrEqual(45);
    expect(covered2).toBeGreaterThanOrEqual(45);
  }, 300_000);

  it('with one item per topic reproduces the topic-only world exactly (numbers recorded before the item layer)', () => {
    // Recorded from commit 0746e26 (before items existed): funnel world, 600 users, 3 + 3 + 2 days, seed 5.
    const before = {
      preset: 'funnel',
      plays: [
        [9.902542372881356, 7.416666666666667, 7.5],
        [13.263157894736842, 8, 11.636363636363637],
        [13.4375, 12.818181818181818, 15.615384615384615],
        [13.045081967213115, 8.733333333333333, 7.833333333333333],
        [14.644, 18.25, 10.636363636363637],
      ],
      truth: -0.07357357357357353,
      phases: [
        [0.3956531381681083, 0.5640940341539145, 0],
        [-0.4272830750372121, -0.46044708405510193, -0.057906458797327365],
      ],
    };
    for (const world of [{ itemsPerTopic: 1 }, { itemsPerTopic: 1, itemSd: 3 }]) {
      const r = simulateRecsysExperiment(
        { users: 600, daysBurnin: 3, daysPhase1: 3, daysPhase2: 2, world },
        5,
      );
      expect(
        r.days.map((d) => [d.groups.production.plays, d.groups.control.plays, d.groups.test.plays]),
      ).toEqual(before.plays);
      expect(r.truth!.plays.estimate).toBe(before.truth);
      expect(
        r.phases.map((p) => [p.lift.plays.estimate, p.aa!.plays.estimate, p.leakage!.plays.estimate]),
      ).toEqual(before.phases);
    }
    // The preset of the same world, and the default (10 items per topic) which serves items and so differs.
    const preset = simulateRecsysExperiment(
      { users: 600, daysBurnin: 3, daysPhase1: 3, daysPhase2: 2, preset: 'funnel-topics' },
      5,
    );
    expect(preset.truth!.plays.estimate).toBe(before.truth);
    const items = simulateRecsysExperiment({ users: 600, daysBurnin: 3, daysPhase1: 3, daysPhase2: 2 }, 5);
    expect((items.setting.world as { itemsPerTopic: number }).itemsPerTopic).toBe(10);
    expect(items.truth!.plays.estimate).not.toBe(before.truth);
    // Deterministic with items too.
    const again = simulateRecsysExperiment({ users: 600, daysBurnin: 3, daysPhase1: 3, daysPhase2: 2 }, 5);
    expect(JSON.stringify(again)).toBe(JSON.stringify(items));
  });

  it('keeps the old world as a preset and the Monte Carlo P as an option', () => {
    const q = simulateRecsysExperiment({ ...SMALL, preset: 'uniform', truth: false }, 4);
    const mc = simulateRecsysExperiment(
      { ...SMALL, preset: 'uniform', truth: false, posteriorMethod: 'montecarlo', posteriorSamples: 2000 },
      4,
    );
    expect(q.truth).toBeNull();
    expect((q.setting.world as { sourcing: string }).sourcing).toBe('uniform');
    // Same users and recommendations; P differs only by Monte Carlo error.
    expect(mc.days[0]!.groups.control.plays).toBe(q.days[0]!.groups.control.plays);
    expect(Math.abs(mc.days[0]!.groups.control.IU! - q.days[0]!.groups.control.IU!)).toBeLessThan(0.02);
  });

  it('rejects bad settings with one clear error', () => {
    expect(() => simulateRecsysExperiment({ users: 0 }, 1)).toThrow(
      /users must be an integer in \[1, 200000\] \(got 0\)/,
    );
    expect(() => simulateRecsysExperiment({ users: 1e9 }, 1)).toThrow(
      /users must be an integer in \[1, 200000\]/,
    );
    expect(() => simulateRecsysExperiment({ preset: 'mars' }, 1)).toThrow(/preset must be one of funnel/);
    expect(() => simulateRecsysExperiment({ gamma: -1 }, 1)).toThrow(/gamma must be >= 0 \(got -1\)/);
    expect(() => simulateRecsysExperiment({ daysPhase1: 0 }, 1)).toThrow(
      /daysPhase1 must be an integer in \[1, 365\]/,
    );
    expect(() => simulateRecsysExperiment({ shares: [0.8, 0.1, 0.05] }, 1)).toThrow(/shares must sum to 1/);
    expect(() => simulateRecsysExperiment({ world: { itemsPerTopic: 33 } }, 1)).toThrow(
      /itemsPerTopic must be an integer in \[1, 32\] \(got 33\)/,
    );
    expect(() => simulateRecsysExperiment({ world: { itemSd: -1 } }, 1)).toThrow(
      /itemSd must be in \[0, 10\]/,
    );
  });
});
