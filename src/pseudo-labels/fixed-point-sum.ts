/**
 * Sums of values in [0, 1] that do not depend on the order they are added in: each value is
 * rounded to a multiple of 2^-32 and the multiples are added as integers, which is exact. So
 * shards added in any order, or a pool read in any file order, give the same sum to the bit,
 * and thresholds computed from it select the same rows. The rounding (≤ 1.2e-10 per value) is
 * far below anything a threshold can resolve.
 */
import { roundToUnit } from "../round-to-unit.ts";

const SCALE = 2 ** 32;
/** A double holds integers exactly up to 2^53; flush to a bigint well before. */
const FLUSH_AT = 2 ** 52;

export class FixedPointSum {
  private whole = 0n;
  private pending = 0;

  add(value: number): void {
    this.pending += roundToUnit(value * SCALE);
    if (this.pending >= FLUSH_AT) this.flush();
  }

  /** The sum in units of 2^-32, exactly. */
  units(): bigint {
    this.flush();
    return this.whole;
  }

  private flush(): void {
    this.whole += BigInt(this.pending);
    this.pending = 0;
  }
}
