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
 * Candidates are taken four at a time and rows two at a time: each entry a_ij is loaded once for four candidates
 * and each x_j once for two rows, so the inner loop does eight independent multiply-adds per six loads (the
 * per-candidate {@link symQuadForm} is bound by loads and by one dependency chain; two rows per pass measured 1.3–2x
 * faster than one at d = 65, K = 25). Every candidate's sum takes the same terms in the same order as one row at a
 * time, so the result is bit for bit that of the one-row form (and equal to `symQuadForm` up to the order of the
 * additions). Precondition: A symmetric (entries with j >= i are read); xs holds k rows of n entries.
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
    let i = 0;
    // two rows (i, i + 1) per pass: each x_j loaded once for eight multiply-adds
    for (; i + 1 < n; i += 2) {
      const row = i * n;
      const row1 = row + n;
      const a01 = a[row + i + 1]!;
      const y0 = xs[o0 + i + 1]!;
      const y1 = xs[o1 + i + 1]!;
      const y2 = xs[o2 + i + 1]!;
      const y3 = xs[o3 + i + 1]!;
      let r0 = a01 * y0;
      let r1 = a01 * y1;
      let r2 = a01 * y2;
      let r3 = a01 * y3;
      let t0 = 0;
      let t1 = 0;
      let t2 = 0;
      let t3 = 0;
      for (let j = i + 2; j < n; j++) {
        const aij = a[row + j]!;
        const bij = a[row1 + j]!;
        const z0 = xs[o0 + j]!;
        const z1 = xs[o1 + j]!;
        const z2 = xs[o2 + j]!;
        const z3 = xs[o3 + j]!;
        r0 += aij * z0;
        r1 += aij * z1;
        r2 += aij * z2;
        r3 += aij * z3;
        t0 += bij * z0;
        t1 += bij * z1;
        t2 += bij * z2;
        t3 += bij * z3;
      }
      const aii = a[row + i]!;
      const x0 = xs[o0 + i]!;
      const x1 = xs[o1 + i]!;
      const x2 = xs[o2 + i]!;
      const x3 = xs[o3 + i]!;
      s0 += x0 * (aii * x0 + 2 * r0);
      s1 += x1 * (aii * x1 + 2 * r1);
      s2 += x2 * (aii * x2 + 2 * r2);
      s3 += x3 * (aii * x3 + 2 * r3);
      const bii = a[row1 + i + 1]!;
      s0 += y0 * (bii * y0 + 2 * t0);
      s1 += y1 * (bii * y1 + 2 * t1);
      s2 += y2 * (bii * y2 + 2 * t2);
      s3 += y3 * (bii * y3 + 2 * t3);
    }
    if (i < n) {
      // the last row of an odd order has no entries right of the diagonal
      const aii = a[i * n + i]!;
      const x0 = xs[o0 + i]!;
      const x1 = xs[o1 + i]!;
      const x2 = xs[o2 + i]!;
      const x3 = xs[o3 + i]!;
      s0 += x0 * (aii * x0 + 2 * 0);
      s1 += x1 * (aii * x1 + 2 * 0);
      s2 += x2 * (aii * x2 + 2 * 0);
      s3 += x3 * (aii * x3 + 2 * 0);
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
 * The classical O(n^2) update by Givens rotations (Golub and Van Loan §6.5.4), on rows of the upper factor so
 * that the inner loop is contiguous. Row k: r' = sqrt(r_kk² + w_k²), c = r_kk/r', s = w_k/r', then for i > k
 * r_ki ← c r_ki + s w_i and w_i ← c w_i − s r_ki (old r_ki). This is the same update as the hyperbolic-looking form
 * r_ki ← (r_ki + (w_k/r_kk) w_i)/(r'/r_kk), w_i ← (r'/r_kk) w_i − (w_k/r_kk) r_ki' (substitute and use c² + s² = 1)
 * with one division per row instead of two per entry: the divisions bounded the old kernel (LinTS learning was
 * 30 % of a `rank simulate` profile). Results differ from the division form in the last bits only.
 * Precondition: R upper triangular with a positive diagonal.
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
    // r' = sqrt(r_kk² + x_k²) (no overflow: r_kk >= sqrt(λ) and |x_k| are moderate); the rotation
    // [c s; −s c] with c = r_kk/r', s = x_k/r' maps (r_kk, x_k) to (r', 0).
    const rr = Math.sqrt(rkk * rkk + xk * xk);
    const inv = 1 / rr;
    const c = rkk * inv;
    const s = xk * inv;
    r[row + k] = rr;
    for (let i = k + 1; i < n; i++) {
      const e = r[row + i]!;
      const w = work[i]!;
      r[row + i] = c * e + s * w;
      work[i] = c * w - s * e;
    }
  }
}

