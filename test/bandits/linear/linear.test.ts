import { describe, expect, it } from 'vitest';
import {
  addObservation,
  createLinearBandit,
  createLinearStats,
  decideLinearTopL,
  gramMatrix,
  type LinearStats,
  learnLinear,
  linearDelta,
  linearMean,
  mergeLinearStats,
  nigPosterior,
  nigShapeScale,
  observeLinear,
  observeLinearBatch,
  positionsByExamination,
  ridgeEstimate,
  sampleLinTs,
  symQuadForm,
  symQuadForms,
  topL,
} from '../../../src/bandits/linear/index.js';
import { compressRankOne, compressScratch } from '../../../src/bandits/linear/linear-bandit.js';
import { addOuter, identity, invertSpd } from '../../../src/core/linalg.js';
import { createRng } from '../../../src/core/rng.js';
import { fc, test } from '../../helpers/fast-check.js';

function randomUnit(rng: ReturnType<typeof createRng>, d: number, out: Float64Array, off = 0): void {
  let n = 0;
  for (let i = 0; i < d; i++) {
    const v = rng.uniform() < 0.1 ? 0 : rng.uniform();
    out[off + i] = v;
    n += v * v;
  }
  for (let i = 0; i < d; i++) out[off + i]! /= Math.sqrt(n);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('incremental factors', () => {
  it('keeps the Sherman–Morrison inverse within 1e-9 of a direct inverse after 10^4 updates (d = 65)', () => {
    const d = 65;
    const rng = createRng(7);
    const bandit = createLinearBandit({ d, algorithm: 'linucb', refactorEvery: 0 });
    const x = new Float64Array(d);
    const gram = identity(d, 1);
    for (let t = 0; t < 10_000; t++) {
      randomUnit(rng, d, x);
      const q = Math.exp(-(t % 5));
      observeLinear(bandit, x, 0, q, rng.uniform());
      addOuter(d, gram, x, q * q);
    }
    const direct = invertSpd(d, gram);
    // never refactored: the cache is pure Sherman–Morrison on the upper triangle
    expect(bandit.sinceRefactor).toBe(10_000);
    let m = 0;
    for (let i = 0; i < d; i++)
      for (let j = i; j < d; j++) m = Math.max(m, Math.abs(bandit.factor[i * d + j]! - direct[i * d + j]!));
    expect(m).toBeLessThan(1e-9);
  });

  it('keeps the LinTS Cholesky factor R with R^T R = λI + G after 10^4 rank-one updates', () => {
    const d = 20;
    const rng = createRng(8);
    const bandit = createLinearBandit({ d, algorithm: 'lints', refactorEvery: 0, lambda: 0.5 });
    const x = new Float64Array(d);
    for (let t = 0; t < 10_000; t++) {
      randomUnit(rng, d, x);
      observeLinear(bandit, x, 0, 0.7, rng.uniform());
    }
    const r = bandit.factor;
    const rtr = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += r[k * d + i]! * r[k * d + j]!;
        rtr[i * d + j] = s;
      }
    const v = gramMatrix(bandit.stats, 0.5);
    // relative to the scale of V (entries up to ~10^4 / d)
    expect(maxAbsDiff(rtr, v) / 1e4).toBeLessThan(1e-12);
  });

  it('gives the same θ̂ from the Sherman–Morrison cache, the Cholesky cache and the ridge closed form', () => {
    const d = 12;
    const rng = createRng(3);
    const ucb = createLinearBandit({ d, algorithm: 'linucb' });
    const ts = createLinearBandit({ d, algorithm: 'lints' });
    const x = new Float64Array(d);
    for (let t = 0; t < 500; t++) {
      randomUnit(rng, d, x);
      const y = rng.normal();
      observeLinear(ucb, x, 0, 0.5, y);
      observeLinear(ts, x, 0, 0.5, y);
    }
    const closed = ridgeEstimate(ucb.stats, 1);
    expect(maxAbsDiff(linearMean(ucb), closed)).toBeLessThan(1e-10);
    expect(maxAbsDiff(linearMean(ts), closed)).toBeLessThan(1e-10);
  });
});

