/**
 * Small Float64Array kernels the linear bandits need beyond `core/linalg`: a symmetric quadratic form over the upper
 * triangle, a rank-one update of an upper Cholesky factor, a forward solve with the transpose of that factor, and
 * top-L selection by partial quickselect. All write into caller-supplied buffers and never allocate.
 *
 * References: G. H. Golub and C. F. Van Loan, *Matrix Computations*, 4th ed., 2013 (§6.5.4 rank-one Cholesky
 * update); C. A. R. Hoare, "Algorithm 65: Find", CACM 4(7), 1961 (quickselect).
 */

/**
 * x^T A x for a symmetric n-by-n row-major A, reading only the upper triangle (n(n+1)/2 multiply-adds).
 *
 * @remarks Precondition: A symmetric (only entries with j >= i are read). `x` is read from `offset`.
 * @param n - order of A.
 * @param a - n*n row-major symmetric matrix.
 * @param x - vector; entries x[offset .. offset + n).
 * @param offset - start of the vector in `x`.
 * @returns the quadratic form.
 */
export function symQuadForm(n: number, a: Float64Array, x: Float64Array, offset: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[offset + i]!;
    if (xi === 0) continue;
    const row = i * n;
    // Four independent accumulators: the loop is latency-bound on one sum; this measured 1.4x faster at d = 65.
    let r0 = 0;
    let r1 = 0;
    let r2 = 0;
    let r3 = 0;
    let j = i + 1;
    const end4 = n - ((n - j) & 3);
    for (; j < end4; j += 4) {
      r0 += a[row + j]! * x[offset + j]!;
      r1 += a[row + j + 1]! * x[offset + j + 1]!;
      r2 += a[row + j + 2]! * x[offset + j + 2]!;
      r3 += a[row + j + 3]! * x[offset + j + 3]!;
    }
    for (; j < n; j++) r0 += a[row + j]! * x[offset + j]!;
    s += xi * (a[row + i]! * xi + 2 * (r0 + r1 + (r2 + r3)));
  }
  return s;
}

/**
 * The k quadratic forms x_a^T A x_a of a block of k candidates at once (a blocked product X A X^T, diagonal only),
 * reading only the upper triangle of the symmetric A.
 *
 * @remarks
 * Candidates are taken four at a time: each entry a_ij is loaded once for four candidates and the four running sums
 * are independent, so the inner loop does four multiply-adds per load of A instead of one (the per-candidate
 * {@link symQuadForm} is bound by loads and by one dependency chain). Same arithmetic as `symQuadForm` up to the
 * order of the additions. Precondition: A symmetric (entries with j >= i are read); xs holds k rows of n entries.
 * @param n - order of A.
 * @param a - n*n row-major symmetric matrix.
 * @param xs - k*n row-major candidate vectors.
 * @param k - number of candidates.
 * @param out - receives the k quadratic forms.
 * @returns `out`.
 */
export function symQuadForms(
  n: number,
  a: Float64Array,
  xs: Float64Array,
  k: number,
  out: Float64Array,
): Float64Array {
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const o0 = c * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < n; i++) {
      const x0 = xs[o0 + i]!;
      const x1 = xs[o1 + i]!;
      const x2 = xs[o2 + i]!;
      const x3 = xs[o3 + i]!;
      const row = i * n;
      let r0 = 0;
      let r1 = 0;
      let r2 = 0;
      let r3 = 0;
      for (let j = i + 1; j < n; j++) {
        const aij = a[row + j]!;
        r0 += aij * xs[o0 + j]!;
        r1 += aij * xs[o1 + j]!;
        r2 += aij * xs[o2 + j]!;
        r3 += aij * xs[o3 + j]!;
      }
      const aii = a[row + i]!;
      s0 += x0 * (aii * x0 + 2 * r0);
      s1 += x1 * (aii * x1 + 2 * r1);
      s2 += x2 * (aii * x2 + 2 * r2);
      s3 += x3 * (aii * x3 + 2 * r3);
    }
    out[c] = s0;
    out[c + 1] = s1;
    out[c + 2] = s2;
    out[c + 3] = s3;
  }
  for (; c < k; c++) out[c] = symQuadForm(n, a, xs, c * n);
  return out;
}

