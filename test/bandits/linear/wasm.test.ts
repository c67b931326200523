import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  addObservations,
  cholUpdateUpperBlock,
  createLinearBandit,
  createLinearStats,
  linearMean,
  linUcbScores,
  observeLinear,
  observeLinearBatch,
  quadFormsAndDotsWasm,
  setWasmQuadEnabled,
  symQuadForms,
  wasmQuadAvailable,
} from '../../../src/bandits/linear/index.js';
import { addGramGroupsWasm, cholUpdateUpperBlockWasm } from '../../../src/bandits/linear/wasm/quad.js';
import { createRng } from '../../../src/core/rng.js';

type Rng = ReturnType<typeof createRng>;

/** A random symmetric n*n matrix (entries in [-1, 1], some exact zeros). */
function randomSymmetric(rng: Rng, n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = rng.uniform() < 0.05 ? 0 : 2 * rng.uniform() - 1;
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

function randomBlock(rng: Rng, m: number): Float64Array {
  const x = new Float64Array(m);
  for (let i = 0; i < m; i++) x[i] = rng.uniform() < 0.1 ? 0 : 2 * rng.uniform() - 1;
  return x;
}

/** The JavaScript reference: symQuadForms and one-candidate dot products in ascending i. */
function reference(n: number, a: Float64Array, xs: Float64Array, k: number, th: Float64Array) {
  const quad = symQuadForms(n, a, xs, k, new Float64Array(k));
  const dot = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += xs[c * n + i]! * th[i]!;
    dot[c] = m;
  }
  return { quad, dot };
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1e-300, Math.abs(a[i]!), Math.abs(b[i]!)));
  }
  return m;
}

