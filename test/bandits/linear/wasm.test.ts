import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createLinearBandit,
  linUcbScores,
  observeLinear,
  quadFormsAndDotsWasm,
  setWasmQuadEnabled,
  symQuadForms,
  wasmQuadAvailable,
} from '../../../src/bandits/linear/index.js';
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
});
