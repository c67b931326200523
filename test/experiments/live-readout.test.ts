/** The live experiment readout (issue 12): definition, assignment, readout statistics against hand-computed values. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import type { GroupName } from '../../src/experiments/assignment.js';
import {
  type LiveEvent,
  type LiveExperimentRecord,
  liveAssignment,
  liveCupedLift,
  liveGroupOf,
  liveReadout,
  normalizeLiveExperiment,
} from '../../src/experiments/live-readout.js';

const agent = (epsilon: number) => ({ policy: { type: 'epsilon-greedy', epsilon }, arms: ['a', 'b'] });
const body = {
  groups: {
    production: { share: 0.5, agent: agent(0) },
    control: { share: 0.25, agent: agent(0) },
    test: { share: 0.25, agent: agent(0.2) },
  },
};
const DAY = 86_400_000;
const record = (phase: 1 | 2 = 1, extra: Partial<LiveExperimentRecord> = {}): LiveExperimentRecord => ({
  id: 'x',
  ...normalizeLiveExperiment('x', body),
  createdAt: 0,
  phase,
  phaseSwitchAt: null,
  start: null,
  pooledSeq: null,
  ...extra,
});
const ev = (
  group: GroupName,
  user: string,
  day: number,
  reward: number[] | null,
  actions = ['a'],
): LiveEvent => ({
  phase: 1,
  group,
  user,
  ts: (day - 1) * DAY + 1000,
  actions,
  reward,
});

describe('normalizeLiveExperiment', () => {
  it('fills the salt with the experiment id and validates the agents', () => {
    const s = normalizeLiveExperiment('exp-1', body);
    expect(s.salt).toBe('exp-1');
    expect(s.groups.test.agent.policy).toEqual({ type: 'epsilon-greedy', epsilon: 0.2 });
    expect(s.pre).toBeUndefined();
    expect(normalizeLiveExperiment('e', { ...body, pre: { agent: 'prod' } }).pre).toEqual({
      agent: 'prod',
      days: 14,
    });
  });

  it('refuses groups that cannot share one state, bad shares, ids and fields', () => {
    const other = {
      ...body,
      groups: { ...body.groups, test: { share: 0.25, agent: { ...agent(0.2), arms: ['a'] } } },
    };
    expect(() => normalizeLiveExperiment('e', other)).toThrow(/same policy type, arms/);
    const ucb = {
      ...body,
      groups: {
        ...body.groups,
        test: { share: 0.25, agent: { policy: { type: 'ucb1' }, arms: ['a', 'b'] } },
      },
    };
    expect(() => normalizeLiveExperiment('e', ucb)).toThrow(/same policy type/);
    const shares = { ...body, groups: { ...body.groups, control: { share: 0, agent: agent(0) } } };
    expect(() => normalizeLiveExperiment('e', shares)).toThrow(
      expect.objectContaining({ code: 'ALLOT_OUT_OF_RANGE' }),
    );
    expect(() => normalizeLiveExperiment('a:b', body)).toThrow(
      expect.objectContaining({ code: 'ALLOT_INVALID_ARGUMENT' }),
    );
    expect(() => normalizeLiveExperiment('e', { ...body, extra: 1 })).toThrow(/unknown field "extra"/);
    expect(() =>
      normalizeLiveExperiment('e', {
        groups: { ...body.groups, test: { share: 0.25, agent: { policy: { type: 'nope' } } } },
      }),
    ).toThrow(/groups.test.agent/);
    expect(() => normalizeLiveExperiment('e', { ...body, pre: { agent: 'p', days: 0 } })).toThrow(/pre.days/);
  });
});

describe('liveGroupOf', () => {
  it('depends only on the user and the salt', () => {
    const a = liveAssignment(normalizeLiveExperiment('x', body));
    const b = liveAssignment(normalizeLiveExperiment('y', { ...body, salt: 'x' }));
    for (let i = 0; i < 1000; i++) expect(liveGroupOf(a, `u${i}`)).toBe(liveGroupOf(b, `u${i}`));
  });
});

describe('liveReadout', () => {
  // control: c1 rewards 1 and 0 on day 1, c2 1 on day 2; test: t1 1 on day 1, t2 1 on days 1 and 2, t3 no reward.
  const events = [
    ev('control', 'c1', 1, [1]),
    ev('control', 'c1', 1, [0]),
    ev('control', 'c2', 2, [1]),
    ev('test', 't1', 1, [1]),
    ev('test', 't2', 1, [1]),
    ev('test', 't2', 2, [1]),
    ev('test', 't3', 2, null),
    ev('production', 'p1', 1, [0]),
  ];

  it('counts users, decisions and rewards per user, and computes the user-level lift by hand', () => {
    const r = liveReadout(record(), events, null, { samples: 0 });
    expect(r.groups.control).toMatchObject({
      users: 2,
      decisions: 3,
      rewards: 3,
      rewardSum: 2,
      rewardPerUser: 1,
    });
    expect(r.groups.control.rewardPerDecision).toBeCloseTo(2 / 3, 15);
    expect(r.groups.test).toMatchObject({
      users: 3,
      decisions: 4,
      rewards: 3,
      rewardSum: 3,
      rewardPerUser: 1,
    });
    expect(r.groups.test.taskRates).toEqual([1]);
    expect(r.groups.production.users).toBe(1);
    // Test per-user totals [1, 2, 0] (mean 1, s^2 = 1), control [1, 1] (mean 1, s^2 = 0):
    // L = 0, Var L = (1/1)^2 (1/3 / 1 + 0) = 1/3.
    expect(r.lift.method).toBe('delta');
    expect(r.lift.estimate).toBe(0);
    expect(r.lift.se).toBeCloseTo(Math.sqrt(1 / 3), 14);
    expect(r.lift.ci95[1]).toBeCloseTo(1.959963984540054 * Math.sqrt(1 / 3), 14);
    expect(r.phases).toHaveLength(1);
    expect(r.groups.test.exploration).toBeNull();
    expect(r.notes.cuped).toMatch(/no pre-experiment period/);
  });

  it('reads out per day: the daily lift per active user and the lift cumulated over the phase', () => {
    const r = liveReadout(record(), events, null, { samples: 0 });
    expect(r.days.map((d) => [d.day, d.phase, d.users])).toEqual([
      [1, 1, 3],
      [2, 1, 3],
    ]);
    // Day 2 alone: test t2 1, t3 0 (mean 0.5) against control c2 1: -0.5.
    expect(r.days[1]!.dailyLift.estimate).toBeCloseTo(-0.5, 15);
    expect(r.days[0]!.dailyLift.estimate).toBe(0);
    expect(r.days[1]!.lift).toEqual({ estimate: r.lift.estimate, ci95: r.lift.ci95, se: r.lift.se });
    expect(r.days[1]!.date).toBe(new Date(DAY).toISOString());
  });

  it('separates the phases by the agent that decided; the top-level lift is the current phase', () => {
    const p2 = [ev('control', 'c1', 3, [1]), ev('test', 't1', 3, [2])].map((e) => ({
      ...e,
      phase: 2 as const,
    }));
    const r = liveReadout(
      record(2, { phaseSwitchAt: 2 * DAY, start: 'pooled', pooledSeq: 9 }),
      [...events, ...p2],
      null,
      {
        samples: 0,
      },
    );
    expect(r.phases.map((p) => p.phase)).toEqual([1, 2]);
    expect(r.lift).toEqual(r.phases[1]!.lift);
    expect(r.lift.estimate).toBe(1);
    expect(r.groups.test.users).toBe(1);
    expect(r.phaseSwitchAt).toBe(new Date(2 * DAY).toISOString());
  });

  it('uses CUPED when a pre-period exists: a covariate equal to the metric removes all variance', () => {
    const pre = [
      { user: 'c1', value: 1 },
      { user: 'c2', value: 1 },
      { user: 't1', value: 1 },
      { user: 't2', value: 2 },
    ];
    const r = liveReadout(record(), events, pre, { samples: 0 });
    expect(r.lift.method).toBe('cuped');
    const c = r.phases[0]!.liftCuped!;
    expect(c.theta).toBeCloseTo(1, 14);
    expect(c.varianceReduction).toBeCloseTo(1, 14);
    expect(c.estimate).toBeCloseTo(0, 14);
    expect(c.se).toBeCloseTo(0, 7);
    expect(r.phases[0]!.liftDelta.se).toBeCloseTo(Math.sqrt(1 / 3), 14);
    expect(r.notes.preUsers).toBe(4);
  });

  it('does not call it CUPED when the pre-period has no logged decision', () => {
    const r = liveReadout(record(), events, [], { samples: 0 });
    expect(r.lift.method).toBe('delta');
    expect(r.phases[0]!.liftCuped).toBeNull();
    expect(r.notes.cuped).toMatch(/no logged decisions/);
  });

  it('gives the plain lift under CUPED with a constant covariate', () => {
    const l = liveCupedLift({ y: [1, 2, 0], x: [5, 5, 5] }, { y: [1, 2], x: [5, 5] });
    expect(l.theta).toBe(0);
    expect(l.estimate).toBeCloseTo(1 / 1.5 - 1, 15); // means 1 and 1.5
    expect(l.varianceReduction).toBeNull();
  });

  it('computes EI/TD/IU/TE per group from the logged recommendations, reproducibly by seed', () => {
    const many: LiveEvent[] = [];
    for (let d = 1; d <= 3; d++)
      for (let u = 0; u < 20; u++) {
        many.push(ev('control', `c${u}`, d, [u % 2], ['a']));
        many.push(ev('test', `t${u}`, d, [1], ['a']));
        many.push(ev('test', `t${u}`, d, [0], ['b']));
      }
    const a = liveReadout(record(), many, null, { samples: 100, seed: 4 });
    const b = liveReadout(record(), many, null, { samples: 100, seed: 4 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const c = a.groups.control.exploration!;
    const t = a.groups.test.exploration!;
    expect(c.userDays).toBe(60);
    expect(c.TD).toBe(1); // one arm a day
    expect(t.TD).toBe(2);
    // Test users have seen b fail and a succeed: P leans to a, and Q is half a, half b.
    expect(t.TE).toBeGreaterThan(0.25);
    expect(t.TE).toBeLessThanOrEqual(0.5 + 1e-12);
    expect(c.IU).toBeGreaterThanOrEqual(0);
    expect(c.IU).toBeLessThanOrEqual(Math.log(2) + 1e-12);
    expect(a.days[0]!.groups.test.exploration!.userDays).toBe(20);
    expect(liveReadout(record(), many, null, { samples: 100, seed: 5 }).groups.test.exploration).not.toEqual(
      t,
    );
  });

  it('has a 95 % interval that covers the true lift in about 95 % of seeded replications', () => {
    // Both groups: 150 users, 1 to 3 decisions each; Bernoulli rewards 0.5 (control) and 0.6 (test): lift 0.2.
    const reps = 200;
    let covered = 0;
    for (let rep = 0; rep < reps; rep++) {
      const rng = createRng(1000).fork(rep);
      const es: LiveEvent[] = [];
      for (const [group, p] of [
        ['control', 0.5],
        ['test', 0.6],
      ] as const)
        for (let u = 0; u < 150; u++) {
          const visits = 1 + rng.int(3);
          for (let v = 0; v < visits; v++) es.push(ev(group, `${group}${u}`, 1, [rng.uniform() < p ? 1 : 0]));
        }
      const l = liveReadout(record(), es, null, { samples: 0 }).lift;
      if (l.ci95[0]! <= 0.2 && 0.2 <= l.ci95[1]!) covered++;
    }
    expect(covered / reps).toBeGreaterThan(0.9);
    expect(covered / reps).toBeLessThan(0.99);
  });

  it('refuses bad options', () => {
    expect(() => liveReadout(record(), [], null, { samples: -1 })).toThrow(/samples/);
    expect(() => liveReadout(record(), [], null, { dayMs: 0 })).toThrow(/dayMs/);
    const empty = liveReadout(record(), [], null);
    expect(empty.lift.estimate).toBeNull();
    expect(empty.groups.control.users).toBe(0);
  });
});
