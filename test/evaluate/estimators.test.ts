import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { estimateValues, poissonBootstrapTotals, STANDARD_ESTIMATORS } from '../../src/evaluate/index.js';
import { fc, test } from '../helpers/fast-check.js';

// A tiny log, every value worked by hand (see the comments).
// r = [1, 0, 1, 0], p = [.5, .5, .25, .5], pi = [1, .5, .5, 0] -> w = [2, 1, 2, 0]
// q(logged) = .5 everywhere -> r - q = [.5, -.5, .5, -.5]; q(target) = [.6, .4, .5, .3] (sum 1.8)
const tiny = {
  reward: Float64Array.of(1, 0, 1, 0),
  pscore: Float64Array.of(0.5, 0.5, 0.25, 0.5),
  targetProb: Float64Array.of(1, 0.5, 0.5, 0),
  qLogged: Float64Array.of(0.5, 0.5, 0.5, 0.5),
  qTarget: Float64Array.of(0.6, 0.4, 0.5, 0.3),
};

describe('standard estimators on a hand-computed log', () => {
  const r = estimateValues(tiny, { switchTau: 1.5, drosLambda: 4 });
  const v = (k: string) => r.estimates[k]!.value!;
  it('IPW is mean(w r) = (2 + 2) / 4', () => expect(v('ipw')).toBeCloseTo(1, 14));
  it('SNIPW is sum(w r) / sum(w) = 4 / 5', () => expect(v('snipw')).toBeCloseTo(0.8, 14));
  it('DM is mean(q_target) = 1.8 / 4', () => expect(v('dm')).toBeCloseTo(0.45, 14));
  it('DR is mean(q_target + w (r - q)) = (1.8 + 1.5) / 4', () => expect(v('dr')).toBeCloseTo(0.825, 14));
  it('SNDR is mean(q_target) + sum(w (r - q)) / sum(w) = 0.45 + 1.5 / 5', () =>
    expect(v('sndr')).toBeCloseTo(0.75, 14));
  it('Switch-DR with tau = 1.5 keeps the correction of rows with w <= 1.5 only: (1.8 - 0.5) / 4', () =>
    expect(v('switch-dr')).toBeCloseTo(0.325, 14));
  it('DRos with lambda = 4 shrinks w = 2 to 1 and w = 1 to 0.8: (1.8 + 0.5 - 0.4 + 0.5) / 4', () =>
    expect(v('dros')).toBeCloseTo(0.6, 14));
  it('the IPW standard error is sd(w r) / sqrt(n) = sqrt((4/3) / 4)', () =>
    expect(r.estimates['ipw']!.se!).toBeCloseTo(Math.sqrt(1 / 3), 12));
  it('diagnostics: ESS (sum w)^2 / sum w^2 = 25 / 9, max weight 2, a quarter of rows without target support', () => {
    expect(r.diagnostics.ess).toBeCloseTo(25 / 9, 12);
    expect(r.diagnostics.maxWeight).toBe(2);
    expect(r.diagnostics.zeroSupport).toBe(0.25);
  });
  it('clipping at 1.5 caps the weights: IPW = (1.5 + 1.5) / 4', () => {
    const c = estimateValues(tiny, { estimators: ['ipw'], clip: 1.5 });
    expect(c.estimates['ipw']!.value).toBeCloseTo(0.75, 14);
    expect(c.diagnostics.clipped).toBe(0.5);
  });
  it('the example of the doc comment holds', () => {
    const e = estimateValues(
      { reward: Float64Array.of(1, 0), pscore: Float64Array.of(0.5, 0.5), targetProb: Float64Array.of(1, 0) },
      { estimators: ['ipw'] },
    );
    expect(e.estimates['ipw']!.value).toBe(1);
  });
  it('without resamples the reported interval is the normal one', () => {
    const e = r.estimates['ipw']!;
    expect(e.ci95).toEqual(e.ciNormal);
    expect(e.ciNormal[0]).toBeCloseTo(1 - 1.959963984540054 * Math.sqrt(1 / 3), 12);
  });
  it('the bootstrap is seeded: same seed, same interval; the interval brackets the estimate', () => {
    const a = estimateValues(tiny, { bootstrap: 200, seed: 3 });
    const b = estimateValues(tiny, { bootstrap: 200, seed: 3 });
    expect(a.estimates).toEqual(b.estimates);
    const ipw = a.estimates['ipw']!;
    expect(ipw.ci95[0]!).toBeLessThanOrEqual(1);
    expect(ipw.ci95[1]!).toBeGreaterThanOrEqual(1);
  });
  it('rejects propensities outside (0, 1], and DM without a reward model, with one clear error each', () => {
    expect(() => estimateValues({ ...tiny, pscore: Float64Array.of(0.5, 0, 0.5, 0.5) })).toThrow(
      /propensity of row 1 must be in \(0, 1\] \(got 0\)/,
    );
    expect(() => estimateValues({ ...tiny, pscore: Float64Array.of(0.5, 1.5, 0.5, 0.5) })).toThrow(/got 1.5/);
    expect(() =>
      estimateValues(
        { reward: tiny.reward, pscore: tiny.pscore, targetProb: tiny.targetProb },
        { estimators: ['dm'] },
      ),
    ).toThrow(/need a reward model/);
  });
});