/** The first index where the two arrays differ bit for bit (Object.is), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return a.length === b.length ? -1 : a.length;
}

describe('WebAssembly SIMD decision kernel (wasm/quad.wat)', () => {
  it('the committed bytes are what scripts/build-wasm.mjs assembles from quad.wat', () => {
    const script = fileURLToPath(new URL('../../../scripts/build-wasm.mjs', import.meta.url));
    // exits 1 (and throws here) when quad-bytes.ts differs from the assembled quad.wat
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('is available on this Node (WebAssembly SIMD)', () => {
    expect(wasmQuadAvailable()).toBe(true);
  });

  it('equals the JavaScript kernels (to 1e-12 relative; in fact bit for bit) for odd and even d, any k', () => {
    const rng = createRng(13);
    for (const n of [1, 2, 3, 7, 8, 64, 65]) {
      const a = randomSymmetric(rng, n);
      const th = randomBlock(rng, n);
      for (const k of [1, 3, 4, 5, 8, 9, 13, 25, 26, 31]) {
        const xs = randomBlock(rng, k * n);
        const ref = reference(n, a, xs, k, th);
        const quad = new Float64Array(k);
        const dot = new Float64Array(k);
        expect(quadFormsAndDotsWasm(n, a, xs, k, th, quad, dot)).toBe(true);
        expect(maxRelDiff(quad, ref.quad)).toBeLessThanOrEqual(1e-12);
        expect(maxRelDiff(dot, ref.dot)).toBeLessThanOrEqual(1e-12);
        for (let c = 0; c < k; c++) {
          expect(Object.is(quad[c], ref.quad[c]), `quad n=${n} k=${k} c=${c}`).toBe(true);
          expect(Object.is(dot[c], ref.dot[c]), `dot n=${n} k=${k} c=${c}`).toBe(true);
        }
      }
    }
  });

  it('grows its memory for large blocks and stays correct afterwards', () => {
    const rng = createRng(5);
    const n = 129;
    const a = randomSymmetric(rng, n);
    const th = randomBlock(rng, n);
    for (const k of [64, 7, 100]) {
      const xs = randomBlock(rng, k * n);
      const ref = reference(n, a, xs, k, th);
      const quad = new Float64Array(k);
      const dot = new Float64Array(k);
      expect(quadFormsAndDotsWasm(n, a, xs, k, th, quad, dot)).toBe(true);
      expect(Array.from(quad)).toEqual(Array.from(ref.quad));
      expect(Array.from(dot)).toEqual(Array.from(ref.dot));
    }
  });

  it('linUcbScores gives the same scores with the kernel on and off (the JavaScript fallback)', () => {
    const rng = createRng(21);
    for (const d of [6, 65]) {
      const bandit = createLinearBandit({ d, algorithm: 'linucb' });
      const k = 25;
      for (let t = 0; t < 300; t++) {
        const xs = randomBlock(rng, k * d);
        observeLinear(bandit, xs, (t % k) * d, 1, rng.uniform());
      }
      const xs = randomBlock(rng, k * d);
      const was = setWasmQuadEnabled(false);
      try {
        expect(wasmQuadAvailable()).toBe(false);
        const js = Array.from(linUcbScores(bandit, xs, k, new Float64Array(k)));
        setWasmQuadEnabled(true);
        const wasm = Array.from(linUcbScores(bandit, xs, k, new Float64Array(k)));
        expect(wasm).toEqual(js);
      } finally {
        setWasmQuadEnabled(was);
      }
    }
  });

  it('the blocked Cholesky update equals cholUpdateUpperBlock bit for bit (odd and even d, 1 to 11 vectors)', () => {
    const rng = createRng(7);
    for (const n of [1, 2, 3, 8, 64, 65]) {
      // an upper factor with a positive diagonal
      const r0 = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        r0[i * n + i] = 1 + rng.uniform();
        for (let j = i + 1; j < n; j++) r0[i * n + j] = 0.2 * (2 * rng.uniform() - 1);
      }
      for (const m of [1, 2, 3, 4, 5, 6, 7, 11]) {
        const x = randomBlock(rng, m * n + 3);
        const offsets = Int32Array.from({ length: m }, (_, v) => v * n + (v % 3));
        const scales = Float64Array.from({ length: m }, () => rng.uniform());
        const js = new Float64Array(r0);
        const wasm = new Float64Array(r0);
        cholUpdateUpperBlock(n, js, x, offsets, scales, 0, m, new Float64Array(4 * n));
        expect(cholUpdateUpperBlockWasm(n, wasm, x, offsets, scales, 0, m, new Float64Array(4 * n))).toBe(
          true,
        );
        expect(maxRelDiff(wasm, js)).toBeLessThanOrEqual(1e-12);
        expect(firstDifference(wasm, js), `n=${n} m=${m}`).toBe(-1);
      }
    }
  });

  it('addObservations gives the same statistics bit for bit with the Gram kernel on and off', () => {
    const rng = createRng(8);
    for (const d of [1, 2, 3, 8, 64, 65]) {
      for (const m of [1, 2, 3, 4, 5, 6, 7, 11]) {
        const x = randomBlock(rng, m * d + 3);
        const offsets = Int32Array.from({ length: m }, (_, v) => v * d + (v % 3));
        const scales = Float64Array.from({ length: m }, () => rng.uniform());
        const ys = Float64Array.from({ length: m }, () => rng.uniform());
        const js = createLinearStats(d);
        const wasm = createLinearStats(d);
        const was = setWasmQuadEnabled(false);
        try {
          for (let rep = 0; rep < 2; rep++) addObservations(js, x, offsets, scales, ys, 0, m);
        } finally {
          setWasmQuadEnabled(was);
        }
        for (let rep = 0; rep < 2; rep++) addObservations(wasm, x, offsets, scales, ys, 0, m);
        expect(Array.from(wasm.gram)).toEqual(Array.from(js.gram));
        expect(Array.from(wasm.b)).toEqual(Array.from(js.b));
        expect([wasm.yy, wasm.n]).toEqual([js.yy, js.n]);
      }
    }
    // the kernel itself takes the groups of four and two and leaves a last single observation to the caller
    const g = new Float64Array(9);
    expect(
      addGramGroupsWasm(3, g, new Float64Array(21), [0, 3, 6, 9, 12, 15, 18], new Float64Array(7), 0, 7),
    ).toBe(6);
  });

  it('LinUCB and LinTS learning (Sherman–Morrison, Cholesky, Gram) and θ̂ are bit for bit the same with the kernels on and off', () => {
    const rng = createRng(9);
    for (const algorithm of ['linucb', 'lints'] as const) {
      for (const d of [1, 2, 3, 8, 65]) {
        const js = createLinearBandit({ d, algorithm, refactorEvery: 40 });
        const wasm = createLinearBandit({ d, algorithm, refactorEvery: 40 });
        for (let r = 0; r < 120; r++) {
          const m = 1 + (r % 9);
          const x = randomBlock(rng, m * d);
          const offsets = Int32Array.from({ length: m }, (_, v) => v * d);
          const scales = Float64Array.from({ length: m }, () => rng.uniform());
          const ys = Float64Array.from({ length: m }, () => rng.uniform());
          const was = setWasmQuadEnabled(false);
          let thJs: number[];
          try {
            observeLinearBatch(js, x, offsets, scales, ys, 0, m);
            thJs = Array.from(linearMean(js));
          } finally {
            setWasmQuadEnabled(was);
          }
          observeLinearBatch(wasm, x, offsets, scales, ys, 0, m);
          const thWasm = Array.from(linearMean(wasm));
          expect(thWasm).toEqual(thJs);
          expect(maxRelDiff(wasm.factor, js.factor)).toBeLessThanOrEqual(1e-12);
          expect(firstDifference(wasm.factor, js.factor), `${algorithm} d=${d} round ${r}`).toBe(-1);
          expect(wasm.logDetV).toBe(js.logDetV);
        }
      }
    }
  });
});
