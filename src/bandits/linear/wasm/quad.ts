/**
 * The linear bandits' hot kernels in WebAssembly SIMD (quad.wat, assembled by scripts/build-wasm.mjs into
 * quad-bytes.ts): the LinUCB decision's quadratic forms x_c^T A x_c and dot products x_c^T θ of k candidates (two
 * candidates per f64x2), LinTS's blocked rank-one Cholesky update and the Gram matrix's four-observation update
 * (two entries of a row per f64x2). Each gives bit for bit what its JavaScript kernel gives (the same IEEE
 * operations in the same order per entry); the JavaScript kernels stay the reference and the fallback where
 * WebAssembly SIMD is missing. Every call copies the matrix it works on into the module's memory (and back when it
 * changes it): 0.25 µs for d = 65, small against the kernels.
 */
import { cholUpdateUpper, symQuadForm } from '../kernels.js';
import { QUAD_WASM_BASE64 } from './quad-bytes.js';

interface QuadExports {
  readonly memory: WebAssembly.Memory;
  readonly quadForms: (
    n: number,
    a: number,
    x: number,
    k4: number,
    p: number,
    th: number,
    qo: number,
    dout: number,
  ) => void;
  readonly cholBlock4: (n: number, r: number, w: number) => void;
  readonly gram4: (n: number, g: number, w: number, q: number) => void;
  readonly smPass: (
    n: number,
    f: number,
    u: number,
    k: number,
    kp: number,
    cp: number,
    pending: number,
  ) => number;
  readonly smFinal: (n: number, f: number, kp: number, cp: number) => void;
}

interface QuadState {
  readonly exports: QuadExports;
  /** A view of the whole memory (replaced after a grow, which detaches the old one). */
  heap: Float64Array;
}

/** undefined: not tried yet; null: WebAssembly SIMD unavailable (or disabled). */
let state: QuadState | null | undefined;
let enabled = true;

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function load(): QuadState | null {
  try {
    if (typeof WebAssembly !== 'object') return null;
    const bytes = decodeBase64(QUAD_WASM_BASE64);
    // validate() is false where the engine lacks the SIMD proposal: then the JavaScript kernels run.
    if (!WebAssembly.validate(bytes)) return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const exports = instance.exports as unknown as QuadExports;
    return { exports, heap: new Float64Array(exports.memory.buffer) };
  } catch {
    return null;
  }
}

/** Makes sure the memory holds `doubles` doubles; returns the (possibly new) view. */
function heapFor(st: QuadState, doubles: number): Float64Array {
  const mem = st.exports.memory;
  const need = doubles * 8;
  if (mem.buffer.byteLength < need) {
    mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
    st.heap = new Float64Array(mem.buffer);
  }
  return st.heap;
}

function kernel(): QuadState | null {
  if (!enabled) return null;
  if (state === undefined) state = load();
  return state;
}

/**
 * Whether the WebAssembly SIMD kernel is available and enabled (it is used by `linUcbScores` then).
 */
export function wasmQuadAvailable(): boolean {
  return kernel() !== null;
}

/**
 * Turns the WebAssembly kernel on or off (default on; off: the JavaScript kernels, e.g. for A/B measurements or
 * tests of the fallback). Returns the previous setting.
 */
