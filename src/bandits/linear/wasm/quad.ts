/**
 * The LinUCB decision's kernel in WebAssembly SIMD (quad.wat, assembled by scripts/build-wasm.mjs into
 * quad-bytes.ts): the quadratic forms x_c^T A x_c and dot products x_c^T θ of k candidates, bit for bit what
 * {@link symQuadForms} and four-candidate dot products give in JavaScript (same IEEE operations in the same order
 * per candidate, two candidates per f64x2 lane pair). The JavaScript kernels stay the reference and the fallback
 * where WebAssembly SIMD is missing.
 */
import { symQuadForm } from '../kernels.js';
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
  const need = (dOff + k8) * 8;
  const mem = st.exports.memory;
  if (mem.buffer.byteLength < need) {
    mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
    st.heap = new Float64Array(mem.buffer);
  }
  const h = st.heap;
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