/** A simulated log: K actions, a random logging distribution and a random target one, Bernoulli rewards. */
function simulate(seed: number, n: number, K: number) {
  const rng = createRng(seed);
  const mu = Float64Array.from({ length: K }, () => 0.1 + 0.8 * rng.uniform());
  const logp = Float64Array.from({ length: K }, () => 0.2 + rng.uniform());
  const tp = Float64Array.from({ length: K }, () => rng.uniform() ** 2);
  const norm = (x: Float64Array) => {
    const s = x.reduce((a, b) => a + b, 0);
    for (let i = 0; i < x.length; i++) x[i]! /= s;
  };
  norm(logp);
  norm(tp);
  let truth = 0;
  for (let a = 0; a < K; a++) truth += tp[a]! * mu[a]!;
  return { rng, mu, logp, tp, truth, n, K };
}

function draw(s: ReturnType<typeof simulate>, stream: number) {
  const rng = s.rng.fork(stream);
  const reward = new Float64Array(s.n);
  const pscore = new Float64Array(s.n);
  const targetProb = new Float64Array(s.n);
  const qLogged = new Float64Array(s.n);
  const qTarget = new Float64Array(s.n);
  for (let i = 0; i < s.n; i++) {
    let u = rng.uniform();
    let a = 0;
    while (a < s.K - 1 && u >= s.logp[a]!) u -= s.logp[a++]!;
    reward[i] = rng.uniform() < s.mu[a]! ? 1 : 0;
    pscore[i] = s.logp[a]!;
    targetProb[i] = s.tp[a]!;
    qLogged[i] = 0.5;
    qTarget[i] = 0.5;
  }
  return { reward, pscore, targetProb, qLogged, qTarget };
}