describe('top-L selection', () => {
  test.prop([fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 40 }), fc.nat()], {
    seed: 1,
    numRuns: 200,
  })('equals a full sort by (score desc, index asc)', (vals, lraw) => {
    const k = vals.length;
    const l = 1 + (lraw % k);
    const scores = Float64Array.from(vals);
    const got = topL(k, l, scores, new Int32Array(k), new Int32Array(l));
    const want = [...vals.keys()].sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, l);
    expect(Array.from(got)).toEqual(want);
  });

  it('orders positions by examination probability, also when q is not monotone', () => {
    const order = positionsByExamination(4, Float64Array.of(0.2, 0.9, 0.5, 0.9), new Int32Array(4));
    expect(Array.from(order)).toEqual([1, 3, 2, 0]);
  });

  it('picks the L best-scored candidates, best first (plain LinUCB: with no data, by ||x||)', () => {
    const d = 2;
    const bandit = createLinearBandit({ d, algorithm: 'linucb' });
    const xs = Float64Array.of(0.1, 0, 0.3, 0, 0.2, 0, 0.5, 0);
    expect(Array.from(decideLinearTopL(bandit, xs, 4, 3, createRng(1)))).toEqual([3, 1, 2]);
  });
});

describe('Normal-Inverse-Gamma posterior', () => {
  it('is the prior with no data', () => {
    const p = nigPosterior(createLinearStats(3), 2, 1.5, 0.7);
    expect(Array.from(p.theta)).toEqual([0, 0, 0]);
    expect(p.alpha).toBe(1.5);
    expect(p.beta).toBe(0.7);
  });

  it('approaches OLS and β_n/α_n approaches the residual variance as λ → 0 with many observations', () => {
    const d = 4;
    const rng = createRng(11);
    const theta = Float64Array.of(0.5, -1, 2, 0.25);
    const sigma = 0.3;
    const n = 20_000;
    const xs = new Float64Array(n * d);
    const ys = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let m = 0;
      for (let i = 0; i < d; i++) {
        const v = rng.normal();
        xs[j * d + i] = v;
        m += v * theta[i]!;
      }
      ys[j] = m + sigma * rng.normal();
    }
    const stats = linearDelta(d, xs, new Float64Array(n).fill(1), ys);
    const ols = ridgeEstimate(stats, 1e-12);
    const post = nigPosterior(stats, 1e-8, 1e-6, 1e-6);
    expect(maxAbsDiff(post.theta, ols)).toBeLessThan(1e-9);
    let rss = 0;
    for (let j = 0; j < n; j++) {
      let m = 0;
      for (let i = 0; i < d; i++) m += xs[j * d + i]! * ols[i]!;
      rss += (ys[j]! - m) ** 2;
    }
    expect(post.beta / post.alpha).toBeCloseTo(rss / n, 6);
    expect(Math.abs(post.beta / post.alpha - sigma * sigma)).toBeLessThan(0.01 * sigma * sigma * 3);
  });

  it('draws θ̃ whose mean is θ_n and whose spread shrinks with data (one draw per round)', () => {
    const d = 3;
    const rng = createRng(5);
    const bandit = createLinearBandit({ d, algorithm: 'lints' });
    const x = new Float64Array(d);
    for (let t = 0; t < 2000; t++) {
      for (let i = 0; i < d; i++) x[i] = rng.normal();
      observeLinear(bandit, x, 0, 1, x[0]! - x[1]! + 0.1 * rng.normal());
    }
    const mean = linearMean(bandit);
    const acc = new Float64Array(d);
    const draw = new Float64Array(d);
    const m = 4000;
    for (let s = 0; s < m; s++) {
      sampleLinTs(bandit, rng, draw);
      for (let i = 0; i < d; i++) acc[i]! += draw[i]! / m;
    }
    expect(maxAbsDiff(acc, mean)).toBeLessThan(1e-3);
    const { alpha, beta } = nigShapeScale(bandit);
    expect(beta / alpha).toBeGreaterThan(0.005);
    expect(beta / alpha).toBeLessThan(0.02);
  });
});