/**
 * Rank-m update of an upper Cholesky factor: the factor of V + Σ_v u_v u_v^T over v = start .. start + m − 1 with
 * u_v = scales[v]·x[offsets[v] ..], bit for bit what m calls of {@link cholUpdateUpper} in order of v give.
 *
 * @remarks
 * The rotations of update v at row k depend only on row k as left by updates 0..v−1 and on u_v as left by rows
 * 0..k−1, so the m sequential updates can run row by row, each row loaded and stored once for all m vectors
 * instead of once per vector (the same operations on every entry, in the same order). A vector whose pivot entry
 * is 0 skips the row, as in {@link cholUpdateUpper}, here as the identity rotation c = 1, s = 0 (same values; it
 * may turn a −0 into +0). Groups of four (the last may hold two or three), then a last single vector by
 * {@link cholUpdateUpper}.
 * @param n - order.
 * @param r - n*n row-major upper factor, updated in place.
 * @param x - the update vectors' array.
 * @param offsets - start of each vector in `x`.
 * @param scales - scale of each vector.
 * @param start - index of the first vector in `offsets` and `scales`.
 * @param m - number of vectors.
 * @param work - scratch of length >= 4n (overwritten).
 */
export function cholUpdateUpperBlock(
  n: number,
  r: Float64Array,
  x: Float64Array,
  offsets: ArrayLike<number>,
  scales: ArrayLike<number>,
  start: number,
  m: number,
  work: Float64Array,
): void {
  const end = start + m;
  let v = start;
  for (; v + 2 <= end; v += 4) {
    // a group of 2 to 4 vectors; the missing ones are zero vectors, which skip every row (no operation)
    const nv = Math.min(4, end - v);
    const o0 = offsets[v]!;
    const o1 = offsets[v + 1]!;
    const a0 = scales[v]!;
    const a1 = scales[v + 1]!;
    const o2 = nv > 2 ? offsets[v + 2]! : o0;
    const a2 = nv > 2 ? scales[v + 2]! : 0;
    const o3 = nv > 3 ? offsets[v + 3]! : o0;
    const a3 = nv > 3 ? scales[v + 3]! : 0;
    const n2 = 2 * n;
    const n3 = 3 * n;
    for (let i = 0; i < n; i++) {
      work[i] = a0 * x[o0 + i]!;
      work[n + i] = a1 * x[o1 + i]!;
      work[n2 + i] = nv > 2 ? a2 * x[o2 + i]! : 0;
      work[n3 + i] = nv > 3 ? a3 * x[o3 + i]! : 0;
    }
    for (let k = 0; k < n; k++) {
      const row = k * n;
      // the four rotations of row k, in order (c = 1, s = 0 for a vector that skips the row: then c·e + s·w = e
      // and c·w − s·e = w exactly, so the row needs no branch)
      let rkk = r[row + k]!;
      let c0 = 1;
      let s0 = 0;
      let c1 = 1;
      let s1 = 0;
      let c2 = 1;
      let s2 = 0;
      let c3 = 1;
      let s3 = 0;
      const x0 = work[k]!;
      if (x0 !== 0) {
        const rr = Math.sqrt(rkk * rkk + x0 * x0);
        const inv = 1 / rr;
        c0 = rkk * inv;
        s0 = x0 * inv;
        rkk = rr;
      }
      const x1 = work[n + k]!;
      if (x1 !== 0) {
        const rr = Math.sqrt(rkk * rkk + x1 * x1);
        const inv = 1 / rr;
        c1 = rkk * inv;
        s1 = x1 * inv;
        rkk = rr;
      }
      const x2 = work[n2 + k]!;
      if (x2 !== 0) {
        const rr = Math.sqrt(rkk * rkk + x2 * x2);
        const inv = 1 / rr;
        c2 = rkk * inv;
        s2 = x2 * inv;
        rkk = rr;
      }
      const x3 = work[n3 + k]!;
      if (x3 !== 0) {
        const rr = Math.sqrt(rkk * rkk + x3 * x3);
        const inv = 1 / rr;
        c3 = rkk * inv;
        s3 = x3 * inv;
        rkk = rr;
      }
      r[row + k] = rkk;
      for (let i = k + 1; i < n; i++) {
        let e = r[row + i]!;
        let w = work[i]!;
        let t = c0 * e + s0 * w;
        work[i] = c0 * w - s0 * e;
        e = t;
        w = work[n + i]!;
        t = c1 * e + s1 * w;
        work[n + i] = c1 * w - s1 * e;
        e = t;
        w = work[n2 + i]!;
        t = c2 * e + s2 * w;
        work[n2 + i] = c2 * w - s2 * e;
        e = t;
        w = work[n3 + i]!;
        t = c3 * e + s3 * w;
        work[n3 + i] = c3 * w - s3 * e;
        r[row + i] = t;
      }
    }
  }
  for (; v < end; v++) cholUpdateUpper(n, r, x, offsets[v]!, scales[v]!, work);
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