/**
 * Rank-one update of an upper Cholesky factor: given R with V = R^T R, overwrite R with the factor of V + u u^T.
 *
 * @remarks
 * The classical O(n^2) update by Givens-like rotations (Golub and Van Loan §6.5.4), on rows of the upper factor
 * so that the inner loop is contiguous. Precondition: R upper triangular with a positive diagonal.
 * @param n - order.
 * @param r - n*n row-major upper factor, updated in place.
 * @param u - the update vector (read from `offset`, scaled by `scale`).
 * @param offset - start of u in its array.
 * @param scale - u is scale * u[offset..].
 * @param work - scratch of length n (overwritten).
 */
export function cholUpdateUpper(
  n: number,
  r: Float64Array,
  u: Float64Array,
  offset: number,
  scale: number,
  work: Float64Array,
): void {
  for (let i = 0; i < n; i++) work[i] = scale * u[offset + i]!;
  for (let k = 0; k < n; k++) {
    const xk = work[k]!;
    if (xk === 0) continue;
    const row = k * n;
    const rkk = r[row + k]!;
    const rr = Math.hypot(rkk, xk);
    const c = rr / rkk;
    const s = xk / rkk;
    r[row + k] = rr;
    for (let i = k + 1; i < n; i++) {
      const v = (r[row + i]! + s * work[i]!) / c;
      r[row + i] = v;
      work[i] = c * work[i]! - s * v;
    }
  }
}

/**
 * Solves R^T y = b for an upper-triangular R (row-major), i.e. a forward solve with the lower factor R^T.
 * `out` may alias `b`.
 */
export function solveUpperTranspose(
  n: number,
  r: Float64Array,
  b: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  if (out !== b) for (let i = 0; i < n; i++) out[i] = b[i]!;
  for (let k = 0; k < n; k++) {
    const row = k * n;
    const yk = out[k]! / r[row + k]!;
    out[k] = yk;
    for (let i = k + 1; i < n; i++) out[i]! -= r[row + i]! * yk;
  }
  return out;
}

/** True when item a ranks before item b: higher score first, ties to the lower index. */
function before(scores: Float64Array, a: number, b: number): boolean {
  const sa = scores[a]!;
  const sb = scores[b]!;
  return sa > sb || (sa === sb && a < b);
}

/**
 * The indices of the `l` largest of `scores[0..k)`, best first (ties to the lower index), by quickselect then an
 * insertion sort of the selected block. Expected O(k + l^2).
 *
 * @param k - number of candidates (scores.length >= k).
 * @param l - how many to keep, 1 <= l <= k.
 * @param scores - candidate scores (finite).
 * @param idx - scratch Int32Array of length >= k (overwritten; its first l entries are the result).
 * @param out - receives the l indices, best first.
 * @returns `out`.
 */
export function topL(
  k: number,
  l: number,
  scores: Float64Array,
  idx: Int32Array,
  out: Int32Array,
): Int32Array {
  for (let i = 0; i < k; i++) idx[i] = i;
  let lo = 0;
  let hi = k - 1;
  const target = l - 1;
  while (hi > lo && l < k) {
    // median of three as pivot
    const mid = (lo + hi) >>> 1;
    let p = idx[mid]!;
    const a = idx[lo]!;
    const c = idx[hi]!;
    if (before(scores, a, p) !== before(scores, a, c)) p = a;
    else if (before(scores, c, a) !== before(scores, c, p)) p = c;
    // three-way-free Hoare-style partition by "before p"
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (before(scores, idx[i]!, p)) i++;
      while (before(scores, p, idx[j]!)) j--;
      if (i <= j) {
        const t = idx[i]!;
        idx[i] = idx[j]!;
        idx[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  for (let i = 1; i < l; i++) {
    const v = idx[i]!;
    let j = i - 1;
    while (j >= 0 && before(scores, v, idx[j]!)) {
      idx[j + 1] = idx[j]!;
      j--;
    }
    idx[j + 1] = v;
  }
  for (let i = 0; i < l; i++) out[i] = idx[i]!;
  return out;
}

/**
 * Positions ordered by examination probability, most examined first (ties to the lower position): the order in
 * which the best-scored actions are placed (rearrangement inequality).
 *
 * @param l - number of positions.
 * @param q - examination probabilities (length >= l).
 * @param out - receives the l position indices.
 * @returns `out`.
 */
export function positionsByExamination(l: number, q: Float64Array, out: Int32Array): Int32Array {
  for (let i = 0; i < l; i++) out[i] = i;
  for (let i = 1; i < l; i++) {
    const v = out[i]!;
    let j = i - 1;
    while (j >= 0 && (q[v]! > q[out[j]!]! || (q[v]! === q[out[j]!]! && v < out[j]!))) {
      out[j + 1] = out[j]!;
      j--;
    }
    out[j + 1] = v;
  }
  return out;
}
