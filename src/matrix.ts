/** A dense row-major matrix: element (r, c) sits at data[r * cols + c]. */
export interface Matrix<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  data: T;
  rows: number;
  cols: number;
}

/** Row r of m as a view (no copy). */
export function rowOf<T extends Float32Array | Float64Array>(m: Matrix<T>, r: number): T {
  return m.data.subarray(r * m.cols, (r + 1) * m.cols) as T;
}