describe('additive state', () => {
  const obs = fc.array(
    fc.record({
      x: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
      s: fc.double({ min: 0.01, max: 1, noNaN: true }),
      y: fc.double({ min: -2, max: 2, noNaN: true }),
    }),
    { maxLength: 12 },
  );
  const toStats = (o: { x: number[]; s: number; y: number }[]): LinearStats =>
    linearDelta(
      3,
      o.flatMap((e) => e.x),
      o.map((e) => e.s),
      o.map((e) => e.y),
    );

  test.prop([obs, obs, obs], { seed: 1, numRuns: 100 })(
    'merges order-free: a+b = b+a, (a+b)+c ≈ a+(b+c), and equals one state that saw both streams',
    (a, b, c) => {
      const sa = toStats(a);
      const sb = toStats(b);
      const sc = toStats(c);
      expect(mergeLinearStats(sa, sb)).toEqual(mergeLinearStats(sb, sa));
      const l = mergeLinearStats(mergeLinearStats(sa, sb), sc);
      const r = mergeLinearStats(sa, mergeLinearStats(sb, sc));
      expect(maxAbsDiff(l.gram, r.gram)).toBeLessThan(1e-12);
      expect(maxAbsDiff(l.b, r.b)).toBeLessThan(1e-12);
      expect(l.n).toBe(r.n);
      const both = toStats([...a, ...b]);
      const merged = mergeLinearStats(sa, sb);
      expect(maxAbsDiff(both.gram, merged.gram)).toBeLessThan(1e-12);
      expect(maxAbsDiff(both.b, merged.b)).toBeLessThan(1e-12);
      expect(Math.abs(both.yy - merged.yy)).toBeLessThan(1e-12);
      expect(both.n).toBe(merged.n);
    },
  );

  it('two replicas merged decide like one bandit that saw both streams', () => {
    const d = 5;
    const rng = createRng(2);
    const one = createLinearBandit({ d, algorithm: 'linucb' });
    const r1 = createLinearBandit({ d, algorithm: 'linucb' });
    const r2 = createLinearBandit({ d, algorithm: 'linucb' });
    const x = new Float64Array(d);
    for (let t = 0; t < 400; t++) {
      randomUnit(rng, d, x);
      const y = rng.uniform();
      observeLinear(one, x, 0, 1, y);
      observeLinear(t % 2 === 0 ? r1 : r2, x, 0, 1, y);
    }
    const merged = createLinearBandit({ d, algorithm: 'linucb' }, mergeLinearStats(r1.stats, r2.stats));
    expect(maxAbsDiff(linearMean(merged), linearMean(one))).toBeLessThan(1e-10);
    expect(Math.abs(merged.logDetV - one.logDetV)).toBeLessThan(1e-9);
  });
});

describe('bad input', () => {
  const bandit = createLinearBandit({ d: 2, algorithm: 'lints' });
  it('rejects non-finite features with ALLOT_NOT_FINITE', () => {
    expect(() => decideLinearTopL(bandit, Float64Array.of(0, Number.NaN, 1, 1), 2, 1, createRng(1))).toThrow(
      /ALLOT_NOT_FINITE|must be finite/,
    );
  });
  it('rejects a dimension mismatch with ALLOT_SHAPE_MISMATCH', () => {
    expect(() => learnLinear(bandit, Float64Array.of(1, 2, 3), 2, [0], [1])).toThrowError(
      expect.objectContaining({ code: 'ALLOT_SHAPE_MISMATCH' }),
    );
    expect(() => createLinearBandit({ d: 3, algorithm: 'linucb' }, createLinearStats(2))).toThrowError(
      expect.objectContaining({ code: 'ALLOT_SHAPE_MISMATCH' }),
    );
  });
  it('rejects more positions than actions and unknown algorithms', () => {
    expect(() => decideLinearTopL(bandit, Float64Array.of(1, 2, 3, 4), 2, 3, createRng(1))).toThrowError(
      expect.objectContaining({ code: 'ALLOT_OUT_OF_RANGE' }),
    );
    expect(() => createLinearBandit({ d: 2, algorithm: 'linxx' as 'linucb' })).toThrowError(
      expect.objectContaining({ code: 'ALLOT_UNKNOWN_OPTION' }),
    );
  });
});

