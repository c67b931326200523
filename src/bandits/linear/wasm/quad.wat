;; LinUCB's decision kernel in WebAssembly SIMD (f64x2), hand-written.
;;
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
        (br $lc)))))
