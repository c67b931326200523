;; The linear bandits' hot kernels in WebAssembly SIMD (f64x2), hand-written: LinUCB's decision (quadForms, below),
;; the blocked rank-one Cholesky update of LinTS's factor (cholBlock4) and the Gram matrix's four-observation update
;; (gram4). Each does, per f64x2 lane, the IEEE operations of its JavaScript counterpart in the same order (no fused
;; multiply-add), so results are bit for bit those of the JavaScript kernels, which stay the reference and fallback.
;;
;; quadForms:
;; For k candidates x_c (rows of a k*n row-major block) and a symmetric n*n row-major matrix A of which only the
;; upper triangle is read, computes the quadratic forms q_c = x_c^T A x_c and the dot products m_c = x_c^T th for
;; the first k4 candidates (k4 a multiple of 4; the caller does the other k - k4 in JavaScript).
;;
;; Candidates go in groups of eight, as four pairs: $pack interleaves a group so that one v128 holds
;; (x_c[j], x_{c+1}[j]), and one f64x2 multiply and one add serve both candidates of a pair. A group of four (the
;; last one when k4 is not a multiple of 8) is padded with two zero pairs. $quad8 then runs the JavaScript kernel
;; `symQuadForms` (kernels.ts) lane by lane: two rows (i, i + 1) per pass, the entries right of the diagonal
;; accumulated in ascending j from r = a_{i,i+1} y and t = 0, then s += x (a_ii x + 2 r) and s += y (a_{i+1,i+1} y
;; + 2 t); an odd order ends with s += x (a_ii x + 0). Every lane does the same IEEE operations in the same order
;; as the scalar code (no fused multiply-add), so the results are bit for bit those of `symQuadForms` and of the
;; four-candidate dot products of `linUcbScores`.
;;
;; Memory: byte addresses, all chosen by the caller (kernels-wasm.ts); v128 areas 16-byte aligned.
(module
  (memory (export "memory") 1)

  ;; Interleaves candidates c .. c + 2g - 1 of the block at $x (n doubles each) into $p, j-major: the v128 at
  ;; $p + 64 j + 16 q holds (x_{c+2q}[j], x_{c+2q+1}[j]) for q < g, zeros for g <= q < 4.
  (func $pack (param $n i32) (param $x i32) (param $c i32) (param $g i32) (param $p i32)
    (local $j i32) (local $q i32) (local $src i32) (local $nb i32) (local $dst i32)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $j (i32.const 0))
    (block $done
      (loop $lj
        (br_if $done (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $src
          (i32.add (local.get $x)
            (i32.add (i32.mul (local.get $c) (local.get $nb)) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $dst (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 6))))
        (local.set $q (i32.const 0))
        (block $dq
          (loop $lq
            (br_if $dq (i32.ge_s (local.get $q) (i32.const 4)))
            (if (i32.lt_s (local.get $q) (local.get $g))
              (then
                (v128.store (local.get $dst)
                  (f64x2.replace_lane 1
                    (f64x2.splat (f64.load (local.get $src)))
                    (f64.load (i32.add (local.get $src) (local.get $nb))))))
              (else (v128.store (local.get $dst) (v128.const i64x2 0 0))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $src (i32.add (local.get $src) (i32.shl (local.get $nb) (i32.const 1))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $lq)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $lj))))

  ;; The quadratic forms (stored at $qo, 8 doubles) and the dot products with th (stored at $dout, 8 doubles) of
  ;; one packed group of four pairs at $p (see $pack), against the n*n matrix at $a.
  (func $quad8 (param $n i32) (param $a i32) (param $p i32) (param $th i32) (param $qo i32) (param $dout i32)
    (local $i i32) (local $nb i32) (local $rowA i32) (local $pi i32) (local $pj i32) (local $aj i32)
    (local $end i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $av v128) (local $bv v128) (local $z v128)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (local.set $rowA (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $nb))))
        (local.set $pi (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 6))))
        ;; r = a_{i,i+1} y, t = 0 (y: the pairs' entries i + 1)
        (local.set $av
          (f64x2.splat (f64.load offset=8 (i32.add (local.get $rowA) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $y0 (v128.load offset=64 (local.get $pi)))
        (local.set $y1 (v128.load offset=80 (local.get $pi)))
        (local.set $y2 (v128.load offset=96 (local.get $pi)))
        (local.set $y3 (v128.load offset=112 (local.get $pi)))
        (local.set $r0 (f64x2.mul (local.get $av) (local.get $y0)))
        (local.set $r1 (f64x2.mul (local.get $av) (local.get $y1)))
        (local.set $r2 (f64x2.mul (local.get $av) (local.get $y2)))
        (local.set $r3 (f64x2.mul (local.get $av) (local.get $y3)))
        (local.set $t0 (v128.const i64x2 0 0))
        (local.set $t1 (v128.const i64x2 0 0))
        (local.set $t2 (v128.const i64x2 0 0))
        (local.set $t3 (v128.const i64x2 0 0))
        ;; j = i + 2 .. n - 1: r += a_ij z_j, t += a_{i+1,j} z_j
        (local.set $pj (i32.add (local.get $pi) (i32.const 128)))
        (local.set $aj (i32.add (local.get $rowA) (i32.shl (i32.add (local.get $i) (i32.const 2)) (i32.const 3))))
        (local.set $end (i32.add (local.get $rowA) (local.get $nb)))
        (if (i32.lt_u (local.get $aj) (local.get $end))
          (then
            (loop $lj
              (local.set $av (f64x2.splat (f64.load (local.get $aj))))
              (local.set $bv (f64x2.splat (f64.load (i32.add (local.get $aj) (local.get $nb)))))
              (local.set $z (v128.load (local.get $pj)))
              (local.set $r0 (f64x2.add (local.get $r0) (f64x2.mul (local.get $av) (local.get $z))))
              (local.set $t0 (f64x2.add (local.get $t0) (f64x2.mul (local.get $bv) (local.get $z))))
              (local.set $z (v128.load offset=16 (local.get $pj)))
              (local.set $r1 (f64x2.add (local.get $r1) (f64x2.mul (local.get $av) (local.get $z))))
              (local.set $t1 (f64x2.add (local.get $t1) (f64x2.mul (local.get $bv) (local.get $z))))
              (local.set $z (v128.load offset=32 (local.get $pj)))
              (local.set $r2 (f64x2.add (local.get $r2) (f64x2.mul (local.get $av) (local.get $z))))
              (local.set $t2 (f64x2.add (local.get $t2) (f64x2.mul (local.get $bv) (local.get $z))))
              (local.set $z (v128.load offset=48 (local.get $pj)))
              (local.set $r3 (f64x2.add (local.get $r3) (f64x2.mul (local.get $av) (local.get $z))))
              (local.set $t3 (f64x2.add (local.get $t3) (f64x2.mul (local.get $bv) (local.get $z))))
              (local.set $aj (i32.add (local.get $aj) (i32.const 8)))
              (local.set $pj (i32.add (local.get $pj) (i32.const 64)))
              (br_if $lj (i32.lt_u (local.get $aj) (local.get $end))))))
        ;; s += x (a_ii x + 2 r)
        (local.set $av
          (f64x2.splat (f64.load (i32.add (local.get $rowA) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $x0 (v128.load (local.get $pi)))
        (local.set $x1 (v128.load offset=16 (local.get $pi)))
        (local.set $x2 (v128.load offset=32 (local.get $pi)))
        (local.set $x3 (v128.load offset=48 (local.get $pi)))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x0)
          (f64x2.add (f64x2.mul (local.get $av) (local.get $x0)) (f64x2.add (local.get $r0) (local.get $r0))))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x1)
          (f64x2.add (f64x2.mul (local.get $av) (local.get $x1)) (f64x2.add (local.get $r1) (local.get $r1))))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x2)
          (f64x2.add (f64x2.mul (local.get $av) (local.get $x2)) (f64x2.add (local.get $r2) (local.get $r2))))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x3)
          (f64x2.add (f64x2.mul (local.get $av) (local.get $x3)) (f64x2.add (local.get $r3) (local.get $r3))))))
        ;; s += y (a_{i+1,i+1} y + 2 t)
        (local.set $bv
          (f64x2.splat (f64.load offset=8
            (i32.add (i32.add (local.get $rowA) (local.get $nb)) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $y0)
          (f64x2.add (f64x2.mul (local.get $bv) (local.get $y0)) (f64x2.add (local.get $t0) (local.get $t0))))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $y1)
          (f64x2.add (f64x2.mul (local.get $bv) (local.get $y1)) (f64x2.add (local.get $t1) (local.get $t1))))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $y2)
          (f64x2.add (f64x2.mul (local.get $bv) (local.get $y2)) (f64x2.add (local.get $t2) (local.get $t2))))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $y3)
          (f64x2.add (f64x2.mul (local.get $bv) (local.get $y3)) (f64x2.add (local.get $t3) (local.get $t3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $rows)))
    ;; an odd order's last row has no entries right of the diagonal: s += x (a_ii x + 0)
    (if (i32.lt_s (local.get $i) (local.get $n))
      (then
        (local.set $av
          (f64x2.splat (f64.load
            (i32.add (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $nb)))
              (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $pi (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 6))))
        (local.set $z (v128.const i64x2 0 0))
        (local.set $x0 (v128.load (local.get $pi)))
        (local.set $x1 (v128.load offset=16 (local.get $pi)))
        (local.set $x2 (v128.load offset=32 (local.get $pi)))
        (local.set $x3 (v128.load offset=48 (local.get $pi)))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x0)
          (f64x2.add (f64x2.mul (local.get $av) (local.get $x0)) (local.get $z)))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x1)
          (f64x2.add (f64x2.mul (local.get $av) (local.get $x1)) (local.get $z)))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x2)
          (f64x2.add (f64x2.mul (local.get $av) (local.get $x2)) (local.get $z)))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x3)
          (f64x2.add (f64x2.mul (local.get $av) (local.get $x3)) (local.get $z)))))))
    (v128.store (local.get $qo) (local.get $s0))
    (v128.store offset=16 (local.get $qo) (local.get $s1))
    (v128.store offset=32 (local.get $qo) (local.get $s2))
    (v128.store offset=48 (local.get $qo) (local.get $s3))
    ;; dot products m = sum_j z_j th_j in ascending j, from 0 (reusing r as the sums)
    (local.set $r0 (v128.const i64x2 0 0))
    (local.set $r1 (v128.const i64x2 0 0))
    (local.set $r2 (v128.const i64x2 0 0))
    (local.set $r3 (v128.const i64x2 0 0))
    (local.set $pj (local.get $p))
    (local.set $aj (local.get $th))
    (local.set $end (i32.add (local.get $th) (local.get $nb)))
    (if (i32.lt_u (local.get $aj) (local.get $end))
      (then
        (loop $ld
          (local.set $av (f64x2.splat (f64.load (local.get $aj))))
          (local.set $r0 (f64x2.add (local.get $r0) (f64x2.mul (v128.load (local.get $pj)) (local.get $av))))
          (local.set $r1 (f64x2.add (local.get $r1) (f64x2.mul (v128.load offset=16 (local.get $pj)) (local.get $av))))
          (local.set $r2 (f64x2.add (local.get $r2) (f64x2.mul (v128.load offset=32 (local.get $pj)) (local.get $av))))
          (local.set $r3 (f64x2.add (local.get $r3) (f64x2.mul (v128.load offset=48 (local.get $pj)) (local.get $av))))
          (local.set $aj (i32.add (local.get $aj) (i32.const 8)))
          (local.set $pj (i32.add (local.get $pj) (i32.const 64)))
          (br_if $ld (i32.lt_u (local.get $aj) (local.get $end))))))
    (v128.store (local.get $dout) (local.get $r0))
    (v128.store offset=16 (local.get $dout) (local.get $r1))
    (v128.store offset=32 (local.get $dout) (local.get $r2))
    (v128.store offset=48 (local.get $dout) (local.get $r3)))

  ;; The quadratic forms and dot products of candidates 0 .. k4 - 1 (k4 a multiple of 4) of the block at $x, in
  ;; groups of eight packed at $p (64 n bytes of scratch): forms to $qo, dots to $dout (each room for k4 rounded up
  ;; to a multiple of 8 doubles).
  (func (export "quadForms")
    (param $n i32) (param $a i32) (param $x i32) (param $k4 i32) (param $p i32) (param $th i32) (param $qo i32)
    (param $dout i32)
    (local $c i32) (local $g i32)
    (local.set $c (i32.const 0))
    (block $done
      (loop $lc
        (br_if $done (i32.ge_s (local.get $c) (local.get $k4)))
        ;; g = min(4, (k4 - c) / 2) pairs
        (local.set $g (i32.shr_s (i32.sub (local.get $k4) (local.get $c)) (i32.const 1)))
        (if (i32.gt_s (local.get $g) (i32.const 4)) (then (local.set $g (i32.const 4))))
        (call $pack (local.get $n) (local.get $x) (local.get $c) (local.get $g) (local.get $p))
        (call $quad8 (local.get $n) (local.get $a) (local.get $p) (local.get $th)
          (i32.add (local.get $qo) (i32.shl (local.get $c) (i32.const 3)))
          (i32.add (local.get $dout) (i32.shl (local.get $c) (i32.const 3))))
        (local.set $c (i32.add (local.get $c) (i32.const 8)))
        (br $lc))))
  ;; Four rank-one updates of an upper Cholesky factor, row by row (the JavaScript `cholUpdateUpperBlock`, one
  ;; group): R (n*n row-major at $r) becomes the factor of R^T R + w_0 w_0^T + ... + w_3 w_3^T, the vectors w_v at
  ;; $w + 8 n v (overwritten; a missing vector is zeros). Row k: the four rotations in order, c = r_kk/r',
  ;; s = w_k/r', r' = sqrt(r_kk^2 + w_k^2) (skipped, c = 1 and s = 0, where w_k is 0), then for i > k, two entries
  ;; per f64x2: e' = c e + s w, w' = c w - s e for each vector in turn. The same IEEE operations as the JavaScript.
  (func (export "cholBlock4") (param $n i32) (param $r i32) (param $w i32)
    (local $k i32) (local $nb i32) (local $row i32) (local $i i32) (local $end i32) (local $wi i32)
    (local $rkk f64) (local $xk f64) (local $rr f64) (local $inv f64)
    (local $c0 f64) (local $s0 f64) (local $c1 f64) (local $s1 f64)
    (local $c2 f64) (local $s2 f64) (local $c3 f64) (local $s3 f64)
    (local $vc0 v128) (local $vs0 v128) (local $vc1 v128) (local $vs1 v128)
    (local $vc2 v128) (local $vs2 v128) (local $vc3 v128) (local $vs3 v128)
    (local $e v128) (local $x v128) (local $t v128)
    (local $se f64) (local $sx f64) (local $st f64)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $k (i32.const 0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $row (i32.add (local.get $r) (i32.mul (local.get $k) (local.get $nb))))
        (local.set $rkk (f64.load (i32.add (local.get $row) (i32.shl (local.get $k) (i32.const 3)))))
        (local.set $c0 (f64.const 1)) (local.set $s0 (f64.const 0))
        (local.set $c1 (f64.const 1)) (local.set $s1 (f64.const 0))
        (local.set $c2 (f64.const 1)) (local.set $s2 (f64.const 0))
        (local.set $c3 (f64.const 1)) (local.set $s3 (f64.const 0))
        ;; $wi: address of w_0[k]; w_v[k] at $wi + v nb
        (local.set $wi (i32.add (local.get $w) (i32.shl (local.get $k) (i32.const 3))))
        (local.set $xk (f64.load (local.get $wi)))
        (if (f64.ne (local.get $xk) (f64.const 0))
          (then
            (local.set $rr (f64.sqrt (f64.add (f64.mul (local.get $rkk) (local.get $rkk))
              (f64.mul (local.get $xk) (local.get $xk)))))
            (local.set $inv (f64.div (f64.const 1) (local.get $rr)))
            (local.set $c0 (f64.mul (local.get $rkk) (local.get $inv)))
            (local.set $s0 (f64.mul (local.get $xk) (local.get $inv)))
            (local.set $rkk (local.get $rr))))
        (local.set $xk (f64.load (i32.add (local.get $wi) (local.get $nb))))
        (if (f64.ne (local.get $xk) (f64.const 0))
          (then
            (local.set $rr (f64.sqrt (f64.add (f64.mul (local.get $rkk) (local.get $rkk))
              (f64.mul (local.get $xk) (local.get $xk)))))
            (local.set $inv (f64.div (f64.const 1) (local.get $rr)))
            (local.set $c1 (f64.mul (local.get $rkk) (local.get $inv)))
            (local.set $s1 (f64.mul (local.get $xk) (local.get $inv)))
            (local.set $rkk (local.get $rr))))
        (local.set $xk (f64.load (i32.add (local.get $wi) (i32.shl (local.get $nb) (i32.const 1)))))
        (if (f64.ne (local.get $xk) (f64.const 0))
          (then
            (local.set $rr (f64.sqrt (f64.add (f64.mul (local.get $rkk) (local.get $rkk))
              (f64.mul (local.get $xk) (local.get $xk)))))
            (local.set $inv (f64.div (f64.const 1) (local.get $rr)))
            (local.set $c2 (f64.mul (local.get $rkk) (local.get $inv)))
            (local.set $s2 (f64.mul (local.get $xk) (local.get $inv)))
            (local.set $rkk (local.get $rr))))
        (local.set $xk (f64.load (i32.add (local.get $wi) (i32.mul (local.get $nb) (i32.const 3)))))
        (if (f64.ne (local.get $xk) (f64.const 0))
          (then
            (local.set $rr (f64.sqrt (f64.add (f64.mul (local.get $rkk) (local.get $rkk))
              (f64.mul (local.get $xk) (local.get $xk)))))
            (local.set $inv (f64.div (f64.const 1) (local.get $rr)))
            (local.set $c3 (f64.mul (local.get $rkk) (local.get $inv)))
            (local.set $s3 (f64.mul (local.get $xk) (local.get $inv)))
            (local.set $rkk (local.get $rr))))
        (f64.store (i32.add (local.get $row) (i32.shl (local.get $k) (i32.const 3))) (local.get $rkk))
        (local.set $vc0 (f64x2.splat (local.get $c0))) (local.set $vs0 (f64x2.splat (local.get $s0)))
        (local.set $vc1 (f64x2.splat (local.get $c1))) (local.set $vs1 (f64x2.splat (local.get $s1)))
        (local.set $vc2 (f64x2.splat (local.get $c2))) (local.set $vs2 (f64x2.splat (local.get $s2)))
        (local.set $vc3 (f64x2.splat (local.get $c3))) (local.set $vs3 (f64x2.splat (local.get $s3)))
        ;; entries i = k + 1 .. n - 1, two at a time: $i walks row k, $wi walks w_0 (byte offsets)
        (local.set $i (i32.add (local.get $row) (i32.shl (i32.add (local.get $k) (i32.const 1)) (i32.const 3))))
        (local.set $wi (i32.add (local.get $wi) (i32.const 8)))
        (local.set $end (i32.add (local.get $row) (local.get $nb)))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
            (local.set $e (v128.load (local.get $i)))
            (local.set $x (v128.load (local.get $wi)))
            (local.set $t (f64x2.add (f64x2.mul (local.get $vc0) (local.get $e)) (f64x2.mul (local.get $vs0) (local.get $x))))
            (v128.store (local.get $wi)
              (f64x2.sub (f64x2.mul (local.get $vc0) (local.get $x)) (f64x2.mul (local.get $vs0) (local.get $e))))
            (local.set $e (local.get $t))
            (local.set $x (v128.load (i32.add (local.get $wi) (local.get $nb))))
            (local.set $t (f64x2.add (f64x2.mul (local.get $vc1) (local.get $e)) (f64x2.mul (local.get $vs1) (local.get $x))))
            (v128.store (i32.add (local.get $wi) (local.get $nb))
              (f64x2.sub (f64x2.mul (local.get $vc1) (local.get $x)) (f64x2.mul (local.get $vs1) (local.get $e))))
            (local.set $e (local.get $t))
            (local.set $x (v128.load (i32.add (local.get $wi) (i32.shl (local.get $nb) (i32.const 1)))))
            (local.set $t (f64x2.add (f64x2.mul (local.get $vc2) (local.get $e)) (f64x2.mul (local.get $vs2) (local.get $x))))
            (v128.store (i32.add (local.get $wi) (i32.shl (local.get $nb) (i32.const 1)))
              (f64x2.sub (f64x2.mul (local.get $vc2) (local.get $x)) (f64x2.mul (local.get $vs2) (local.get $e))))
            (local.set $e (local.get $t))
            (local.set $x (v128.load (i32.add (local.get $wi) (i32.mul (local.get $nb) (i32.const 3)))))
            (local.set $t (f64x2.add (f64x2.mul (local.get $vc3) (local.get $e)) (f64x2.mul (local.get $vs3) (local.get $x))))
            (v128.store (i32.add (local.get $wi) (i32.mul (local.get $nb) (i32.const 3)))
              (f64x2.sub (f64x2.mul (local.get $vc3) (local.get $x)) (f64x2.mul (local.get $vs3) (local.get $e))))
            (v128.store (local.get $i) (local.get $t))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (local.set $wi (i32.add (local.get $wi) (i32.const 16)))
            (br $pairs)))
        ;; a last single entry
        (if (i32.lt_u (local.get $i) (local.get $end))
          (then
            (local.set $se (f64.load (local.get $i)))
            (local.set $sx (f64.load (local.get $wi)))
            (local.set $st (f64.add (f64.mul (local.get $c0) (local.get $se)) (f64.mul (local.get $s0) (local.get $sx))))
            (f64.store (local.get $wi)
              (f64.sub (f64.mul (local.get $c0) (local.get $sx)) (f64.mul (local.get $s0) (local.get $se))))
            (local.set $se (local.get $st))
            (local.set $sx (f64.load (i32.add (local.get $wi) (local.get $nb))))
            (local.set $st (f64.add (f64.mul (local.get $c1) (local.get $se)) (f64.mul (local.get $s1) (local.get $sx))))
            (f64.store (i32.add (local.get $wi) (local.get $nb))
              (f64.sub (f64.mul (local.get $c1) (local.get $sx)) (f64.mul (local.get $s1) (local.get $se))))
            (local.set $se (local.get $st))
            (local.set $sx (f64.load (i32.add (local.get $wi) (i32.shl (local.get $nb) (i32.const 1)))))
            (local.set $st (f64.add (f64.mul (local.get $c2) (local.get $se)) (f64.mul (local.get $s2) (local.get $sx))))
            (f64.store (i32.add (local.get $wi) (i32.shl (local.get $nb) (i32.const 1)))
              (f64.sub (f64.mul (local.get $c2) (local.get $sx)) (f64.mul (local.get $s2) (local.get $se))))
            (local.set $se (local.get $st))
            (local.set $sx (f64.load (i32.add (local.get $wi) (i32.mul (local.get $nb) (i32.const 3)))))
            (local.set $st (f64.add (f64.mul (local.get $c3) (local.get $se)) (f64.mul (local.get $s3) (local.get $sx))))
            (f64.store (i32.add (local.get $wi) (i32.mul (local.get $nb) (i32.const 3)))
              (f64.sub (f64.mul (local.get $c3) (local.get $sx)) (f64.mul (local.get $s3) (local.get $se))))
            (f64.store (local.get $i) (local.get $st))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $rows))))

  ;; Four observations' share of a Gram matrix, G += Σ_v q_v x_v x_v^T on the upper triangle (the JavaScript
  ;; `addObservations`, one group of four, without b, η and n): G is n*n row-major at $g, the vectors x_v at
  ;; $w + 8 n v and the weights q_v (the squared scales) at $q. Rows two at a time as in the JavaScript: with
  ;; c_v = q_v x_v[i] and e_v = q_v x_v[i + 1], each entry becomes ((g + c_0 w_0) + c_1 w_1) + ... in that order, two
  ;; entries of a row per f64x2 right of the 2x2 diagonal block. A group of two (or three) passes zero vectors with
  ;; q_v = 0: the extra terms add +-0, which leaves every entry as the shorter sum gives it (G never holds -0).
  (func (export "gram4") (param $n i32) (param $g i32) (param $w i32) (param $q i32)
    (local $i i32) (local $nb i32) (local $row i32) (local $row1 i32) (local $xi i32) (local $j i32) (local $end i32)
    (local $wj i32)
    (local $q0 f64) (local $q1 f64) (local $q2 f64) (local $q3 f64)
    (local $x0 f64) (local $x1 f64) (local $x2 f64) (local $x3 f64)
    (local $z0 f64) (local $z1 f64) (local $z2 f64) (local $z3 f64)
    (local $c0 f64) (local $c1 f64) (local $c2 f64) (local $c3 f64)
    (local $e0 f64) (local $e1 f64) (local $e2 f64) (local $e3 f64)
    (local $vc0 v128) (local $vc1 v128) (local $vc2 v128) (local $vc3 v128)
    (local $ve0 v128) (local $ve1 v128) (local $ve2 v128) (local $ve3 v128)
    (local $u0 v128) (local $u1 v128) (local $u2 v128) (local $u3 v128)
    (local $sw0 f64) (local $sw1 f64) (local $sw2 f64) (local $sw3 f64)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $q0 (f64.load (local.get $q)))
    (local.set $q1 (f64.load offset=8 (local.get $q)))
    (local.set $q2 (f64.load offset=16 (local.get $q)))
    (local.set $q3 (f64.load offset=24 (local.get $q)))
    (local.set $i (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        ;; $xi: address of x_0[i]; x_v[i] at $xi + v nb
        (local.set $xi (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $x0 (f64.load (local.get $xi)))
        (local.set $x1 (f64.load (i32.add (local.get $xi) (local.get $nb))))
        (local.set $x2 (f64.load (i32.add (local.get $xi) (i32.shl (local.get $nb) (i32.const 1)))))
        (local.set $x3 (f64.load (i32.add (local.get $xi) (i32.mul (local.get $nb) (i32.const 3)))))
        (local.set $z0 (f64.load offset=8 (local.get $xi)))
        (local.set $z1 (f64.load offset=8 (i32.add (local.get $xi) (local.get $nb))))
        (local.set $z2 (f64.load offset=8 (i32.add (local.get $xi) (i32.shl (local.get $nb) (i32.const 1)))))
        (local.set $z3 (f64.load offset=8 (i32.add (local.get $xi) (i32.mul (local.get $nb) (i32.const 3)))))
        (local.set $c0 (f64.mul (local.get $q0) (local.get $x0)))
        (local.set $c1 (f64.mul (local.get $q1) (local.get $x1)))
        (local.set $c2 (f64.mul (local.get $q2) (local.get $x2)))
        (local.set $c3 (f64.mul (local.get $q3) (local.get $x3)))
        (local.set $e0 (f64.mul (local.get $q0) (local.get $z0)))
        (local.set $e1 (f64.mul (local.get $q1) (local.get $z1)))
        (local.set $e2 (f64.mul (local.get $q2) (local.get $z2)))
        (local.set $e3 (f64.mul (local.get $q3) (local.get $z3)))
        ;; $row: address of g[i][i]; $row1: of g[i+1][i+1]
        (local.set $row (i32.add (local.get $g) (i32.add (i32.mul (local.get $i) (local.get $nb)) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $row1 (i32.add (i32.add (local.get $row) (local.get $nb)) (i32.const 8)))
        (f64.store (local.get $row) (f64.add (f64.add (f64.add (f64.add (f64.load (local.get $row)) (f64.mul (local.get $c0) (local.get $x0))) (f64.mul (local.get $c1) (local.get $x1))) (f64.mul (local.get $c2) (local.get $x2))) (f64.mul (local.get $c3) (local.get $x3))))
        (f64.store offset=8 (local.get $row) (f64.add (f64.add (f64.add (f64.add (f64.load offset=8 (local.get $row)) (f64.mul (local.get $c0) (local.get $z0))) (f64.mul (local.get $c1) (local.get $z1))) (f64.mul (local.get $c2) (local.get $z2))) (f64.mul (local.get $c3) (local.get $z3))))
        (f64.store (local.get $row1) (f64.add (f64.add (f64.add (f64.add (f64.load (local.get $row1)) (f64.mul (local.get $e0) (local.get $z0))) (f64.mul (local.get $e1) (local.get $z1))) (f64.mul (local.get $e2) (local.get $z2))) (f64.mul (local.get $e3) (local.get $z3))))
        (local.set $vc0 (f64x2.splat (local.get $c0))) (local.set $vc1 (f64x2.splat (local.get $c1)))
        (local.set $vc2 (f64x2.splat (local.get $c2))) (local.set $vc3 (f64x2.splat (local.get $c3)))
        (local.set $ve0 (f64x2.splat (local.get $e0))) (local.set $ve1 (f64x2.splat (local.get $e1)))
        (local.set $ve2 (f64x2.splat (local.get $e2))) (local.set $ve3 (f64x2.splat (local.get $e3)))
        ;; j = i + 2 .. n - 1: $j walks row i (g[i][j]), $j + nb is g[i+1][j], $wj walks x_0[j]
        (local.set $j (i32.add (local.get $row) (i32.const 16)))
        (local.set $end (i32.add (local.get $g) (i32.mul (i32.add (local.get $i) (i32.const 1)) (local.get $nb))))
        (local.set $wj (i32.add (local.get $xi) (i32.const 16)))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $end)))
            (local.set $u0 (v128.load (local.get $wj)))
            (local.set $u1 (v128.load (i32.add (local.get $wj) (local.get $nb))))
            (local.set $u2 (v128.load (i32.add (local.get $wj) (i32.shl (local.get $nb) (i32.const 1)))))
            (local.set $u3 (v128.load (i32.add (local.get $wj) (i32.mul (local.get $nb) (i32.const 3)))))
            (v128.store (local.get $j)
              (f64x2.add (f64x2.add (f64x2.add (f64x2.add (v128.load (local.get $j))
                (f64x2.mul (local.get $vc0) (local.get $u0))) (f64x2.mul (local.get $vc1) (local.get $u1)))
                (f64x2.mul (local.get $vc2) (local.get $u2))) (f64x2.mul (local.get $vc3) (local.get $u3))))
            (v128.store (i32.add (local.get $j) (local.get $nb))
              (f64x2.add (f64x2.add (f64x2.add (f64x2.add (v128.load (i32.add (local.get $j) (local.get $nb)))
                (f64x2.mul (local.get $ve0) (local.get $u0))) (f64x2.mul (local.get $ve1) (local.get $u1)))
                (f64x2.mul (local.get $ve2) (local.get $u2))) (f64x2.mul (local.get $ve3) (local.get $u3))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (local.set $wj (i32.add (local.get $wj) (i32.const 16)))
            (br $pairs)))
        ;; a last single entry of both rows
        (if (i32.lt_u (local.get $j) (local.get $end))
          (then
            (local.set $sw0 (f64.load (local.get $wj)))
            (local.set $sw1 (f64.load (i32.add (local.get $wj) (local.get $nb))))
            (local.set $sw2 (f64.load (i32.add (local.get $wj) (i32.shl (local.get $nb) (i32.const 1)))))
            (local.set $sw3 (f64.load (i32.add (local.get $wj) (i32.mul (local.get $nb) (i32.const 3)))))
            (f64.store (local.get $j) (f64.add (f64.add (f64.add (f64.add (f64.load (local.get $j)) (f64.mul (local.get $c0) (local.get $sw0))) (f64.mul (local.get $c1) (local.get $sw1))) (f64.mul (local.get $c2) (local.get $sw2))) (f64.mul (local.get $c3) (local.get $sw3))))
            (f64.store (i32.add (local.get $j) (local.get $nb)) (f64.add (f64.add (f64.add (f64.add (f64.load (i32.add (local.get $j) (local.get $nb))) (f64.mul (local.get $e0) (local.get $sw0))) (f64.mul (local.get $e1) (local.get $sw1))) (f64.mul (local.get $e2) (local.get $sw2))) (f64.mul (local.get $e3) (local.get $sw3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $rows)))
    ;; an odd order's last diagonal entry: g += (q_v x_v) x_v in order
    (if (i32.lt_s (local.get $i) (local.get $n))
      (then
        (local.set $xi (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $x0 (f64.load (local.get $xi)))
        (local.set $x1 (f64.load (i32.add (local.get $xi) (local.get $nb))))
        (local.set $x2 (f64.load (i32.add (local.get $xi) (i32.shl (local.get $nb) (i32.const 1)))))
        (local.set $x3 (f64.load (i32.add (local.get $xi) (i32.mul (local.get $nb) (i32.const 3)))))
        (local.set $c0 (f64.mul (local.get $q0) (local.get $x0)))
        (local.set $c1 (f64.mul (local.get $q1) (local.get $x1)))
        (local.set $c2 (f64.mul (local.get $q2) (local.get $x2)))
        (local.set $c3 (f64.mul (local.get $q3) (local.get $x3)))
        (local.set $row (i32.add (local.get $g) (i32.add (i32.mul (local.get $i) (local.get $nb)) (i32.shl (local.get $i) (i32.const 3)))))
        (f64.store (local.get $row) (f64.add (f64.add (f64.add (f64.add (f64.load (local.get $row)) (f64.mul (local.get $c0) (local.get $x0))) (f64.mul (local.get $c1) (local.get $x1))) (f64.mul (local.get $c2) (local.get $x2))) (f64.mul (local.get $c3) (local.get $x3)))))))

  ;; One observation of LinUCB's fused Sherman-Morrison batch (the JavaScript `shermanMorrisonBatch`): with
  ;; $pending, the previous observation's update V^-1 -= ki kp^T on the upper triangle, ki = cp kp_i, a row skipped
  ;; where ki is 0 (so the row is left as it is), fused with k = V^-1 u for this observation's u (at $u), two rows
  ;; per pass; without $pending only the mat-vec (the JavaScript `symMatVecUpper`, the same operations as this pass
  ;; with no row updated). Row i: s = k_i + a_ii u_i, s += a_{i,i+1} u_{i+1}, k_{i+1} += a_{i,i+1} u_i,
  ;; s1 = k_{i+1} + a_{i+1,i+1} u_{i+1}, then for j > i + 1 (two per f64x2 for the updates and k_j, the sums s and s1
  ;; lane by lane in ascending j): s += a_ij u_j, s1 += a_{i+1,j} u_j, k_j = k_j + a_ij u_i + a_{i+1,j} u_{i+1}.
  ;; k (at $k) is zeroed first. Returns u^T k summed in ascending i.
  (func (export "smPass") (param $n i32) (param $f i32) (param $u i32) (param $k i32) (param $kp i32)
    (param $cp f64) (param $pending i32) (result f64)
    (local $i i32) (local $nb i32) (local $row i32) (local $j i32) (local $end i32) (local $off i32)
    (local $ki f64) (local $ki1 f64) (local $ui f64) (local $ui1 f64) (local $upd i32) (local $upd1 i32)
    (local $aii f64) (local $a01 f64) (local $b11 f64) (local $s f64) (local $s1 f64) (local $t f64)
    (local $sa f64) (local $sb f64)
    (local $vki v128) (local $vki1 v128) (local $ma v128) (local $mb v128) (local $vui v128) (local $vui1 v128)
    (local $kpv v128) (local $fa v128) (local $fb v128) (local $va v128) (local $vb v128) (local $uv v128)
    (local $pa v128) (local $pb v128)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    ;; k = 0
    (local.set $i (i32.const 0))
    (block $z_done
      (loop $z
        (br_if $z_done (i32.ge_s (local.get $i) (local.get $n)))
        (f64.store (i32.add (local.get $k) (i32.shl (local.get $i) (i32.const 3))) (f64.const 0))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $z)))
    (local.set $i (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (local.set $off (i32.shl (local.get $i) (i32.const 3)))
        (local.set $row (i32.add (local.get $f) (i32.mul (local.get $i) (local.get $nb))))
        (local.set $ki (f64.mul (local.get $cp) (f64.load (i32.add (local.get $kp) (local.get $off)))))
        (local.set $ki1 (f64.mul (local.get $cp) (f64.load offset=8 (i32.add (local.get $kp) (local.get $off)))))
        (local.set $upd (i32.and (local.get $pending) (f64.ne (local.get $ki) (f64.const 0))))
        (local.set $upd1 (i32.and (local.get $pending) (f64.ne (local.get $ki1) (f64.const 0))))
        (local.set $ui (f64.load (i32.add (local.get $u) (local.get $off))))
        (local.set $ui1 (f64.load offset=8 (i32.add (local.get $u) (local.get $off))))
        ;; the 2x2 diagonal block
        (local.set $aii (f64.load (i32.add (local.get $row) (local.get $off))))
        (if (local.get $upd)
          (then
            (local.set $aii (f64.sub (local.get $aii)
              (f64.mul (local.get $ki) (f64.load (i32.add (local.get $kp) (local.get $off))))))
            (f64.store (i32.add (local.get $row) (local.get $off)) (local.get $aii))))
        (local.set $s (f64.add (f64.load (i32.add (local.get $k) (local.get $off)))
          (f64.mul (local.get $aii) (local.get $ui))))
        (local.set $a01 (f64.load offset=8 (i32.add (local.get $row) (local.get $off))))
        (if (local.get $upd)
          (then
            (local.set $a01 (f64.sub (local.get $a01)
              (f64.mul (local.get $ki) (f64.load offset=8 (i32.add (local.get $kp) (local.get $off))))))
            (f64.store offset=8 (i32.add (local.get $row) (local.get $off)) (local.get $a01))))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $a01) (local.get $ui1))))
        (f64.store offset=8 (i32.add (local.get $k) (local.get $off))
          (f64.add (f64.load offset=8 (i32.add (local.get $k) (local.get $off)))
            (f64.mul (local.get $a01) (local.get $ui))))
        (local.set $b11 (f64.load offset=8 (i32.add (i32.add (local.get $row) (local.get $nb)) (local.get $off))))
        (if (local.get $upd1)
          (then
            (local.set $b11 (f64.sub (local.get $b11)
              (f64.mul (local.get $ki1) (f64.load offset=8 (i32.add (local.get $kp) (local.get $off))))))
            (f64.store offset=8 (i32.add (i32.add (local.get $row) (local.get $nb)) (local.get $off))
              (local.get $b11))))
        (local.set $s1 (f64.add (f64.load offset=8 (i32.add (local.get $k) (local.get $off)))
          (f64.mul (local.get $b11) (local.get $ui1))))
        ;; j = i + 2 .. n - 1; $j is the byte offset 8 j
        (local.set $vki (f64x2.splat (local.get $ki)))
        (local.set $vki1 (f64x2.splat (local.get $ki1)))
        (local.set $ma (i64x2.splat (i64.extend_i32_u (local.get $upd))))
        (local.set $ma (i64x2.sub (v128.const i64x2 0 0) (local.get $ma)))
        (local.set $mb (i64x2.splat (i64.extend_i32_u (local.get $upd1))))
        (local.set $mb (i64x2.sub (v128.const i64x2 0 0) (local.get $mb)))
        (local.set $vui (f64x2.splat (local.get $ui)))
        (local.set $vui1 (f64x2.splat (local.get $ui1)))
        (local.set $j (i32.add (local.get $off) (i32.const 16)))
        (local.set $end (local.get $nb))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $end)))
            (local.set $kpv (v128.load (i32.add (local.get $kp) (local.get $j))))
            (local.set $fa (v128.load (i32.add (local.get $row) (local.get $j))))
            (local.set $fb (v128.load (i32.add (i32.add (local.get $row) (local.get $nb)) (local.get $j))))
            (local.set $va (v128.bitselect
              (f64x2.sub (local.get $fa) (f64x2.mul (local.get $vki) (local.get $kpv))) (local.get $fa) (local.get $ma)))
            (local.set $vb (v128.bitselect
              (f64x2.sub (local.get $fb) (f64x2.mul (local.get $vki1) (local.get $kpv))) (local.get $fb) (local.get $mb)))
            (v128.store (i32.add (local.get $row) (local.get $j)) (local.get $va))
            (v128.store (i32.add (i32.add (local.get $row) (local.get $nb)) (local.get $j)) (local.get $vb))
            (local.set $uv (v128.load (i32.add (local.get $u) (local.get $j))))
            (local.set $pa (f64x2.mul (local.get $va) (local.get $uv)))
            (local.set $pb (f64x2.mul (local.get $vb) (local.get $uv)))
            (local.set $s (f64.add (f64.add (local.get $s) (f64x2.extract_lane 0 (local.get $pa)))
              (f64x2.extract_lane 1 (local.get $pa))))
            (local.set $s1 (f64.add (f64.add (local.get $s1) (f64x2.extract_lane 0 (local.get $pb)))
              (f64x2.extract_lane 1 (local.get $pb))))
            (v128.store (i32.add (local.get $k) (local.get $j))
              (f64x2.add (f64x2.add (v128.load (i32.add (local.get $k) (local.get $j)))
                (f64x2.mul (local.get $va) (local.get $vui))) (f64x2.mul (local.get $vb) (local.get $vui1))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pairs)))
        ;; a last single j
        (if (i32.lt_u (local.get $j) (local.get $end))
          (then
            (local.set $sa (f64.load (i32.add (local.get $row) (local.get $j))))
            (local.set $sb (f64.load (i32.add (i32.add (local.get $row) (local.get $nb)) (local.get $j))))
            (local.set $t (f64.load (i32.add (local.get $kp) (local.get $j))))
            (if (local.get $upd)
              (then
                (local.set $sa (f64.sub (local.get $sa) (f64.mul (local.get $ki) (local.get $t))))
                (f64.store (i32.add (local.get $row) (local.get $j)) (local.get $sa))))
            (if (local.get $upd1)
              (then
                (local.set $sb (f64.sub (local.get $sb) (f64.mul (local.get $ki1) (local.get $t))))
                (f64.store (i32.add (i32.add (local.get $row) (local.get $nb)) (local.get $j)) (local.get $sb))))
            (local.set $t (f64.load (i32.add (local.get $u) (local.get $j))))
            (local.set $s (f64.add (local.get $s) (f64.mul (local.get $sa) (local.get $t))))
            (local.set $s1 (f64.add (local.get $s1) (f64.mul (local.get $sb) (local.get $t))))
            (f64.store (i32.add (local.get $k) (local.get $j))
              (f64.add (f64.add (f64.load (i32.add (local.get $k) (local.get $j)))
                (f64.mul (local.get $sa) (local.get $ui))) (f64.mul (local.get $sb) (local.get $ui1))))))
        (f64.store (i32.add (local.get $k) (local.get $off)) (local.get $s))
        (f64.store offset=8 (i32.add (local.get $k) (local.get $off)) (local.get $s1))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $rows)))
    ;; an odd order's last row: its diagonal entry only
    (if (i32.lt_s (local.get $i) (local.get $n))
      (then
        (local.set $off (i32.shl (local.get $i) (i32.const 3)))
        (local.set $row (i32.add (local.get $f) (i32.mul (local.get $i) (local.get $nb))))
        (local.set $ki (f64.mul (local.get $cp) (f64.load (i32.add (local.get $kp) (local.get $off)))))
        (local.set $aii (f64.load (i32.add (local.get $row) (local.get $off))))
        (if (i32.and (local.get $pending) (f64.ne (local.get $ki) (f64.const 0)))
          (then
            (local.set $aii (f64.sub (local.get $aii)
              (f64.mul (local.get $ki) (f64.load (i32.add (local.get $kp) (local.get $off))))))
            (f64.store (i32.add (local.get $row) (local.get $off)) (local.get $aii))))
        (f64.store (i32.add (local.get $k) (local.get $off))
          (f64.add (f64.load (i32.add (local.get $k) (local.get $off)))
            (f64.mul (local.get $aii) (f64.load (i32.add (local.get $u) (local.get $off))))))))
    ;; u^T k in ascending i
    (local.set $t (f64.const 0))
    (local.set $i (i32.const 0))
    (block $q_done
      (loop $q
        (br_if $q_done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $off (i32.shl (local.get $i) (i32.const 3)))
        (local.set $t (f64.add (local.get $t) (f64.mul (f64.load (i32.add (local.get $u) (local.get $off)))
          (f64.load (i32.add (local.get $k) (local.get $off))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $q)))
    (local.get $t))

  ;; The batch's last pending update, V^-1 -= ki kp^T on the upper triangle (ki = cp kp_i; a row with ki = 0 is
  ;; skipped), two entries per f64x2: the closing loop of `shermanMorrisonBatch`.
  (func (export "smFinal") (param $n i32) (param $f i32) (param $kp i32) (param $cp f64)
    (local $i i32) (local $nb i32) (local $row i32) (local $j i32) (local $ki f64) (local $vki v128)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $ki (f64.mul (local.get $cp) (f64.load (i32.add (local.get $kp) (i32.shl (local.get $i) (i32.const 3))))))
        (if (f64.ne (local.get $ki) (f64.const 0))
          (then
            (local.set $row (i32.add (local.get $f) (i32.mul (local.get $i) (local.get $nb))))
            (local.set $vki (f64x2.splat (local.get $ki)))
            (local.set $j (i32.shl (local.get $i) (i32.const 3)))
            (block $pairs_done
              (loop $pairs
                (br_if $pairs_done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $nb)))
                (v128.store (i32.add (local.get $row) (local.get $j))
                  (f64x2.sub (v128.load (i32.add (local.get $row) (local.get $j)))
                    (f64x2.mul (local.get $vki) (v128.load (i32.add (local.get $kp) (local.get $j))))))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $pairs)))
            (if (i32.lt_u (local.get $j) (local.get $nb))
              (then
                (f64.store (i32.add (local.get $row) (local.get $j))
                  (f64.sub (f64.load (i32.add (local.get $row) (local.get $j)))
                    (f64.mul (local.get $ki) (f64.load (i32.add (local.get $kp) (local.get $j))))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))))