describe('blocked kernels (issue 13)', () => {
  it('the blocked quadratic forms equal the one-at-a-time ones (k = 1..9, d = 65)', () => {
    const d = 65;
    const rng = createRng(12);
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = i; j < d; j++) {
        const v = rng.uniform() - 0.5;
        a[i * d + j] = v;
        a[j * d + i] = v;
      }
    for (let k = 1; k <= 9; k++) {
      const xs = new Float64Array(k * d);
      for (let c = 0; c < k; c++) randomUnit(rng, d, xs, c * d);
      const out = symQuadForms(d, a, xs, k, new Float64Array(k));
      for (let c = 0; c < k; c++) {
        const one = symQuadForm(d, a, xs, c * d);
        expect(Math.abs(out[c]! - one)).toBeLessThan(1e-12 * Math.max(1, Math.abs(one)));
      }
    }
  });

  it('posteriorScale 0 makes the LinTS draw the posterior mean', () => {
    const d = 4;
    const bandit = createLinearBandit({ d, algorithm: 'lints', posteriorScale: 0 });
    const rng = createRng(3);
    const x = new Float64Array(d);
    for (let t = 0; t < 50; t++) {
      randomUnit(rng, d, x);
      observeLinear(bandit, x, 0, 1, rng.uniform());
    }
    const draw = sampleLinTs(bandit, rng, new Float64Array(d));
    const mean = linearMean(bandit);
    for (let i = 0; i < d; i++) expect(draw[i]).toBe(mean[i]);
  });

  it('a batch of observations leaves the state bit for bit as one-at-a-time updates (both algorithms, refactors inside)', () => {
    // batches of 1..9 (the blocked kernels take four at a time, then the rest), zero features and zero scales
    // included, refactorEvery 7 so that refactorisations fall inside batches
    const d = 13;
    const k = 12;
    for (const algorithm of ['linucb', 'lints'] as const) {
      const rng = createRng(algorithm === 'linucb' ? 21 : 22);
      const one = createLinearBandit({ d, algorithm, refactorEvery: 7 });
      const batch = createLinearBandit({ d, algorithm, refactorEvery: 7 });
      const xs = new Float64Array(k * d);
      for (let t = 0; t < 60; t++) {
        for (let c = 0; c < k; c++) randomUnit(rng, d, xs, c * d);
        xs[(t % k) * d + (t % d)] = 0;
        const m = 1 + (t % 9);
        const offsets = new Int32Array(m);
        const scales = new Float64Array(m);
        const ys = new Float64Array(m);
        for (let v = 0; v < m; v++) {
          offsets[v] = ((t + 5 * v) % k) * d;
          scales[v] = v === 2 ? 0 : Math.exp(-v);
          ys[v] = rng.uniform();
        }
        for (let v = 0; v < m; v++) observeLinear(one, xs, offsets[v]!, scales[v]!, ys[v]!);
        observeLinearBatch(batch, xs, offsets, scales, ys, 0, m);
        expect(Array.from(batch.factor)).toEqual(Array.from(one.factor));
        expect(Array.from(batch.stats.gram)).toEqual(Array.from(one.stats.gram));
        expect(Array.from(batch.stats.b)).toEqual(Array.from(one.stats.b));
        expect([batch.stats.yy, batch.stats.n, batch.sinceRefactor]).toEqual([
          one.stats.yy,
          one.stats.n,
          one.sinceRefactor,
        ]);
        if (algorithm === 'linucb') expect(batch.logDetV).toBe(one.logDetV);
        expect(Array.from(linearMean(batch))).toEqual(Array.from(linearMean(one)));
      }
    }
  });

  it('a low-rank batch (r rank-one updates instead of m) matches one-at-a-time updates to 1e-10 relative', () => {
    // Candidates s·[a; c; a⊗c] of one context c (as the SIN data): 10 or 20 of them span 1 + p = 4 dimensions, so
    // the batch is learned as 4 rank-one updates; refactorEvery 7 puts refactorisations inside batches.
    const p = 3;
    const mc = 4;
    const d = p + mc + p * mc;
    const k = 20;
    const xs = new Float64Array(k * d);
    for (const algorithm of ['linucb', 'lints'] as const) {
      const rng = createRng(algorithm === 'linucb' ? 31 : 32);
      const one = createLinearBandit({ d, algorithm, refactorEvery: 7 });
      const batch = createLinearBandit({ d, algorithm, refactorEvery: 7 });
      const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(b));
      for (let t = 0; t < 40; t++) {
        const c = Array.from({ length: mc }, () => rng.normal());
        for (let a = 0; a < k; a++) {
          const av = Array.from({ length: p }, () => rng.normal());
          const o = a * d;
          for (let i = 0; i < p; i++) xs[o + i] = av[i]!;
          for (let j = 0; j < mc; j++) xs[o + p + j] = c[j]!;
          for (let i = 0; i < p; i++)
            for (let j = 0; j < mc; j++) xs[o + p + mc + i * mc + j] = av[i]! * c[j]!;
          let n2 = 0;
          for (let i = 0; i < d; i++) n2 += xs[o + i]! ** 2;
          for (let i = 0; i < d; i++) xs[o + i]! /= Math.sqrt(n2);
        }
        const m = t % 2 === 0 ? 10 : 13;
        const offsets = new Int32Array(m);
        const scales = new Float64Array(m);
        const ys = new Float64Array(m);
        for (let v = 0; v < m; v++) {
          offsets[v] = ((t + v) % k) * d;
          scales[v] = Math.exp(-v / 3);
          ys[v] = rng.uniform();
        }
        for (let v = 0; v < m; v++) observeLinear(one, xs, offsets[v]!, scales[v]!, ys[v]!);
        observeLinearBatch(batch, xs, offsets, scales, ys, 0, m);
        // upper triangles (LinUCB keeps only that part of V^{-1} current between refactorisations)
        for (let i = 0; i < d; i++) {
          for (let j = i; j < d; j++) {
            expect(rel(batch.factor[i * d + j]!, one.factor[i * d + j]!)).toBeLessThan(1e-10);
            expect(rel(batch.stats.gram[i * d + j]!, one.stats.gram[i * d + j]!)).toBeLessThan(1e-10);
          }
        }
        expect(Array.from(batch.stats.b)).toEqual(Array.from(one.stats.b));
        // (the batch refactors after the batch, one at a time inside it: sinceRefactor differs)
        expect(batch.stats.n).toBe(one.stats.n);
        if (algorithm === 'linucb') expect(rel(batch.logDetV, one.logDetV)).toBeLessThan(1e-10);
        const tb = linearMean(batch);
        const to = linearMean(one);
        for (let i = 0; i < d; i++) expect(rel(tb[i]!, to[i]!)).toBeLessThan(1e-10);
      }
      // the compressed path ran: its rounding differs from one-at-a-time somewhere
      expect(Array.from(batch.factor)).not.toEqual(Array.from(one.factor));
    }
  });

  it('addObservation (two rows per pass) equals the one-row accumulation bit for bit, odd and even d', () => {
    for (const d of [1, 2, 7, 8, 65]) {
      const rng = createRng(30 + d);
      const stats = createLinearStats(d);
      const g = new Float64Array(d * d);
      const b = new Float64Array(d);
      const x = new Float64Array(d);
      for (let t = 0; t < 40; t++) {
        randomUnit(rng, d, x);
        if (t % 3 === 0) x[t % d] = 0;
        if (t % 5 === 0 && d > 1) x[(t + 1) % d] = 0;
        const scale = t % 7 === 0 ? 0 : rng.uniform();
        const y = rng.uniform();
        addObservation(stats, x, 0, scale, y);
        const s2 = scale * scale;
        for (let i = 0; i < d; i++) {
          const xi = x[i]!;
          b[i]! += y * scale * xi;
          if (xi === 0) continue;
          const c = s2 * xi;
          for (let j = i; j < d; j++) g[i * d + j]! += c * x[j]!;
        }
      }
      expect(Array.from(stats.gram)).toEqual(Array.from(g));
      expect(Array.from(stats.b)).toEqual(Array.from(b));
    }
  });
});

