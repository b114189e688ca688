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

  ;; One stage of engine/projection.ts's screen for one row: row $c against row $row.
  ;; $params points at the stage's constants: i32 block (its coordinates, rows $width bytes
  ;; apart, $n float32 each), i32 stats (per row three float64, 24 bytes a row: err, low,
  ;; high), i32 limits (per row float64, read by screen_f32_many), i32 narrow (1:
  ;; sqdist_f32_narrow, else sqdist_f32), i32 first, then at byte 24 float64 keep, floor,
  ;; inverseSigma, shrink. With s the rows' squared distance:
  ;;   sum  = $prior (0 when first) + s·keep − floor
  ;;   head = (√sum − err_c − err_row)·inverseSigma, 0 when sum ≤ 0
  ;;   tail = max(low_c − high_row, low_row − high_c, 0)
  ;; Returns sum, or −∞ when (head₊² + tail²)·shrink ≥ $lim² with $lim ≥ 0 (the row is ruled
  ;; out). The arithmetic of ProjectedBounds.lowerBoundsMany.
  (func $screen_f32_row (param $params i32) (param $c i32) (param $width i32) (param $row i32) (param $n i32)
    (param $prior f64) (param $lim f64) (result f64)
    (local $block i32) (local $stats i32) (local $at i32) (local $atC i32) (local $sum f64) (local $head f64) (local $tail f64)
    (local.set $block (i32.load (local.get $params)))
    (local.set $stats (i32.load offset=4 (local.get $params)))
    (local.set $sum (f64.sub
      (f64.add
        (if (result f64) (i32.load offset=16 (local.get $params)) (then (f64.const 0)) (else (local.get $prior)))
        (f64.mul (f64.load offset=24 (local.get $params))
          (if (result f64) (i32.load offset=12 (local.get $params))
            (then (call $sqdist_f32_narrow (i32.add (local.get $block) (i32.mul (local.get $c) (local.get $width)))
              (i32.add (local.get $block) (i32.mul (local.get $row) (local.get $width))) (local.get $n)))
            (else (call $sqdist_f32 (i32.add (local.get $block) (i32.mul (local.get $c) (local.get $width)))
              (i32.add (local.get $block) (i32.mul (local.get $row) (local.get $width))) (local.get $n))))))
      (f64.load offset=32 (local.get $params))))
    (local.set $atC (i32.add (local.get $stats) (i32.mul (local.get $c) (i32.const 24))))
    (local.set $at (i32.add (local.get $stats) (i32.mul (local.get $row) (i32.const 24))))
    (local.set $head (f64.const 0))
    (if (f64.gt (local.get $sum) (f64.const 0))
      (then (local.set $head (f64.mul
        (f64.sub (f64.sub (f64.sqrt (local.get $sum)) (f64.load (local.get $atC))) (f64.load (local.get $at)))
        (f64.load offset=40 (local.get $params))))))
    (local.set $head (f64.max (local.get $head) (f64.const 0)))
    (local.set $tail (f64.max (f64.max
      (f64.sub (f64.load offset=8 (local.get $atC)) (f64.load offset=16 (local.get $at)))
      (f64.sub (f64.load offset=8 (local.get $at)) (f64.load offset=16 (local.get $atC)))) (f64.const 0)))
    (select (f64.const -inf) (local.get $sum)
      (i32.and
        (f64.ge (local.get $lim) (f64.const 0))
        (f64.ge
          (f64.mul (f64.add (f64.mul (local.get $head) (local.get $head)) (f64.mul (local.get $tail) (local.get $tail)))
            (f64.load offset=48 (local.get $params)))
          (f64.mul (local.get $lim) (local.get $lim))))))

  ;; $screen_f32_row in the `_many` calling convention (so the worker threads can split it):
  ;; row $c against rows idx[0..count), each with its limit from the stage's limits (by row)
  ;; and its prior from out[i], which becomes the row's sum or −∞.
  (func (export "screen_f32_many") (param $c i32) (param $params i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32) (local $row i32) (local $limits i32)
    (local.set $limits (i32.load offset=8 (local.get $params)))
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (local.set $row (i32.load (local.get $idx)))
        (f64.store (local.get $out)
          (call $screen_f32_row (local.get $params) (local.get $c) (local.get $width) (local.get $row) (local.get $n)
            (f64.load (local.get $out))
            (f64.load (i32.add (local.get $limits) (i32.shl (local.get $row) (i32.const 3))))))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $each))))

  ;; engine/projection.ts's int8 prefilter for one row: row $c against row $row of a record
  ;; block at $params' i32 block (records $width bytes apart: $n int8 codes, $n a multiple of
  ;; 16, then float32 err, low, high), with float64 scale², inverseSigma, shrink at
  ;; $params + 24, + 40, + 48. sum = Σ (q_c,j − q_row,j)² (exact, in int32) · scale², then
  ;; head, tail and the test as $screen_f32_row with the limit $lim. Returns 1 when the row is
  ;; ruled out.
  (func $screen_i8_row (param $params i32) (param $c i32) (param $width i32) (param $row i32) (param $n i32) (param $lim f64)
    (result i32)
    (local $a i32) (local $b i32) (local $j i32) (local $block i32)
    (local $x v128) (local $y v128) (local $d v128) (local $acc v128) (local $sum f64) (local $head f64) (local $tail f64)
    (local.set $block (i32.load (local.get $params)))
    (local.set $a (i32.add (local.get $block) (i32.mul (local.get $c) (local.get $width))))
    (local.set $b (i32.add (local.get $block) (i32.mul (local.get $row) (local.get $width))))
    (block $codes_done
      (loop $codes
        (br_if $codes_done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $x (v128.load (i32.add (local.get $a) (local.get $j))))
        (local.set $y (v128.load (i32.add (local.get $b) (local.get $j))))
        (local.set $d (i16x8.sub (i16x8.extend_low_i8x16_s (local.get $x)) (i16x8.extend_low_i8x16_s (local.get $y))))
        (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $d) (local.get $d))))
        (local.set $d (i16x8.sub (i16x8.extend_high_i8x16_s (local.get $x)) (i16x8.extend_high_i8x16_s (local.get $y))))
        (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $d) (local.get $d))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $codes)))
    (local.set $sum (f64.mul (f64.load offset=24 (local.get $params)) (f64.convert_i32_s (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
      (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))))
    (local.set $a (i32.add (local.get $a) (local.get $n)))
    (local.set $b (i32.add (local.get $b) (local.get $n)))
    (local.set $head (f64.mul
      (f64.sub (f64.sub (f64.sqrt (local.get $sum)) (f64.promote_f32 (f32.load (local.get $a)))) (f64.promote_f32 (f32.load (local.get $b))))
      (f64.load offset=40 (local.get $params))))
    (local.set $head (f64.max (local.get $head) (f64.const 0)))
    (local.set $tail (f64.max (f64.max
      (f64.sub (f64.promote_f32 (f32.load offset=4 (local.get $a))) (f64.promote_f32 (f32.load offset=8 (local.get $b))))
      (f64.sub (f64.promote_f32 (f32.load offset=4 (local.get $b))) (f64.promote_f32 (f32.load offset=8 (local.get $a))))) (f64.const 0)))
    (i32.and
      (f64.ge (local.get $lim) (f64.const 0))
      (f64.ge
        (f64.mul (f64.add (f64.mul (local.get $head) (local.get $head)) (f64.mul (local.get $tail) (local.get $tail)))
          (f64.load offset=48 (local.get $params)))
        (f64.mul (local.get $lim) (local.get $lim)))))

  ;; $screen_i8_row in the `_many` calling convention: row $c against rows idx[0..count), each
  ;; with its limit in out[i] (read in order: the first screen of every row reads nothing else
  ;; by row but its record). out[i] keeps the limit for a row kept, becomes −∞ for a row ruled out.
  (func (export "screen_i8_many") (param $c i32) (param $params i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32) (local $lim f64)
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (local.set $lim (f64.load (local.get $out)))
        (f64.store (local.get $out)
          (select (f64.const -inf) (local.get $lim)
            (call $screen_i8_row (local.get $params) (local.get $c) (local.get $width) (i32.load (local.get $idx)) (local.get $n) (local.get $lim))))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $each))))

