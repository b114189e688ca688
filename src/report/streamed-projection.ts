/**
 * The report's PCA scatter for a run that streams the pool (src/job/stream.ts). Which rows
 * pca2 fits its axes on and which pool rows the scatter draws both follow from the pool's size
 * and fixed seeds, so they are known before the first row is read: the stream keeps the vectors
 * of those rows (at most 20,000 and 5,000) and of the candidates, and the page draws what the
 * in-memory run's page draws, from the same axes.
 */
import type { Blas } from "../../ffi/blas.ts";
import { pca2Axes, pca2Project, pca2Sample } from "../engine/pca.ts";
import type { Matrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { POOL_POINTS_SHOWN, samplePoolRows, type SampledProjection } from "./report.ts";

/** The projection's axes and points, all but the selection's (the selection is known after the stream). */
export interface StreamedProjection {
  rows: number;
  explained: [number, number];
  /** The sampled pool rows' coordinates, as SampledProjection.shown. */
  shown: Float64Array;
  /** Per candidate (a row of the streamed run's pool), its coordinates. */
  candidates: Float64Array;
}

/** Keeps, while the pool streams by in row order, the vectors of the rows the projection needs. */
export class ProjectionRows {
  private readonly fitRows: Uint32Array;
  private readonly rng: Rng;
  private readonly shownRows: Uint32Array;
  private readonly fit: Float32Array;
  private readonly shown: Float32Array;
  private nextFit = 0;
  private nextShown = 0;

  constructor(private readonly rows: number, private readonly cols: number, seed: number) {
    ({ fitRows: this.fitRows, rng: this.rng } = pca2Sample(rows, { seed }));
    this.shownRows = samplePoolRows(rows, POOL_POINTS_SHOWN);
    this.fit = new Float32Array(this.fitRows.length * cols);
    this.shown = new Float32Array(this.shownRows.length * cols);
  }

  /** The rows [firstRow, firstRow + count) of the pool, their vectors row-major in `vectors`. */
  add(vectors: Float32Array, firstRow: number, count: number): void {
    const { cols } = this;
    const end = firstRow + count;
    for (; this.nextFit < this.fitRows.length && this.fitRows[this.nextFit]! < end; this.nextFit++) {
      const r = this.fitRows[this.nextFit]! - firstRow;
      this.fit.set(vectors.subarray(r * cols, (r + 1) * cols), this.nextFit * cols);
    }
    for (; this.nextShown < this.shownRows.length && this.shownRows[this.nextShown]! < end; this.nextShown++) {
      const r = this.shownRows[this.nextShown]! - firstRow;
      this.shown.set(vectors.subarray(r * cols, (r + 1) * cols), this.nextShown * cols);
    }
  }

  /** pca2's axes from the kept rows, the sampled rows and the candidates (`candidates`, their vectors) projected on them. */
  finish(candidates: Matrix, blas: Blas): StreamedProjection {
    if (this.nextFit !== this.fitRows.length || this.nextShown !== this.shownRows.length) {
      throw new Error(`internal check failed: the stream passed ${this.nextFit} of ${this.fitRows.length} fit rows and ${this.nextShown} of ${this.shownRows.length} drawn rows`);
    }
    const { cols } = this;
    const axes = pca2Axes({ data: this.fit, rows: this.fitRows.length, cols }, this.rng, blas);
    return {
      rows: this.rows, explained: axes.explained,
      shown: pca2Project({ data: this.shown, rows: this.shownRows.length, cols }, axes, blas),
      candidates: pca2Project(candidates, axes, blas),
    };
  }
}

/** The page's projection once the selection (rows of the candidates, in rank order) is known. */
export function selectedProjection(projection: StreamedProjection, selected: Uint32Array): SampledProjection {
  const points = new Float64Array(selected.length * 2);
  selected.forEach((k, i) => {
    points[2 * i] = projection.candidates[2 * k]!;
    points[2 * i + 1] = projection.candidates[2 * k + 1]!;
  });
  return { rows: projection.rows, explained: projection.explained, shown: projection.shown, selected: points };
}