describe('properties', () => {
  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { seed: 7, numRuns: 4 })(
    'IPW is unbiased: its mean over 300 simulated logs is within 3 standard errors of the true value',
    (seed) => {
      const s = simulate(seed, 200, 5);
      const xs: number[] = [];
      for (let rep = 0; rep < 300; rep++)
        xs.push(estimateValues(draw(s, rep), { estimators: ['ipw'] }).estimates['ipw']!.value!);
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
      expect(Math.abs(m - s.truth)).toBeLessThan((3 * sd) / Math.sqrt(xs.length));
    },
  );

  test.prop([fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 0.01, max: 1, noNaN: true })], {
    seed: 8,
    numRuns: 30,
  })('SNIPW is invariant to scaling the weights', (seed, c) => {
    const x = draw(simulate(seed, 50, 4), 0);
    const scaled = { ...x, targetProb: x.targetProb.map((t) => t * c) };
    const a = estimateValues(x, { estimators: ['snipw'] }).estimates['snipw']!.value!;
    const b = estimateValues(scaled, { estimators: ['snipw'] }).estimates['snipw']!.value!;
    expect(b).toBeCloseTo(a, 12);
  });

  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { seed: 9, numRuns: 30 })(
    'DR equals DM when every weight is zero, and IPW when the reward model is zero',
    (seed) => {
      const x = draw(simulate(seed, 60, 4), 0);
      const rng = createRng(seed + 1);
      const qT = x.qTarget.map(() => rng.uniform());
      const qL = x.qLogged.map(() => rng.uniform());
      const zeroW = estimateValues({ ...x, targetProb: new Float64Array(60), qTarget: qT, qLogged: qL });
      expect(zeroW.estimates['dr']!.value).toBeCloseTo(zeroW.estimates['dm']!.value!, 14);
      const zeroQ = estimateValues({ ...x, qTarget: new Float64Array(60), qLogged: new Float64Array(60) });
      expect(zeroQ.estimates['dr']!.value).toBeCloseTo(zeroQ.estimates['ipw']!.value!, 14);
    },
  );

  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { seed: 10, numRuns: 30 })(
    'a target equal to the logging policy gives the on-policy mean reward (IPW and SNIPW exactly)',
    (seed) => {
      const x = draw(simulate(seed, 80, 4), 0);
      const r = estimateValues({ ...x, targetProb: x.pscore }, { estimators: ['ipw', 'snipw'] });
      const mean = x.reward.reduce((a, b) => a + b, 0) / x.reward.length;
      for (const k of ['ipw', 'snipw']) expect(r.estimates[k]!.value).toBeCloseTo(mean, 12);
    },
  );
});

it('every standard estimator is reported when none is named', () => {
  expect(Object.keys(estimateValues(tiny).estimates)).toEqual([...STANDARD_ESTIMATORS]);
});

describe('Poisson bootstrap', () => {
  it('draws Poisson(1) counts: totals of a column of ones have mean and variance C', () => {
    const C = 2000;
    const B = 400;
    const out = poissonBootstrapTotals(
      new Float64Array(C).fill(1),
      1,
      C,
      B,
      createRng(4),
      new Float64Array(B),
    );
    const m = out.reduce((a, b) => a + b, 0) / B;
    const v = out.reduce((a, b) => a + (b - m) ** 2, 0) / (B - 1);
    expect(Math.abs(m - C)).toBeLessThan(4 * Math.sqrt(C / B));
    expect(v / C).toBeGreaterThan(0.8);
    expect(v / C).toBeLessThan(1.2);
  });
  it('gives about the same spread as the multinomial bootstrap', () => {
    const x = draw(simulate(11, 5000, 5), 0);
    const a = estimateValues(x, {
      estimators: ['ipw', 'snipw'],
      bootstrap: 400,
      bootstrapMethod: 'multinomial',
    });
    const b = estimateValues(x, { estimators: ['ipw', 'snipw'], bootstrap: 400, bootstrapMethod: 'poisson' });
    expect(b.bootstrapMethod).toBe('poisson');
    for (const k of ['ipw', 'snipw']) {
      const ratio = b.estimates[k]!.seBootstrap! / a.estimates[k]!.seBootstrap!;
      expect(ratio).toBeGreaterThan(0.85);
      expect(ratio).toBeLessThan(1.15);
      // Both agree with the influence-function standard error.
      expect(b.estimates[k]!.seBootstrap! / b.estimates[k]!.se!).toBeGreaterThan(0.85);
      expect(b.estimates[k]!.seBootstrap! / b.estimates[k]!.se!).toBeLessThan(1.15);
    }
  });
});