export function setWasmQuadEnabled(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** Rounds a count of doubles up to an even count (16-byte alignment of the next area). */
function even(m: number): number {
  return (m + 1) & ~1;
}

/**
 * The k quadratic forms quad[c] = x_c^T A x_c (upper triangle of the symmetric n*n A read) and dot products
 * dot[c] = x_c^T θ of the candidates in xs (k*n row-major), by the WebAssembly SIMD kernel for the first
 * 4⌊k/4⌋ candidates and by {@link symQuadForm} and a plain dot product for the rest, exactly as
 * `symQuadForms` and `linUcbScores`'s dot products do in JavaScript (bit for bit).
 *
 * @remarks Copies A (n² doubles), the candidates and θ into the module's memory on each call.
 * @returns false (and writes nothing) when the kernel is unavailable: the caller runs the JavaScript kernels.
 */
export function quadFormsAndDotsWasm(
  n: number,
  a: Float64Array,
  xs: Float64Array,
  k: number,
  th: Float64Array,
  quad: Float64Array,
  dot: Float64Array,
): boolean {
  const st = kernel();
  if (st === null) return false;
  const k4 = k & ~3;
  // layout, in doubles: A | candidates | packed group (8 n) | θ | forms | dots
  const k8 = (k4 + 7) & ~7;
  const aOff = 0;
  const xOff = even(n * n);
  const pOff = xOff + even(k4 * n);
  const thOff = pOff + 8 * n;
  const qOff = thOff + even(n);
  const dOff = qOff + k8;
  const h = heapFor(st, dOff + k8);
  if (k4 > 0) {
    h.set(n * n === a.length ? a : a.subarray(0, n * n), aOff);
    h.set(xs.subarray(0, k4 * n), xOff);
    h.set(th.subarray(0, n), thOff);
    st.exports.quadForms(n, aOff * 8, xOff * 8, k4, pOff * 8, thOff * 8, qOff * 8, dOff * 8);
    for (let c = 0; c < k4; c++) {
      quad[c] = h[qOff + c]!;
      dot[c] = h[dOff + c]!;
    }
  }
  for (let c = k4; c < k; c++) {
    const o = c * n;
    quad[c] = symQuadForm(n, a, xs, o);
    let m = 0;
    for (let i = 0; i < n; i++) m += xs[o + i]! * th[i]!;
    dot[c] = m;
  }
  return true;
}

/**
 * {@link cholUpdateUpperBlock} by the WebAssembly SIMD kernel: R (upper, n*n) becomes the factor of
 * R^T R + Σ_v u_v u_v^T over v = start .. start + m − 1, u_v = scales[v]·x[offsets[v] ..], bit for bit what the
 * JavaScript kernel gives (groups of two to four vectors in wasm, two entries of a row per f64x2, the rotations in
 * the same order with the same operations; a last single vector by {@link cholUpdateUpper}).
 *
 * @remarks Copies R into the module's memory and back (n² doubles each way).
 * @returns false (and leaves R alone) when the kernel is unavailable.
 */
export function cholUpdateUpperBlockWasm(
  n: number,
  r: Float64Array,
  x: Float64Array,
  offsets: ArrayLike<number>,
  scales: ArrayLike<number>,
  start: number,
  m: number,
  work: Float64Array,
): boolean {
  const st = kernel();
  if (st === null) return false;
  const end = start + m;
  let v = start;
  if (v + 2 <= end) {
    const nn = n * n;
    const wOff = even(nn);
    const h = heapFor(st, wOff + 4 * n);
    h.set(nn === r.length ? r : r.subarray(0, nn), 0);
    for (; v + 2 <= end; v += 4) {
      // a group of 2 to 4 vectors; missing ones are zero vectors (no operation), as in cholUpdateUpperBlock
      const nv = Math.min(4, end - v);
      for (let q = 0; q < 4; q++) {
        const base = wOff + q * n;
        if (q < nv) {
          const o = offsets[v + q]!;
          const a = scales[v + q]!;
          for (let i = 0; i < n; i++) h[base + i] = a * x[o + i]!;
        } else {
          for (let i = 0; i < n; i++) h[base + i] = 0;
        }
      }
      st.exports.cholBlock4(n, 0, wOff * 8);
    }
    r.set(h.subarray(0, nn));
  }
  for (; v < end; v++) cholUpdateUpper(n, r, x, offsets[v]!, scales[v]!, work);
  return true;
}

/**
 * The Gram-matrix part of `addObservations` by the WebAssembly SIMD kernel: G += Σ_v s_v² x_v x_v^T (upper
 * triangle of the n*n `gram`) for the groups that `addObservations` forms, v = start .. start + m − 1 in groups of
 * four then at most one group of two (s_v = scales[v], x_v = x[offsets[v] ..]), bit for bit as the JavaScript sums
 * each entry. b, η, n and a last single observation are left to the caller.
 *
 * @remarks Copies G into the module's memory and back (n² doubles each way).
 * @returns the number of observations whose Gram terms were added (a multiple of 2; 0 when the kernel is
 *   unavailable or m < 2).
 */
export function addGramGroupsWasm(
  n: number,
  gram: Float64Array,
  x: Float64Array,
  offsets: ArrayLike<number>,
  scales: ArrayLike<number>,
  start: number,
  m: number,
): number {
  if (m < 2) return 0;
  const st = kernel();
  if (st === null) return 0;
  const nn = n * n;
  const wOff = even(nn);
  const qOff = wOff + 4 * n;
  const h = heapFor(st, qOff + 4);
  h.set(nn === gram.length ? gram : gram.subarray(0, nn), 0);
  const end = start + m;
  let v = start;
  while (v + 2 <= end) {
    // groups of four, then one of two (as addObservations); a group of two runs with two zero vectors
    const nv = v + 4 <= end ? 4 : 2;
    for (let q = 0; q < 4; q++) {
      const base = wOff + q * n;
      if (q < nv) {
        const o = offsets[v + q]!;
        const a = scales[v + q]!;
        for (let i = 0; i < n; i++) h[base + i] = x[o + i]!;
        h[qOff + q] = a * a;
      } else {
        for (let i = 0; i < n; i++) h[base + i] = 0;
        h[qOff + q] = 0;
      }
    }
    st.exports.gram4(n, 0, wOff * 8, qOff * 8);
    v += nv;
  }
  gram.set(h.subarray(0, nn));
  return v - start;
}

/**
 * LinUCB's batch of m sequential Sherman–Morrison updates of the upper triangle of V^{-1} (`f`, n*n) by the
 * WebAssembly SIMD kernel, u_v = scales[v]·x[offsets[v] ..] for v = start .. start + m − 1, bit for bit what the
 * JavaScript `shermanMorrisonBatch` gives: each observation's k = V^{-1}u computed in the pass that applies the
 * previous observation's update (two rows per pass, updates and k_j two entries per f64x2, the row sums lane by
 * lane in ascending order), then ln det V += ln(1 + u^T k) here in JavaScript (Math.log1p).
 *
 * @remarks Copies V^{-1} into the module's memory and back (n² doubles each way).
 * @param logDet - ln det V before the batch.
 * @returns ln det V after the batch, or null (V^{-1} untouched) when the kernel is unavailable.
 */
export function shermanMorrisonWasm(
  n: number,
  f: Float64Array,
  x: Float64Array,
  offsets: ArrayLike<number>,
  scales: ArrayLike<number>,
  start: number,
  m: number,
  logDet: number,
): number | null {
  const st = kernel();
  if (st === null) return null;
  const nn = n * n;
  const uOff = even(nn);
  let kOff = uOff + even(n);
  let kpOff = kOff + even(n);
  const h = heapFor(st, kpOff + even(n));
  h.set(nn === f.length ? f : f.subarray(0, nn), 0);
  const sm = st.exports.smPass;
  let cp = 0;
  let pending = 0;
  let ld = logDet;
  for (let v = start; v < start + m; v++) {
    const off = offsets[v]!;
    const scale = scales[v]!;
    for (let i = 0; i < n; i++) h[uOff + i] = scale * x[off + i]!;
    const quad = sm(n, 0, uOff * 8, kOff * 8, kpOff * 8, cp, pending);
    cp = 1 / (1 + quad);
    ld += Math.log1p(quad);
    pending = 1;
    const t = kpOff;
    kpOff = kOff;
    kOff = t;
  }
  if (pending === 1) st.exports.smFinal(n, 0, kpOff * 8, cp);
  f.set(h.subarray(0, nn));
  return ld;
}

/**
 * out = A b for a symmetric n*n A of which the upper triangle is read (LinUCB's θ̂ = V^{-1} b), by the WebAssembly
 * kernel's mat-vec pass (`smPass` with no pending update), bit for bit the JavaScript `symMatVecUpper`.
 *
 * @returns false (out untouched) when the kernel is unavailable.
 */
export function symMatVecUpperWasm(n: number, a: Float64Array, b: Float64Array, out: Float64Array): boolean {
  const st = kernel();
  if (st === null) return false;
  const nn = n * n;
  const bOff = even(nn);
  const oOff = bOff + even(n);
  const h = heapFor(st, oOff + even(n));
  h.set(nn === a.length ? a : a.subarray(0, nn), 0);
  for (let i = 0; i < n; i++) h[bOff + i] = b[i]!;
  st.exports.smPass(n, 0, bOff * 8, oOff * 8, oOff * 8, 0, 0);
  for (let i = 0; i < n; i++) out[i] = h[oOff + i]!;
  return true;
}
