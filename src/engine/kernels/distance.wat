;; Distance kernels for the engine's hot loops, in WebAssembly SIMD. All accumulate in float64.
;; Arithmetic follows the wasm spec exactly (no fused multiply-add, no relaxed SIMD), so every
;; engine and CPU gives the same bits: selections do not depend on the machine.
;; Pointers are byte offsets into the shared memory; lengths are element counts.
(module
  (import "env" "memory" (memory 1 65536)) ;; marked shared by build.ts

  ;; Σ (a[j] - b[j])² over n float32 values, in float64: float32 values promote exactly, so
  ;; nothing overflows or underflows that the float64 result can hold, and the only rounding
  ;; is float64's.
  (func $sqdist_f32 (export "sqdist_f32") (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $end i32) (local $x v128) (local $y v128) (local $d v128) (local $e v128)
    (local $acc0 v128) (local $acc1 v128) (local $sum f64) (local $t f64)
    (local.set $end (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $x (v128.load (local.get $a)))
        (local.set $y (v128.load (local.get $b)))
        (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.promote_low_f32x4 (local.get $y))))
        (local.set $e (f64x2.sub
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $y) (local.get $y)))))
        (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $d) (local.get $d))))
        (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br $four)))
    (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
    (local.set $sum (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $t (f64.sub (f64.promote_f32 (f32.load (local.get $a))) (f64.promote_f32 (f32.load (local.get $b)))))
        (local.set $sum (f64.add (local.get $sum) (f64.mul (local.get $t) (local.get $t))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $tail)))
    (local.get $sum))

  ;; Σ (a[j] - b[j])² over n float32 values with float32 arithmetic, eight lanes, summed in float64.
  ;; Twice as fast as sqdist_f32; callers use it only where no square can overflow or underflow.
  (func $sqdist_f32_narrow (export "sqdist_f32_narrow") (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $end i32) (local $acc0 v128) (local $acc1 v128) (local $d v128) (local $e v128) (local $sum f64)
    (local.set $end (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $done
      (loop $eight
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $d (f32x4.sub (v128.load (local.get $a)) (v128.load (local.get $b))))
        (local.set $e (f32x4.sub (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b))))
        (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $d) (local.get $d))))
        (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $e) (local.get $e))))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br $eight)))
    (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
    (local.set $sum (f64.add
      (f64.add (f64.promote_f32 (f32x4.extract_lane 0 (local.get $acc0))) (f64.promote_f32 (f32x4.extract_lane 1 (local.get $acc0))))
      (f64.add (f64.promote_f32 (f32x4.extract_lane 2 (local.get $acc0))) (f64.promote_f32 (f32x4.extract_lane 3 (local.get $acc0))))))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 7)) (i32.const 2))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $sum (f64.add (local.get $sum)
          (f64.mul
            (f64.sub (f64.promote_f32 (f32.load (local.get $a))) (f64.promote_f32 (f32.load (local.get $b))))
            (f64.sub (f64.promote_f32 (f32.load (local.get $a))) (f64.promote_f32 (f32.load (local.get $b)))))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $tail)))
    (local.get $sum))

  ;; Σ a[j]·b[j] over n float32 values, accumulated in float64: a product of two float32 values
  ;; is exact in float64, so the only rounding is the sum's (BADGE's ‖g_a‖²+‖g_b‖²-2⟨g_a,g_b⟩
  ;; cancels when rows are close, and needs this precision to prune).
  (func $dot_f32 (export "dot_f32") (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $end i32) (local $x v128) (local $y v128) (local $acc0 v128) (local $acc1 v128) (local $sum f64)
    (local.set $end (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $x (v128.load (local.get $a)))
        (local.set $y (v128.load (local.get $b)))
        (local.set $acc0 (f64x2.add (local.get $acc0)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.promote_low_f32x4 (local.get $y)))))
        (local.set $acc1 (f64x2.add (local.get $acc1)
          (f64x2.mul
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $y) (local.get $y))))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br $four)))
    (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
    (local.set $sum (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $sum (f64.add (local.get $sum)
          (f64.mul (f64.promote_f32 (f32.load (local.get $a))) (f64.promote_f32 (f32.load (local.get $b))))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $tail)))
    (local.get $sum))

  ;; Σ (a[j] - b[j])² over n float64 values: two lanes of two accumulators.
  (func $sqdist_f64 (export "sqdist_f64") (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $end i32) (local $acc0 v128) (local $acc1 v128) (local $d v128) (local $e v128) (local $sum f64) (local $x f64)
    (local.set $end (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $d (f64x2.sub (v128.load (local.get $a)) (v128.load (local.get $b))))
        (local.set $e (f64x2.sub (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b))))
        (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $d) (local.get $d))))
        (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br $four)))
    (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
    (local.set $sum (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 3))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $x (f64.sub (f64.load (local.get $a)) (f64.load (local.get $b))))
        (local.set $sum (f64.add (local.get $sum) (f64.mul (local.get $x) (local.get $x))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (br $tail)))
    (local.get $sum))

  ;; Σ a[j]·b[j] over n float64 values.
  (func $dot_f64 (export "dot_f64") (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $end i32) (local $acc0 v128) (local $acc1 v128) (local $sum f64)
    (local.set $end (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br $four)))
    (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
    (local.set $sum (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 3))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $sum (f64.add (local.get $sum) (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (br $tail)))
    (local.get $sum))

  ;; sqdist_f32 of row $c against rows idx[0..count) of the matrix at $base (rows $width bytes
  ;; apart): one call from JavaScript for a whole group instead of one per row.
  (func (export "sqdist_f32_many") (param $c i32) (param $base i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (f64.store (local.get $out)
          (call $sqdist_f32 (local.get $c)
            (i32.add (local.get $base) (i32.mul (i32.load (local.get $idx)) (local.get $width)))
            (local.get $n)))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $each))))

  ;; sqdist_f32_narrow of row $c against rows idx[0..count) of the matrix at $base (rows $width bytes
  ;; apart): one call from JavaScript for a whole group instead of one per row.
  (func (export "sqdist_f32_narrow_many") (param $c i32) (param $base i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (f64.store (local.get $out)
          (call $sqdist_f32_narrow (local.get $c)
            (i32.add (local.get $base) (i32.mul (i32.load (local.get $idx)) (local.get $width)))
            (local.get $n)))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $each))))

  ;; dot_f32 of row $c against rows idx[0..count) of the matrix at $base (rows $width bytes
  ;; apart): one call from JavaScript for a whole group instead of one per row.
  (func (export "dot_f32_many") (param $c i32) (param $base i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (f64.store (local.get $out)
          (call $dot_f32 (local.get $c)
            (i32.add (local.get $base) (i32.mul (i32.load (local.get $idx)) (local.get $width)))
            (local.get $n)))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $each))))

  ;; sqdist_f64 of row $c against rows idx[0..count) of the matrix at $base (rows $width bytes
  ;; apart): one call from JavaScript for a whole group instead of one per row.
  (func (export "sqdist_f64_many") (param $c i32) (param $base i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (f64.store (local.get $out)
          (call $sqdist_f64 (local.get $c)
            (i32.add (local.get $base) (i32.mul (i32.load (local.get $idx)) (local.get $width)))
            (local.get $n)))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $each))))

  ;; dot_f64 of row $c against rows idx[0..count) of the matrix at $base (rows $width bytes
  ;; apart): one call from JavaScript for a whole group instead of one per row.
  (func (export "dot_f64_many") (param $c i32) (param $base i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (f64.store (local.get $out)
          (call $dot_f64 (local.get $c)
            (i32.add (local.get $base) (i32.mul (i32.load (local.get $idx)) (local.get $width)))
            (local.get $n)))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $each))))

  ;; One stage of engine/projection.ts's screen: row $c against rows idx[0..count) of the
  ;; coordinate block at $base (rows $width bytes apart, $n float32 each), with per row three
  ;; float64 at $stats + 24·row: (err, low, high). Per row, s its squared distance (the narrow
  ;; kernel when $narrow, else sqdist_f32):
  ;;   sum  = partial[i] (0 when $first) + s·keep − floor
  ;;   head = (√sum − err_c − err_row)·inverseSigma, 0 when sum ≤ 0
  ;;   tail = max(low_c − high_row, low_row − high_c, 0)
  ;; and the row is dropped when (head₊² + tail²)·shrink ≥ limit[i]² with limit[i] ≥ 0. Kept
  ;; rows are packed at the front of idx, limit and partial (with their sum), in order; returns
  ;; how many. The same arithmetic as ProjectedBounds.lowerBoundsMany, in one call per stage.
  (func (export "screen_f32") (param $c i32) (param $base i32) (param $width i32) (param $n i32) (param $narrow i32)
    (param $stats i32) (param $idx i32) (param $limit i32) (param $partial i32) (param $count i32) (param $first i32)
    (param $keep f64) (param $floor f64) (param $inverseSigma f64) (param $shrink f64) (result i32)
    (local $i i32) (local $kept i32) (local $row i32) (local $a i32) (local $at i32) (local $sum f64) (local $head f64) (local $tail f64)
    (local $errC f64) (local $lowC f64) (local $highC f64) (local $lim f64)
    (local.set $at (i32.add (local.get $stats) (i32.mul (local.get $c) (i32.const 24))))
    (local.set $errC (f64.load (local.get $at)))
    (local.set $lowC (f64.load offset=8 (local.get $at)))
    (local.set $highC (f64.load offset=16 (local.get $at)))
    (local.set $a (i32.add (local.get $base) (i32.mul (local.get $c) (local.get $width))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $row (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $sum (f64.sub
          (f64.add
            (if (result f64) (local.get $first) (then (f64.const 0))
              (else (f64.load (i32.add (local.get $partial) (i32.shl (local.get $i) (i32.const 3))))))
            (f64.mul (local.get $keep)
              (if (result f64) (local.get $narrow)
                (then (call $sqdist_f32_narrow (local.get $a) (i32.add (local.get $base) (i32.mul (local.get $row) (local.get $width))) (local.get $n)))
                (else (call $sqdist_f32 (local.get $a) (i32.add (local.get $base) (i32.mul (local.get $row) (local.get $width))) (local.get $n))))))
          (local.get $floor)))
        (local.set $at (i32.add (local.get $stats) (i32.mul (local.get $row) (i32.const 24))))
        (local.set $head (f64.const 0))
        (if (f64.gt (local.get $sum) (f64.const 0))
          (then (local.set $head (f64.mul
            (f64.sub (f64.sub (f64.sqrt (local.get $sum)) (local.get $errC)) (f64.load (local.get $at)))
            (local.get $inverseSigma)))))
        (local.set $head (f64.max (local.get $head) (f64.const 0)))
        (local.set $tail (f64.max (f64.max
          (f64.sub (local.get $lowC) (f64.load offset=16 (local.get $at)))
          (f64.sub (f64.load offset=8 (local.get $at)) (local.get $highC))) (f64.const 0)))
        (local.set $lim (f64.load (i32.add (local.get $limit) (i32.shl (local.get $i) (i32.const 3)))))
        (if (i32.eqz (i32.and
              (f64.ge (local.get $lim) (f64.const 0))
              (f64.ge
                (f64.mul (f64.add (f64.mul (local.get $head) (local.get $head)) (f64.mul (local.get $tail) (local.get $tail))) (local.get $shrink))
                (f64.mul (local.get $lim) (local.get $lim)))))
          (then
            (i32.store (i32.add (local.get $idx) (i32.shl (local.get $kept) (i32.const 2))) (local.get $row))
            (f64.store (i32.add (local.get $limit) (i32.shl (local.get $kept) (i32.const 3))) (local.get $lim))
            (f64.store (i32.add (local.get $partial) (i32.shl (local.get $kept) (i32.const 3))) (local.get $sum))
            (local.set $kept (i32.add (local.get $kept) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (local.get $kept))
)