;; touch-pages.ts's faultInFresh, in the `_many` calling convention (so the worker threads can
  ;; split it): for each page idx[i] of the memory at $base ($width bytes a page), 0 is stored in
  ;; its first word, so that the page is faulted in by whichever thread takes it; out[i] = 0. For
  ;; fresh, zeroed memory only (a store alone: reading first would map the zero page and fault
  ;; twice, which ran at half the speed of one thread).
  (func (export "touch_pages_many") (param $c i32) (param $base i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32) (local $at i32)
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (local.set $at (i32.add (local.get $base) (i32.mul (i32.load (local.get $idx)) (local.get $width))))
        (i32.store (local.get $at) (i32.const 0))
        (f64.store (local.get $out) (f64.const 0))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $each))))

  ;; locality.ts's gather, in the `_many` calling convention (so the worker threads can split it
  ;; by rows): copies rows idx[0..count) of the matrix at $base (rows $width bytes) to positions
  ;; $out/8 .. $out/8+count-1 of the matrix at $c. $out is 8 × the first position (the
  ;; convention advances it 8 bytes a row); $n is unused. A copy: the same bytes on any thread.
  (func (export "gather_rows_many") (param $c i32) (param $base i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32) (local $to i32)
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $to (i32.add (local.get $c) (i32.mul (i32.shr_u (local.get $out) (i32.const 3)) (local.get $width))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (memory.copy (local.get $to)
          (i32.add (local.get $base) (i32.mul (i32.load (local.get $idx)) (local.get $width)))
          (local.get $width))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $to (i32.add (local.get $to) (local.get $width)))
        (br $each))))

  ;; locality.ts's nearest-pivot search, in the `_many` calling convention (so the worker threads
  ;; can split it by rows), over a block of dot products laid out pivot by pivot: the float32
  ;; matrix at $base holds x·p_k for pivot k in its row k ($width bytes apart), one column per
  ;; row x. The rows are columns idx[0], idx[0]+1, … ($count of them: the caller's idx counts
  ;; up, so a chunk's first entry is its first column). out[i] = the first k with the least
  ;; $c[k] − 2·x·p_k ($c: the $n pivots' squared norms, float64), as a float64: argmin ‖x − p_k‖²,
  ;; the row's own ‖x‖² left out, in float64 as locality.ts's TypeScript loop computes it.
  ;; Eight columns at a time walk down the pivots (two float32x4 loads a pivot, widened to
  ;; float64 lanes), each lane keeping its first least value, so the same k as one loop over k
  ;; per row; then the last columns one at a time.
  (func (export "nearest_pivot_f32_many") (param $c i32) (param $base i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $column i32) (local $end i32) (local $at i32) (local $k i32) (local $stop i32) (local $kv v128) (local $norm v128)
    (local $x v128) (local $v v128) (local $m v128)
    (local $least0 v128) (local $least1 v128) (local $least2 v128) (local $least3 v128)
    (local $best0 v128) (local $best1 v128) (local $best2 v128) (local $best3 v128)
    (local $least f64) (local $best f64) (local $value f64) (local $kf f64)
    (local.set $column (i32.load (local.get $idx)))
    (local.set $end (i32.add (local.get $column) (local.get $count)))
    (local.set $stop (i32.add (local.get $c) (i32.shl (local.get $n) (i32.const 3))))
    (block $groups_done
      (loop $group
        (br_if $groups_done (i32.gt_u (i32.add (local.get $column) (i32.const 8)) (local.get $end)))
        (local.set $least0 (v128.const f64x2 inf inf)) (local.set $least1 (v128.const f64x2 inf inf))
        (local.set $least2 (v128.const f64x2 inf inf)) (local.set $least3 (v128.const f64x2 inf inf))
        (local.set $best0 (v128.const f64x2 0 0)) (local.set $best1 (v128.const f64x2 0 0))
        (local.set $best2 (v128.const f64x2 0 0)) (local.set $best3 (v128.const f64x2 0 0))
        (local.set $kv (v128.const f64x2 0 0))
        (local.set $at (i32.add (local.get $base) (i32.shl (local.get $column) (i32.const 2))))
        (local.set $k (local.get $c))
        (block $pivots_done
          (loop $pivot
            (br_if $pivots_done (i32.ge_u (local.get $k) (local.get $stop)))
            (local.set $norm (v128.load64_splat (local.get $k)))
            (local.set $x (v128.load (local.get $at)))
            (local.set $v (f64x2.sub (local.get $norm) (f64x2.mul (v128.const f64x2 2 2) (f64x2.promote_low_f32x4 (local.get $x)))))
            (local.set $m (f64x2.lt (local.get $v) (local.get $least0)))
            (local.set $least0 (v128.bitselect (local.get $v) (local.get $least0) (local.get $m)))
            (local.set $best0 (v128.bitselect (local.get $kv) (local.get $best0) (local.get $m)))
            (local.set $v (f64x2.sub (local.get $norm) (f64x2.mul (v128.const f64x2 2 2)
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x))))))
            (local.set $m (f64x2.lt (local.get $v) (local.get $least1)))
            (local.set $least1 (v128.bitselect (local.get $v) (local.get $least1) (local.get $m)))
            (local.set $best1 (v128.bitselect (local.get $kv) (local.get $best1) (local.get $m)))
            (local.set $x (v128.load offset=16 (local.get $at)))
            (local.set $v (f64x2.sub (local.get $norm) (f64x2.mul (v128.const f64x2 2 2) (f64x2.promote_low_f32x4 (local.get $x)))))
            (local.set $m (f64x2.lt (local.get $v) (local.get $least2)))
            (local.set $least2 (v128.bitselect (local.get $v) (local.get $least2) (local.get $m)))
            (local.set $best2 (v128.bitselect (local.get $kv) (local.get $best2) (local.get $m)))
            (local.set $v (f64x2.sub (local.get $norm) (f64x2.mul (v128.const f64x2 2 2)
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x))))))
            (local.set $m (f64x2.lt (local.get $v) (local.get $least3)))
            (local.set $least3 (v128.bitselect (local.get $v) (local.get $least3) (local.get $m)))
            (local.set $best3 (v128.bitselect (local.get $kv) (local.get $best3) (local.get $m)))
            (local.set $kv (f64x2.add (local.get $kv) (v128.const f64x2 1 1)))
            (local.set $at (i32.add (local.get $at) (local.get $width)))
            (local.set $k (i32.add (local.get $k) (i32.const 8)))
            (br $pivot)))
        (v128.store (local.get $out) (local.get $best0))
        (v128.store offset=16 (local.get $out) (local.get $best1))
        (v128.store offset=32 (local.get $out) (local.get $best2))
        (v128.store offset=48 (local.get $out) (local.get $best3))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (local.set $column (i32.add (local.get $column) (i32.const 8)))
        (br $group)))
    (block $columns_done
      (loop $each
        (br_if $columns_done (i32.ge_u (local.get $column) (local.get $end)))
        (local.set $least (f64.const inf))
        (local.set $best (f64.const 0))
        (local.set $kf (f64.const 0))
        (local.set $at (i32.add (local.get $base) (i32.shl (local.get $column) (i32.const 2))))
        (local.set $k (local.get $c))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $k) (local.get $stop)))
            (local.set $value (f64.sub (f64.load (local.get $k))
              (f64.mul (f64.const 2) (f64.promote_f32 (f32.load (local.get $at))))))
            (if (f64.lt (local.get $value) (local.get $least))
              (then (local.set $least (local.get $value)) (local.set $best (local.get $kf))))
            (local.set $kf (f64.add (local.get $kf) (f64.const 1)))
            (local.set $at (i32.add (local.get $at) (local.get $width)))
            (local.set $k (i32.add (local.get $k) (i32.const 8)))
            (br $tail)))
        (f64.store (local.get $out) (local.get $best))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (local.set $column (i32.add (local.get $column) (i32.const 1)))
        (br $each))))

  ;; The exact distance between rows $a and $b of kcenter-cells.ts's vectors: √ of the kernel
  ;; the space measures with ($p's kind: 0 sqdist_f32, 1 sqdist_f32_narrow, 2 sqdist_f64), so
  ;; the bits of EuclideanSpace.distance.
  (func $cell_distance (param $p i32) (param $a i32) (param $b i32) (result f64)
    (local $base i32) (local $width i32) (local $dim i32) (local $kind i32)
    (local.set $base (i32.load offset=36 (local.get $p)))
    (local.set $width (i32.load offset=40 (local.get $p)))
    (local.set $dim (i32.load offset=44 (local.get $p)))
    (local.set $kind (i32.load offset=48 (local.get $p)))
    (local.set $a (i32.add (local.get $base) (i32.mul (local.get $a) (local.get $width))))
    (local.set $b (i32.add (local.get $base) (i32.mul (local.get $b) (local.get $width))))
    (f64.sqrt
      (if (result f64) (i32.eq (local.get $kind) (i32.const 2))
        (then (call $sqdist_f64 (local.get $a) (local.get $b) (local.get $dim)))
        (else (if (result f64) (i32.eq (local.get $kind) (i32.const 1))
          (then (call $sqdist_f32_narrow (local.get $a) (local.get $b) (local.get $dim)))
          (else (call $sqdist_f32 (local.get $a) (local.get $b) (local.get $dim))))))))

  ;; projection.ts's staged screen for one row with limit $lim: the int8 prefilter (when $p has
  ;; one), then each float32 stage on the partial sum of the earlier ones, then the int8 copy of
  ;; the whole rows (when $p has one). Counts the row entering each stage in the block's
  ;; counters ($counters + 4, + 8, ...). 1 when it is kept.
  (func $cell_screen (param $p i32) (param $c i32) (param $row i32) (param $lim f64) (param $counters i32) (result i32)
    (local $slot i32) (local $l i32) (local $stages i32) (local $at i32) (local $sum f64)
    (local.set $slot (i32.add (local.get $counters) (i32.const 4)))
    (if (i32.load offset=56 (local.get $p))
      (then
        (i32.store (local.get $slot) (i32.add (i32.load (local.get $slot)) (i32.const 1)))
        (local.set $slot (i32.add (local.get $slot) (i32.const 4)))
        (if (call $screen_i8_row (i32.load offset=56 (local.get $p)) (local.get $c) (i32.load offset=60 (local.get $p))
              (local.get $row) (i32.load offset=64 (local.get $p)) (local.get $lim))
          (then (return (i32.const 0))))))
    (local.set $stages (i32.load offset=68 (local.get $p)))
    (block $done
      (loop $stage
        (br_if $done (i32.ge_u (local.get $l) (local.get $stages)))
        (i32.store (local.get $slot) (i32.add (i32.load (local.get $slot)) (i32.const 1)))
        (local.set $slot (i32.add (local.get $slot) (i32.const 4)))
        (local.set $at (i32.add (local.get $p) (i32.shl (local.get $l) (i32.const 2))))
        (local.set $sum (call $screen_f32_row (i32.load offset=72 (local.get $at)) (local.get $c) (i32.load offset=88 (local.get $at))
          (local.get $row) (i32.load offset=104 (local.get $at)) (local.get $sum) (local.get $lim)))
        (if (f64.eq (local.get $sum) (f64.const -inf)) (then (return (i32.const 0))))
        (local.set $l (i32.add (local.get $l) (i32.const 1)))
        (br $stage)))
    ;; Last, the int8 copy of the whole rows (row-codes.ts), when $p has one.
    (if (i32.load offset=152 (local.get $p))
      (then
        (i32.store (local.get $slot) (i32.add (i32.load (local.get $slot)) (i32.const 1)))
        (if (call $screen_i8_row (i32.load offset=152 (local.get $p)) (local.get $c) (i32.load offset=156 (local.get $p))
              (local.get $row) (i32.load offset=160 (local.get $p)) (local.get $lim))
          (then (return (i32.const 0))))))
    (i32.const 1))

  ;; Whether center-cells.ts's pivot bound leaves row $x of a cell whose pivot is $toPivot from
  ;; the center able to move: |toPivot − δ_x| − slack·(toPivot + δ_x) − 2·tolerance below its
  ;; distance to the chosen set times the prune slack, plus the tolerance.
  (func $cell_candidate (param $p i32) (param $x i32) (param $toPivot f64) (result i32)
    (local $delta f64) (local $tolerance f64)
    (local.set $delta (f64.load (i32.add (i32.load offset=4 (local.get $p)) (i32.shl (local.get $x) (i32.const 3)))))
    (local.set $tolerance (f64.load offset=144 (local.get $p)))
    (f64.lt
      (f64.sub
        (f64.sub (f64.abs (f64.sub (local.get $toPivot) (local.get $delta)))
          (f64.mul (f64.load offset=136 (local.get $p)) (f64.add (local.get $toPivot) (local.get $delta))))
        (f64.mul (f64.const 2) (local.get $tolerance)))
      (f64.add
        (f64.mul (f64.load (i32.add (i32.load offset=8 (local.get $p)) (i32.shl (local.get $x) (i32.const 3))))
          (f64.load offset=128 (local.get $p)))
        (local.get $tolerance))))

  ;; Row $x (measured at $e from the center) moves to the new center's group when nearer to it
  ;; than to the chosen set, and still in play (nearest ≥ 0). 1 when it moved.
  (func $cell_move (param $p i32) (param $x i32) (param $e f64) (result i32)
    (local $at i32)
    (if (i32.lt_s (i32.load (i32.add (i32.load offset=12 (local.get $p)) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 0))
      (then (return (i32.const 0))))
    (local.set $at (i32.add (i32.load offset=8 (local.get $p)) (i32.shl (local.get $x) (i32.const 3))))
    (if (i32.eqz (f64.lt (local.get $e) (f64.load (local.get $at)))) (then (return (i32.const 0))))
    (f64.store (local.get $at) (local.get $e))
    (i32.store (i32.add (i32.load offset=12 (local.get $p)) (i32.shl (local.get $x) (i32.const 2))) (i32.load offset=52 (local.get $p)))
    (i32.const 1))

  ;; Block $b's farthest row in play and its distance (ties: the lowest tie key), as
  ;; center-groups.ts's Group.refresh picks a group's best row; −1 when none is in play.
  (func $cell_settle (param $p i32) (param $b i32) (param $start i32) (param $end i32)
    (local $x i32) (local $best i32) (local $far f64) (local $d f64) (local $ties i32)
    (local.set $best (i32.const -1))
    (local.set $far (f64.const -1))
    (local.set $ties (i32.load offset=16 (local.get $p)))
    (local.set $x (local.get $start))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (if (i32.ge_s (i32.load (i32.add (i32.load offset=12 (local.get $p)) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 0))
          (then
            (local.set $d (f64.load (i32.add (i32.load offset=8 (local.get $p)) (i32.shl (local.get $x) (i32.const 3)))))
            (if (i32.or (f64.gt (local.get $d) (local.get $far))
                  (i32.and (f64.eq (local.get $d) (local.get $far))
                    (i32.lt_u
                      (if (result i32) (local.get $ties) (then (i32.load (i32.add (local.get $ties) (i32.shl (local.get $x) (i32.const 2))))) (else (local.get $x)))
                      (if (result i32) (local.get $ties) (then (i32.load (i32.add (local.get $ties) (i32.shl (local.get $best) (i32.const 2))))) (else (local.get $best))))))
              (then (local.set $far (local.get $d)) (local.set $best (local.get $x))))))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $each)))
    (f64.store (i32.add (i32.load offset=20 (local.get $p)) (i32.shl (local.get $b) (i32.const 3))) (local.get $far))
    (i32.store (i32.add (i32.load offset=24 (local.get $p)) (i32.shl (local.get $b) (i32.const 2))) (local.get $best)))

  ;; One pick of kcenter-cells.ts's greedy loop in block $b (a run of one cell's rows, with its
  ;; own reach and farthest row): the scan center-groups.ts's scanCells makes there, fused (the
  ;; pivot bounds, the staged screen, the exact distance, the move), then the block's farthest
  ;; row again when a row left it or it holds the center $c. Counters (int32, 16 a block: a cache
  ;; line of its own, as threads update them row by row): rows screened, rows entering each
  ;; screen stage, rows measured. Returns the rows that moved.
  (func $cell_scan (param $p i32) (param $c i32) (param $b i32) (result i32)
    (local $start i32) (local $end i32) (local $x i32) (local $home i32) (local $moved i32) (local $counters i32)
    (local $need i32) (local $first i32) (local $last i32) (local $screened i32)
    (local $toPivot f64) (local $reach f64) (local $far f64) (local $tolerance f64)
    (local.set $start (i32.load (i32.add (i32.load (local.get $p)) (i32.shl (local.get $b) (i32.const 2)))))
    (local.set $end (i32.load offset=4 (i32.add (i32.load (local.get $p)) (i32.shl (local.get $b) (i32.const 2)))))
    (local.set $home (i32.and (i32.ge_u (local.get $c) (local.get $start)) (i32.lt_u (local.get $c) (local.get $end))))
    (local.set $counters (i32.add (i32.load offset=28 (local.get $p)) (i32.shl (local.get $b) (i32.const 6))))
    (local.set $far (f64.load (i32.add (i32.load offset=20 (local.get $p)) (i32.shl (local.get $b) (i32.const 3)))))
    (local.set $reach (f64.load (i32.add (i32.load offset=124 (local.get $p)) (i32.shl (local.get $b) (i32.const 3)))))
    (local.set $tolerance (f64.load offset=144 (local.get $p)))
    (block $scanned
      (br_if $scanned (f64.lt (local.get $far) (f64.const 0)))
      ;; The center's distance to the pivot of the cell the block belongs to (measured once a pick).
      (local.set $toPivot (f64.load (i32.add (i32.load offset=120 (local.get $p))
        (i32.shl (i32.load (i32.add (i32.load offset=32 (local.get $p)) (i32.shl (local.get $b) (i32.const 2)))) (i32.const 3)))))
      ;; center-cells.ts's runMayMove: no row of the block can move.
      (br_if $scanned (i32.eqz (f64.lt
        (f64.sub
          (f64.sub (f64.sub (local.get $toPivot) (local.get $reach))
            (f64.mul (f64.load offset=136 (local.get $p)) (f64.add (local.get $toPivot) (local.get $reach))))
          (f64.mul (f64.const 2) (local.get $tolerance)))
        (f64.add (f64.mul (local.get $far) (f64.load offset=128 (local.get $p))) (local.get $tolerance)))))
      (local.set $screened (i32.or (i32.ne (i32.load offset=56 (local.get $p)) (i32.const 0)) (i32.ne (i32.load offset=68 (local.get $p)) (i32.const 0))))
      (if (local.get $screened)
        (then
          ;; Each row the pivot bound keeps goes through the screen, and is measured if it passes.
          (local.set $x (local.get $start))
          (block $rows_done
            (loop $rows
              (br_if $rows_done (i32.ge_u (local.get $x) (local.get $end)))
              (if (i32.and
                    (i32.ge_s (i32.load (i32.add (i32.load offset=12 (local.get $p)) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 0))
                    (call $cell_candidate (local.get $p) (local.get $x) (local.get $toPivot)))
                (then
                  (i32.store (local.get $counters) (i32.add (i32.load (local.get $counters)) (i32.const 1)))
                  (if (call $cell_screen (local.get $p) (local.get $c) (local.get $x)
                        (f64.add
                          (f64.mul (f64.load (i32.add (i32.load offset=8 (local.get $p)) (i32.shl (local.get $x) (i32.const 3))))
                            (f64.load offset=128 (local.get $p)))
                          (local.get $tolerance))
                        (local.get $counters))
                    (then
                      (i32.store offset=28 (local.get $counters) (i32.add (i32.load offset=28 (local.get $counters)) (i32.const 1)))
                      (local.set $moved (i32.add (local.get $moved)
                        (call $cell_move (local.get $p) (local.get $x) (call $cell_distance (local.get $p) (local.get $c) (local.get $x)))))))))
              (local.set $x (i32.add (local.get $x) (i32.const 1)))
              (br $rows))))
        (else
          ;; Unscreened: where the rows kept fill at least half their stretch, all of it is
          ;; measured in order (scanCells does the same; the extra measurements move nothing
          ;; they should not).
          (local.set $first (i32.const -1))
          (local.set $x (local.get $start))
          (block $count_done
            (loop $count
              (br_if $count_done (i32.ge_u (local.get $x) (local.get $end)))
              (if (i32.and
                    (i32.ge_s (i32.load (i32.add (i32.load offset=12 (local.get $p)) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 0))
                    (call $cell_candidate (local.get $p) (local.get $x) (local.get $toPivot)))
                (then
                  (local.set $need (i32.add (local.get $need) (i32.const 1)))
                  (if (i32.lt_s (local.get $first) (i32.const 0)) (then (local.set $first (local.get $x))))
                  (local.set $last (local.get $x))))
              (local.set $x (i32.add (local.get $x) (i32.const 1)))
              (br $count)))
          (br_if $scanned (i32.eqz (local.get $need)))
          (local.set $x (local.get $first))
          (if (i32.ge_u (i32.shl (local.get $need) (i32.const 1)) (i32.add (i32.sub (local.get $last) (local.get $first)) (i32.const 1)))
            (then
              (i32.store offset=28 (local.get $counters) (i32.add (i32.load offset=28 (local.get $counters))
                (i32.add (i32.sub (local.get $last) (local.get $first)) (i32.const 1))))
              (block $stretch_done
                (loop $stretch
                  (br_if $stretch_done (i32.gt_u (local.get $x) (local.get $last)))
                  (local.set $moved (i32.add (local.get $moved)
                    (call $cell_move (local.get $p) (local.get $x) (call $cell_distance (local.get $p) (local.get $c) (local.get $x)))))
                  (local.set $x (i32.add (local.get $x) (i32.const 1)))
                  (br $stretch))))
            (else
              (i32.store offset=28 (local.get $counters) (i32.add (i32.load offset=28 (local.get $counters)) (local.get $need)))
              (block $kept_done
                (loop $kept
                  (br_if $kept_done (i32.gt_u (local.get $x) (local.get $last)))
                  (if (i32.and
                        (i32.ge_s (i32.load (i32.add (i32.load offset=12 (local.get $p)) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 0))
                        (call $cell_candidate (local.get $p) (local.get $x) (local.get $toPivot)))
                    (then
                      (local.set $moved (i32.add (local.get $moved)
                        (call $cell_move (local.get $p) (local.get $x) (call $cell_distance (local.get $p) (local.get $c) (local.get $x)))))))
                  (local.set $x (i32.add (local.get $x) (i32.const 1)))
                  (br $kept))))))))
    (if (i32.or (local.get $home) (i32.ne (local.get $moved) (i32.const 0)))
      (then (call $cell_settle (local.get $p) (local.get $b) (local.get $start) (local.get $end))))
    (local.get $moved))

  ;; $cell_scan in the `_many` calling convention (so the worker threads split a pick by
  ;; blocks): center $c in blocks idx[0..count), with kcenter-cells.ts's layout at $p; out[i]
  ;; becomes the rows that moved in block idx[i]. $width and $n are unused.
  (func (export "kcenter_cells_many") (param $c i32) (param $p i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (f64.store (local.get $out) (f64.convert_i32_u (call $cell_scan (local.get $p) (local.get $c) (i32.load (local.get $idx)))))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $each))))

  ;; kcenter-cells.ts's setup, in the `_many` calling convention (so the worker threads split it by
  ;; blocks): for each block idx[i] of the layout at $p, every row's distance to its cell's pivot
  ;; (δ, into deltas: $cell_distance, the bits of EuclideanSpace.distance), the block's reach
  ;; (the largest δ of a row in play, nearest ≥ 0; 0 when none is) and its farthest row in play
  ;; ($cell_settle). $c, $width, $n and $out are unused.
  (func (export "kcenter_cells_setup_many") (param $c i32) (param $p i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32) (local $b i32) (local $start i32) (local $stop i32) (local $x i32) (local $pivot i32)
    (local $delta f64) (local $reach f64)
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (local.set $b (i32.load (local.get $idx)))
        (local.set $start (i32.load (i32.add (i32.load (local.get $p)) (i32.shl (local.get $b) (i32.const 2)))))
        (local.set $stop (i32.load offset=4 (i32.add (i32.load (local.get $p)) (i32.shl (local.get $b) (i32.const 2)))))
        (local.set $pivot (i32.load (i32.add (i32.load offset=168 (local.get $p))
          (i32.shl (i32.load (i32.add (i32.load offset=32 (local.get $p)) (i32.shl (local.get $b) (i32.const 2)))) (i32.const 2)))))
        (local.set $reach (f64.const 0))
        (local.set $x (local.get $start))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $x) (local.get $stop)))
            (local.set $delta (call $cell_distance (local.get $p) (local.get $pivot) (local.get $x)))
            (f64.store (i32.add (i32.load offset=4 (local.get $p)) (i32.shl (local.get $x) (i32.const 3))) (local.get $delta))
            (if (i32.and
                  (i32.ge_s (i32.load (i32.add (i32.load offset=12 (local.get $p)) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 0))
                  (f64.gt (local.get $delta) (local.get $reach)))
              (then (local.set $reach (local.get $delta))))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $rows)))
        (f64.store (i32.add (i32.load offset=124 (local.get $p)) (i32.shl (local.get $b) (i32.const 3))) (local.get $reach))
        (call $cell_settle (local.get $p) (local.get $b) (local.get $start) (local.get $stop))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (br $each))))

  ;; engine/row-mean.ts's column sums, in the `_many` calling convention (so the worker threads can
  ;; split them by blocks of rows): idx[0..count) lists block numbers. $c points at i32 mask (one
  ;; byte a row, 0: left out), i32 sums, i32 rows, i32 blockRows, i32 first, i32 unused, f64
  ;; round. For block b, rows (first+b)·blockRows .. min((first+b+1)·blockRows, rows) − 1 of the
  ;; float32 matrix at $base (rows $width bytes, $n values) are added, those the mask keeps, into
  ;; float64 column sums at sums + b·8n (zeroed first); out[i] = how many rows. Each value is
  ;; first rounded to a multiple of a power of two, (x + round) − round: row-mean.ts picks the
  ;; step so that every sum is exact, whatever the rows' order. The bits of row-mean.ts's
  ;; TypeScript twin.
  (func (export "column_sums_f32_many") (param $c i32) (param $base i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32) (local $mask i32) (local $sums i32) (local $rows i32) (local $blockRows i32)
    (local $r i32) (local $last i32) (local $dst i32) (local $row i32) (local $j i32) (local $quads i32) (local $added i32)
    (local $round f64) (local $rounds v128) (local $x v128)
    (local.set $mask (i32.load (local.get $c)))
    (local.set $sums (i32.load offset=4 (local.get $c)))
    (local.set $rows (i32.load offset=8 (local.get $c)))
    (local.set $blockRows (i32.load offset=12 (local.get $c)))
    (local.set $round (f64.load offset=24 (local.get $c)))
    (local.set $rounds (f64x2.splat (local.get $round)))
    (local.set $quads (i32.and (local.get $n) (i32.const -4)))
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (local.set $r (i32.mul (i32.add (i32.load offset=16 (local.get $c)) (i32.load (local.get $idx))) (local.get $blockRows)))
        (local.set $last (i32.add (local.get $r) (local.get $blockRows)))
        (if (i32.gt_u (local.get $last) (local.get $rows)) (then (local.set $last (local.get $rows))))
        (local.set $dst (i32.add (local.get $sums) (i32.mul (i32.load (local.get $idx)) (i32.shl (local.get $n) (i32.const 3)))))
        (memory.fill (local.get $dst) (i32.const 0) (i32.shl (local.get $n) (i32.const 3)))
        (local.set $added (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $r) (local.get $last)))
            (if (i32.load8_u (i32.add (local.get $mask) (local.get $r)))
              (then
                (local.set $added (i32.add (local.get $added) (i32.const 1)))
                (local.set $row (i32.add (local.get $base) (i32.mul (local.get $r) (local.get $width))))
                (local.set $j (i32.const 0))
                (block $quads_done
                  (loop $quad
                    (br_if $quads_done (i32.ge_u (local.get $j) (local.get $quads)))
                    (local.set $x (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))))
                    (v128.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 3)))
                      (f64x2.add (v128.load (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 3))))
                        (f64x2.sub (f64x2.add (f64x2.promote_low_f32x4 (local.get $x)) (local.get $rounds)) (local.get $rounds))))
                    (v128.store offset=16 (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 3)))
                      (f64x2.add (v128.load offset=16 (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 3))))
                        (f64x2.sub (f64x2.add (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
                          (local.get $rounds)) (local.get $rounds))))
                    (local.set $j (i32.add (local.get $j) (i32.const 4)))
                    (br $quad)))
                (block $tail_done
                  (loop $tail
                    (br_if $tail_done (i32.ge_u (local.get $j) (local.get $n)))
                    (f64.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 3)))
                      (f64.add (f64.load (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 3))))
                        (f64.sub (f64.add (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))))
                          (local.get $round)) (local.get $round))))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $tail)))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (f64.store (local.get $out) (f64.convert_i32_u (local.get $added)))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $each))))

  ;; Σ (x[j] − m[j])² of float32 rows idx[0..count) of the matrix at $base (rows $width bytes)
  ;; against the float64 vector at $c, over $n values: the lanes of sqdist_f64 (two accumulators
  ;; of two lanes, j mod 4; their sum lane by lane, then lane 0 + lane 1, then the tail in
  ;; order), so that row-mean.ts's TypeScript twin gives the same bits.
  (func (export "sqdist_f32_f64_many") (param $c i32) (param $base i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32) (local $a i32) (local $b i32) (local $stop i32) (local $x v128) (local $d v128) (local $e v128)
    (local $acc0 v128) (local $acc1 v128) (local $sum f64) (local $t f64)
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (local.set $a (i32.add (local.get $base) (i32.mul (i32.load (local.get $idx)) (local.get $width))))
        (local.set $b (local.get $c))
        (local.set $stop (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
        (local.set $acc0 (v128.const f64x2 0 0))
        (local.set $acc1 (v128.const f64x2 0 0))
        (block $quads_done
          (loop $quad
            (br_if $quads_done (i32.ge_u (local.get $a) (local.get $stop)))
            (local.set $x (v128.load (local.get $a)))
            (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (local.get $x)) (v128.load (local.get $b))))
            (local.set $e (f64x2.sub
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
              (v128.load offset=16 (local.get $b))))
            (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $d) (local.get $d))))
            (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $e) (local.get $e))))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $b (i32.add (local.get $b) (i32.const 32)))
            (br $quad)))
        (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
        (local.set $sum (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
        (local.set $stop (i32.add (local.get $stop) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $a) (local.get $stop)))
            (local.set $t (f64.sub (f64.promote_f32 (f32.load (local.get $a))) (f64.load (local.get $b))))
            (local.set $sum (f64.add (local.get $sum) (f64.mul (local.get $t) (local.get $t))))
            (local.set $a (i32.add (local.get $a) (i32.const 4)))
            (local.set $b (i32.add (local.get $b) (i32.const 8)))
            (br $tail)))
        (f64.store (local.get $out) (local.get $sum))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $each))))

  ;; engine/projection.ts's centring, in the `_many` calling convention (so the worker threads can
  ;; split it by rows): for rows idx[0..count) of the float32 matrix at $base (rows $width bytes,
  ;; $n values), v = x − μ in float64 (μ: float64, at $c's i32 mean), rounded to float32 into
  ;; row (out − norms)/8 of the block at $c's i32 block ($n float32 a row; norms: $c's third
  ;; i32, the out of the block's first row), and out[i] = √Σ v² (the sum in the lanes of
  ;; sqdist_f64: j mod 4, then lane by lane, then the tail in order). The same bits on any thread.
  (func (export "centre_rows_f32_many") (param $c i32) (param $base i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32) (local $a i32) (local $m i32) (local $d i32) (local $stop i32) (local $x v128) (local $u v128) (local $w v128)
    (local $acc0 v128) (local $acc1 v128) (local $sum f64) (local $t f64)
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (local.set $a (i32.add (local.get $base) (i32.mul (i32.load (local.get $idx)) (local.get $width))))
        (local.set $m (i32.load (local.get $c)))
        (local.set $d (i32.add (i32.load offset=4 (local.get $c))
          (i32.mul (i32.shr_u (i32.sub (local.get $out) (i32.load offset=8 (local.get $c))) (i32.const 3)) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $stop (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
        (local.set $acc0 (v128.const f64x2 0 0))
        (local.set $acc1 (v128.const f64x2 0 0))
        (block $quads_done
          (loop $quad
            (br_if $quads_done (i32.ge_u (local.get $a) (local.get $stop)))
            (local.set $x (v128.load (local.get $a)))
            (local.set $u (f64x2.sub (f64x2.promote_low_f32x4 (local.get $x)) (v128.load (local.get $m))))
            (local.set $w (f64x2.sub
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
              (v128.load offset=16 (local.get $m))))
            (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
              (f32x4.demote_f64x2_zero (local.get $u)) (f32x4.demote_f64x2_zero (local.get $w))))
            (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $u) (local.get $u))))
            (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $w) (local.get $w))))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $m (i32.add (local.get $m) (i32.const 32)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br $quad)))
        (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
        (local.set $sum (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
        (local.set $stop (i32.add (local.get $stop) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $a) (local.get $stop)))
            (local.set $t (f64.sub (f64.promote_f32 (f32.load (local.get $a))) (f64.load (local.get $m))))
            (f32.store (local.get $d) (f32.demote_f64 (local.get $t)))
            (local.set $sum (f64.add (local.get $sum) (f64.mul (local.get $t) (local.get $t))))
            (local.set $a (i32.add (local.get $a) (i32.const 4)))
            (local.set $m (i32.add (local.get $m) (i32.const 8)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (br $tail)))
        (f64.store (local.get $out) (f64.sqrt (local.get $sum)))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $each))))

  ;; engine/projection.ts's int8 prefilter, built on the worker threads: out[i] = the largest |x_j|
  ;; of float32 row idx[i] of the matrix at $base (rows $width bytes, $n values), as a float64
  ;; (0 for an empty row, NaN when the row holds one). $c is unused. The magnitudes are compared
  ;; as their bits (sign cleared): for non-negative floats the bits order as the values, a NaN's
  ;; above +∞, and one unsigned integer max is cheaper than a float max's NaN rules.
  (func (export "max_abs_f32_many") (param $c i32) (param $base i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32) (local $a i32) (local $stop i32) (local $most v128) (local $largest i32) (local $bits i32)
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (local.set $a (i32.add (local.get $base) (i32.mul (i32.load (local.get $idx)) (local.get $width))))
        (local.set $stop (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
        (local.set $most (v128.const i32x4 0 0 0 0))
        (block $quads_done
          (loop $quad
            (br_if $quads_done (i32.ge_u (local.get $a) (local.get $stop)))
            (local.set $most (i32x4.max_u (local.get $most)
              (v128.and (v128.load (local.get $a)) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (br $quad)))
        (local.set $most (i32x4.max_u (local.get $most) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $most) (local.get $most))))
        (local.set $most (i32x4.max_u (local.get $most) (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $most) (local.get $most))))
        (local.set $largest (i32x4.extract_lane 0 (local.get $most)))
        (local.set $stop (i32.add (local.get $stop) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $a) (local.get $stop)))
            (local.set $bits (i32.and (i32.load (local.get $a)) (i32.const 0x7fffffff)))
            (if (i32.gt_u (local.get $bits) (local.get $largest)) (then (local.set $largest (local.get $bits))))
            (local.set $a (i32.add (local.get $a) (i32.const 4)))
            (br $tail)))
        (f64.store (local.get $out) (f64.promote_f32 (f32.reinterpret_i32 (local.get $largest))))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $each))))

  ;; engine/projection.ts's int8 codes (and row-codes.ts's), on the worker threads: for float32
  ;; row idx[i] of the matrix at $base (rows $width bytes, $n values), code_j = z_j·(1/scale) in
  ;; float32 arithmetic (1/scale rounded to float32), rounded to the nearest integer (ties to
  ;; even) and clamped to ±127, stored as int8 at records + row·recordWidth; out[i] =
  ;; Σ (z_j − scale·code_j)² in float64, the rounding of the codes each row got (four lanes, j mod
  ;; 4, summed lane by lane, then lane 0 + lane 1, then the tail in order). Any codes give a bound:
  ;; the rounding is measured, never assumed. $c points at float64 scale, then i32 records, i32
  ;; recordWidth. One thread a row: the same bits on any thread count.
  (func (export "quantise_i8_many") (param $c i32) (param $base i32) (param $width i32) (param $idx i32) (param $count i32)
    (param $n i32) (param $out i32)
    (local $end i32) (local $row i32) (local $a i32) (local $to i32) (local $stop i32)
    (local $scale f64) (local $z f64) (local $qs f64) (local $d f64) (local $sum f64)
    (local $scales v128) (local $x v128) (local $z0 v128) (local $z1 v128) (local $q0 v128) (local $q1 v128)
    (local $d0 v128) (local $d1 v128) (local $acc0 v128) (local $acc1 v128) (local $codes v128) (local $q v128)
    (local $inverse f32) (local $inverses v128) (local $code i32)
    (local.set $scale (f64.load (local.get $c)))
    (local.set $scales (f64x2.splat (local.get $scale)))
    (local.set $inverse (f32.demote_f64 (f64.div (f64.const 1) (local.get $scale))))
    (local.set $inverses (f32x4.splat (local.get $inverse)))
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (local.set $row (i32.load (local.get $idx)))
        (local.set $a (i32.add (local.get $base) (i32.mul (local.get $row) (local.get $width))))
        (local.set $to (i32.add (i32.load offset=8 (local.get $c)) (i32.mul (local.get $row) (i32.load offset=12 (local.get $c)))))
        (local.set $stop (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
        (local.set $acc0 (v128.const f64x2 0 0))
        (local.set $acc1 (v128.const f64x2 0 0))
        (block $quads_done
          (loop $quad
            (br_if $quads_done (i32.ge_u (local.get $a) (local.get $stop)))
            (local.set $x (v128.load (local.get $a)))
            ;; Four codes, clamped as int32 (NaN truncates to 0), narrowed to int16 then int8.
            (local.set $q (i32x4.min_s (v128.const i32x4 127 127 127 127) (i32x4.max_s (v128.const i32x4 -127 -127 -127 -127)
              (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (local.get $x) (local.get $inverses)))))))
            (local.set $codes (i16x8.narrow_i32x4_s (local.get $q) (local.get $q)))
            (v128.store32_lane 0 (local.get $to) (i8x16.narrow_i16x8_s (local.get $codes) (local.get $codes)))
            (local.set $z0 (f64x2.promote_low_f32x4 (local.get $x)))
            (local.set $z1 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x))))
            (local.set $q0 (f64x2.convert_low_i32x4_s (local.get $q)))
            (local.set $q1 (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $q) (local.get $q))))
            (local.set $d0 (f64x2.sub (local.get $z0) (f64x2.mul (local.get $scales) (local.get $q0))))
            (local.set $d1 (f64x2.sub (local.get $z1) (f64x2.mul (local.get $scales) (local.get $q1))))
            (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $d0) (local.get $d0))))
            (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $d1) (local.get $d1))))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $to (i32.add (local.get $to) (i32.const 4)))
            (br $quad)))
        (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
        (local.set $sum (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
        (local.set $stop (i32.add (local.get $stop) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $a) (local.get $stop)))
            (local.set $z (f64.promote_f32 (f32.load (local.get $a))))
            (local.set $code (i32.trunc_sat_f32_s (f32.nearest (f32.mul (f32.load (local.get $a)) (local.get $inverse)))))
            (if (i32.gt_s (local.get $code) (i32.const 127)) (then (local.set $code (i32.const 127))))
            (if (i32.lt_s (local.get $code) (i32.const -127)) (then (local.set $code (i32.const -127))))
            (i32.store8 (local.get $to) (local.get $code))
            (local.set $qs (f64.convert_i32_s (local.get $code)))
            (local.set $d (f64.sub (local.get $z) (f64.mul (local.get $scale) (local.get $qs))))
            (local.set $sum (f64.add (local.get $sum) (f64.mul (local.get $d) (local.get $d))))
            (local.set $a (i32.add (local.get $a) (i32.const 4)))
            (local.set $to (i32.add (local.get $to) (i32.const 1)))
            (br $tail)))
        (f64.store (local.get $out) (local.get $sum))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $each))))

  ;; locality.ts's in-place reordering (one thread: a cycle of the permutation moves row by row):
  ;; rows of $width bytes at $base become new row r = old row order[r] for r < $count ($order:
  ;; uint32s). $marks: $count bytes of scratch (zeroed here), $saved: $width bytes of scratch.
  ;; Each cycle saves its first row, moves each row into place with one memory.copy, and puts the
  ;; saved row last: every row is copied once, plus one more a cycle.
  (func (export "permute_rows") (param $base i32) (param $width i32) (param $order i32) (param $count i32) (param $marks i32) (param $saved i32)
    (local $start i32) (local $r i32) (local $from i32)
    (memory.fill (local.get $marks) (i32.const 0) (local.get $count))
    (block $done
      (loop $starts
        (br_if $done (i32.ge_u (local.get $start) (local.get $count)))
        (if (i32.eqz (i32.load8_u (i32.add (local.get $marks) (local.get $start))))
          (then
            (if (i32.ne (i32.load (i32.add (local.get $order) (i32.shl (local.get $start) (i32.const 2)))) (local.get $start))
              (then
                (memory.copy (local.get $saved) (i32.add (local.get $base) (i32.mul (local.get $start) (local.get $width))) (local.get $width))
                (local.set $r (local.get $start))
                (block $closed
                  (loop $cycle
                    (i32.store8 (i32.add (local.get $marks) (local.get $r)) (i32.const 1))
                    (local.set $from (i32.load (i32.add (local.get $order) (i32.shl (local.get $r) (i32.const 2)))))
                    (if (i32.eq (local.get $from) (local.get $start))
                      (then
                        (memory.copy (i32.add (local.get $base) (i32.mul (local.get $r) (local.get $width))) (local.get $saved) (local.get $width))
                        (br $closed)))
                    (memory.copy (i32.add (local.get $base) (i32.mul (local.get $r) (local.get $width)))
                      (i32.add (local.get $base) (i32.mul (local.get $from) (local.get $width))) (local.get $width))
                    (local.set $r (local.get $from))
                    (br $cycle)))))))
        (local.set $start (i32.add (local.get $start) (i32.const 1)))
        (br $starts))))
)
