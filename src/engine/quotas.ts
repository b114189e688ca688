/**
 * Whole-number quotas per class from target shares: the selection meets the target as closely
 * as the pool allows, and quota a class cannot use (too few rows) goes to the other classes
 * with a positive target, in proportion to their shares (largest remainder, ties to the lower
 * class). A class with a zero target gets nothing.
 */
export function allocateQuotas(total: number, shares: Float64Array, available: Int32Array): Int32Array {
  const classes = shares.length;
  const quotas = new Int32Array(classes);
  let remaining = total;
  while (remaining > 0) {
    const open: number[] = [];
    let shareSum = 0;
    for (let c = 0; c < classes; c++) {
      if (shares[c]! > 0 && quotas[c]! < available[c]!) { open.push(c); shareSum += shares[c]!; }
    }
    if (open.length === 0) break;
    const ideal = open.map((c) => (remaining * shares[c]!) / shareSum);
    let given = 0;
    open.forEach((c, j) => {
      const add = Math.min(Math.floor(ideal[j]!), available[c]! - quotas[c]!);
      quotas[c]! += add;
      given += add;
    });
    if (given === 0) {
      // Every ideal share is below one row: one each, largest fraction first.
      const byFraction = open.map((c, j) => [c, ideal[j]! - Math.floor(ideal[j]!)] as const)
        .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      for (const [c] of byFraction) {
        if (given === remaining) break;
        quotas[c]!++;
        given++;
      }
    }
    remaining -= given;
  }
  return quotas;
}
