/**
 * A generated pool for the report tests: three Gaussian clusters in 8 dimensions, one class
 * each, with softmax probabilities from the distances to the cluster centres. The selection is
 * the `selectCount` rows of smallest margin (a margin-uncertainty pick), so it sits between the
 * clusters and its confidence histograms differ visibly from the pool's.
 */
import { typescriptBlas } from "../../ffi/typescript.ts";
import { pca2 } from "../../src/engine/pca.ts";
import type { ReportInput } from "../../src/report/report.ts";
import { Rng } from "../../src/rng.ts";

export interface GeneratedPool {
  vectors: Float64Array;
  dims: number;
  probs: Float64Array;
  classNames: string[];
  selected: Uint32Array;
  scores: Float64Array;
}



export function clusterPool(rows = 2000, selectCount = 50, seed = 1): GeneratedPool {
  const dims = 8;
  const classes = 3;
  const rng = new Rng(seed);
  const centres = [
    [4, 0, 0, 0, 1, 0, 0, 0],
    [-2, 3.5, 0, 0, 0, 1, 0, 0],
    [-2, -3.5, 0, 0, 0, 0, 1, 0],
  ];
  const vectors = new Float64Array(rows * dims);
  const probs = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const k = r % classes;
    for (let j = 0; j < dims; j++) vectors[r * dims + j] = centres[k]![j]! + 1.6 * rng.nextGaussian();
    // softmax(−distance²/4) over the centres
    const logits = centres.map((c) => {
      let d2 = 0;
      for (let j = 0; j < dims; j++) d2 += (vectors[r * dims + j]! - c[j]!) ** 2;
      return -d2 / 4;
    });
    const top = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - top));
    const sum = exps.reduce((a, b) => a + b, 0);
    exps.forEach((e, c) => (probs[r * classes + c] = e / sum));
  }
  const margins = Array.from({ length: rows }, (_, r) => {
    const p = Array.from(probs.subarray(r * classes, (r + 1) * classes)).sort((a, b) => b - a);
    return { r, margin: p[0]! - p[1]! };
  }).sort((a, b) => a.margin - b.margin || a.r - b.r);
  const picked = margins.slice(0, selectCount);
  return {
    vectors,
    dims,
    probs,
    classNames: ["cat", "dog", "bird"],
    selected: Uint32Array.from(picked, (p) => p.r),
    scores: Float64Array.from(picked, (p) => 1 - p.margin),
  };
}

/** A full ReportInput for the generated pool, PCA included. */
export function clusterReportInput(rows = 2000, selectCount = 50): ReportInput {
  const pool = clusterPool(rows, selectCount);
  return {
    title: `active-sampling: uncertainty (margin), ${selectCount} of ${rows.toLocaleString("en-US")} rows`,
    metadata: {
      strategy: "uncertainty",
      measure: "margin",
      n: selectCount,
      seed: 1,
      blas: { backend: "typescript", library: null },
      inputs: { probs: "pool.csv", columns: ["p_cat", "p_dog", "p_bird"] },
    },
    classNames: pool.classNames,
    probs: pool.probs,
    selected: pool.selected,
    selectionScores: pool.scores,
    projection: pca2({ data: pool.vectors, rows, cols: pool.dims }, typescriptBlas),
    ids: Array.from({ length: rows }, (_, i) => `img-${String(i).padStart(5, "0")}`),
    sections: [{ heading: "Filters", rows: [["exclude_ids", "labelled.csv (120 ids)"], ["min_max_prob", "none"]] }],
  };
}