describe('compressRankOne', () => {
  /** Modified Gram–Schmidt one vector and one basis vector per pass (the kernel before its passes were fused). */
  function referenceBasis(d: number, x: Float64Array, offsets: Int32Array, scales: Float64Array, m: number) {
    const basis: number[][] = [];
    const z: number[][] = [];
    for (let v = 0; v < m; v++) {
      const w = new Float64Array(d);
      let nu = 0;
      for (let i = 0; i < d; i++) {
        const u = scales[v]! * x[offsets[v]! + i]!;
        w[i] = u;
        nu += u * u;
      }
      const zv: number[] = [];
      for (const q of basis) {
        let c = 0;
        for (let i = 0; i < d; i++) c += q[i]! * w[i]!;
        zv.push(c);
        for (let i = 0; i < d; i++) w[i]! -= c * q[i]!;
      }
      let rho2 = 0;
      for (let i = 0; i < d; i++) rho2 += w[i]! * w[i]!;
      if (rho2 > 1e-24 * nu) {
        const rho = Math.sqrt(rho2);
        basis.push(Array.from(w, (wi) => wi * (1 / rho)));
        zv.push(rho);
      }
      z.push(zv);
    }
    return { basis, z };
  }

  it('gives the basis and coordinates of one-vector-at-a-time Gram–Schmidt bit for bit (two vectors per pass)', () => {
    const rng = createRng(17);
    for (const d of [3, 8, 65]) {
      for (const m of [4, 5, 6, 7, 9]) {
        // vectors in a span of r dimensions: combinations of r random directions
        const r = Math.min(d, 2 + (m % 3));
        const dirs = Array.from({ length: r }, () =>
          Float64Array.from({ length: d }, () => rng.uniform() - 0.5),
        );
        const x = new Float64Array(m * d);
        for (let v = 0; v < m; v++) {
          for (let t = 0; t < r; t++) {
            const a = rng.uniform();
            for (let i = 0; i < d; i++) x[v * d + i]! += a * dirs[t]![i]!;
          }
        }
        const offsets = Int32Array.from({ length: m }, (_, v) => v * d);
        const scales = Float64Array.from({ length: m }, () => 0.5 + rng.uniform());
        const bandit = createLinearBandit({ d, algorithm: 'linucb' });
        const ref = referenceBasis(d, x, offsets, scales, m);
        const sc = compressScratch(bandit, m);
        const rank = compressRankOne(d, x, offsets, scales, 0, m, m - 1, sc);
        if (ref.basis.length > m - 1) {
          expect(rank).toBe(-1);
          continue;
        }
        expect(rank).toBe(ref.basis.length);
        for (let j = 0; j < rank; j++)
          expect(Array.from(sc.basis.subarray(j * d, (j + 1) * d))).toEqual(ref.basis[j]);
        for (let v = 0; v < m; v++) {
          for (let j = 0; j < ref.z[v]!.length; j++) expect(sc.z[v * sc.cap + j]).toBe(ref.z[v]![j]);
        }
      }
    }
  });
});

describe('sampleLinTs', () => {
  it('draws the same θ̃ bit for bit whether θ_n is stale (one backward pass for θ_n and the noise) or cached', () => {
    for (const d of [1, 2, 7, 65]) {
      const rng = createRng(23);
      const stale = createLinearBandit({ d, algorithm: 'lints' });
      const cached = createLinearBandit({ d, algorithm: 'lints' });
      const x = new Float64Array(d);
      const a = new Float64Array(d);
      const b = new Float64Array(d);
      const rngA = createRng(99);
      const rngB = createRng(99);
      for (let t = 0; t < 50; t++) {
        for (let i = 0; i < d; i++) x[i] = rng.uniform() - 0.5;
        const y = rng.uniform();
        observeLinear(stale, x, 0, 1, y);
        observeLinear(cached, x, 0, 1, y);
        linearMean(cached);
        expect(stale.thetaStale).toBe(true);
        sampleLinTs(stale, rngA, a);
        sampleLinTs(cached, rngB, b);
        expect(Array.from(a)).toEqual(Array.from(b));
        expect(Array.from(stale.theta)).toEqual(Array.from(cached.theta));
      }
    }
  });
});
