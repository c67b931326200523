/**
 * Partial selection of the L best of K items by a key, without sorting: a size-L min-heap (root = worst kept item),
 * O(K log L) time, no allocation. The order is total, so the selected set is unique: larger key first, then
 * (optionally) larger tie value, then lower index.
 */

/** True when item i ranks strictly before item j (key, then tie value when given, then lower index). */
function before(i: number, j: number, key: Float64Array, tie: Float64Array | null): boolean {
  const ki = key[i]!;
  const kj = key[j]!;
  if (ki !== kj) return ki > kj;
  if (tie !== null) {
    const ti = tie[i]!;
    const tj = tie[j]!;
    if (ti !== tj) return ti > tj;
  }
  return i < j;
}

function siftDown(
  heap: Int32Array,
  n: number,
  pos: number,
  key: Float64Array,
  tie: Float64Array | null,
): void {
  const item = heap[pos]!;
  for (;;) {
    let child = 2 * pos + 1;
    if (child >= n) break;
    // The heap keeps the WORST item at the root: descend towards the worse child.
    const right = child + 1;
    if (right < n && before(heap[child]!, heap[right]!, key, tie)) child = right;
    if (!before(item, heap[child]!, key, tie)) break;
    heap[pos] = heap[child]!;
    pos = child;
  }
  heap[pos] = item;
}

/**
 * Writes the indices of the L best items (by `key` descending, ties by `tie` descending when given, then by lower
 * index) into `out[0..L)`, in heap order (not sorted).
 *
 * @remarks O(K log L) comparisons and no allocation. Keys must not be NaN (±Infinity is fine).
 * @param K - number of items, >= L.
 * @param key - length >= K.
 * @param tie - secondary key (length >= K) or null.
 * @param L - 1 <= L <= K.
 * @param out - length >= L; receives the selected indices.
 * @returns nothing; `out[0]` is the worst selected item (the L-th best).
 */
export function topLInto(
  K: number,
  key: Float64Array,
  tie: Float64Array | null,
  L: number,
  out: Int32Array,
): void {
  for (let i = 0; i < L; i++) out[i] = i;
  // Heapify the first L items.
  for (let p = (L >> 1) - 1; p >= 0; p--) siftDown(out, L, p, key, tie);
  for (let i = L; i < K; i++) {
    if (before(i, out[0]!, key, tie)) {
      out[0] = i;
      siftDown(out, L, 0, key, tie);
    }
  }
}

/** Sorts `xs[0..n)` ascending in place (insertion sort; n is small). */
export function sortSmallInt(xs: Int32Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = xs[i]!;
    let j = i - 1;
    while (j >= 0 && xs[j]! > v) {
      xs[j + 1] = xs[j]!;
      j--;
    }
    xs[j + 1] = v;
  }
}
