/**
 * The strategy configurations `simulate` compares: random as the baseline, every
 * active-learning strategy of the catalog that runs on vectors and probabilities, and the
 * knobs users turn most (class balance, MIN_DISTANCE, a margin × diversity hybrid).
 * leaf_coreset is left out: the proxy model has no GBDT leaves. typiclust and probcover (the
 * cold-start strategies, which need no model) run only when SIMULATE_STRATEGIES names them:
 * each round they cluster or cover the whole pool again, which on 10,000 labelled rows costs
 * more than the other nine configurations together, and grows with --input's rows.
 *
 * `simplicity` orders the configurations for the recommendation: among those no better
 * than noise apart, the simplest is recommended (fewest knobs, cheapest to run).
 */
import { STRATEGIES } from "../strategies/catalog.ts";
import { parseSelectionConfig, type SelectionConfig } from "../strategies/selection-config.ts";
import type { StrategyOptions } from "../strategies/strategy.ts";

export interface Candidate {
  /** Key in simulation.json and on the report. */
  name: string;
  /** The environment that reproduces it in a real run. */
  settings: string;
  /** "random" or a catalog strategy name. */
  strategy: string;
  /** Options that differ from the plain strategy's. */
  options: Partial<Pick<StrategyOptions, "uncertaintyMode" | "metric" | "minDistance">>;
  classBalance: "none" | "uniform";
  selectionConfig: SelectionConfig | null;
  /** Lower = simpler; breaks ties between configurations noise cannot tell apart. */
  simplicity: number;
  /** Runs when SIMULATE_STRATEGIES is empty; false: only when named. */
  byDefault: boolean;
  /**
   * What the unlabelled --input rows do in this configuration (the catalog's poolShape), or
   * null when they play no part: the configuration then runs without them.
   */
  poolShape: string | null;
}

export const RANDOM = "random";

const HYBRID_CONFIG = '{"objectives": [{"type": "uncertainty", "mode": "margin", "strength": 1}, {"type": "diversity", "strength": 1}]}';

/** Every configuration, simplest first; `minDistance` is the MIN_DISTANCE the knob is tried at. */
export function candidates(minDistance: number): Candidate[] {
  const plain = { classBalance: "none" as const, selectionConfig: null, byDefault: true };
  // Rounded before use, so the settings line reproduces exactly what ran.
  const apart = round(minDistance);
  const all: Omit<Candidate, "poolShape">[] = [
    { name: RANDOM, settings: "(random draw)", strategy: RANDOM, options: {}, ...plain, simplicity: 0 },
    { name: "margin", settings: "STRATEGY=uncertainty UNCERTAINTY_MODE=margin", strategy: "uncertainty", options: { uncertaintyMode: "margin" }, ...plain, simplicity: 1 },
    { name: "entropy", settings: "STRATEGY=uncertainty UNCERTAINTY_MODE=entropy", strategy: "uncertainty", options: { uncertaintyMode: "entropy" }, ...plain, simplicity: 2 },
    { name: "coreset_cosine", settings: "STRATEGY=diversity METRIC=cosine", strategy: "diversity", options: { metric: "cosine" }, ...plain, simplicity: 3 },
    { name: "coreset_euclidean", settings: "STRATEGY=diversity METRIC=euclidean", strategy: "diversity", options: { metric: "euclidean" }, ...plain, simplicity: 4 },
    { name: "margin_uniform_balance", settings: "STRATEGY=uncertainty CLASS_BALANCE=uniform", strategy: "uncertainty", options: { uncertaintyMode: "margin" }, classBalance: "uniform", selectionConfig: null, byDefault: true, simplicity: 5 },
    { name: "margin_min_distance", settings: `STRATEGY=uncertainty MIN_DISTANCE=${apart}`, strategy: "uncertainty", options: { uncertaintyMode: "margin", minDistance: apart }, ...plain, simplicity: 6 },
    { name: "badge", settings: "STRATEGY=badge", strategy: "badge", options: {}, ...plain, simplicity: 7 },
    { name: "cluster_margin", settings: "STRATEGY=cluster_margin", strategy: "cluster_margin", options: {}, ...plain, simplicity: 8 },
    { name: "hybrid_margin_diversity", settings: `STRATEGY=hybrid SELECTION_CONFIG='${HYBRID_CONFIG}'`, strategy: "hybrid", options: {}, classBalance: "none", selectionConfig: parseSelectionConfig(HYBRID_CONFIG), byDefault: true, simplicity: 9 },
    { name: "typiclust", settings: "STRATEGY=typiclust", strategy: "typiclust", options: {}, ...plain, byDefault: false, simplicity: 10 },
    { name: "probcover", settings: "STRATEGY=probcover", strategy: "probcover", options: {}, ...plain, byDefault: false, simplicity: 11 },
  ];
  return all.map((c) => ({ ...c, poolShape: c.strategy === RANDOM ? null : STRATEGIES[c.strategy]!.poolShape(c.selectionConfig) }));
}

/** A distance as the settings line shows it: four significant digits. */
function round(x: number): number {
  return Number(x.toPrecision(4));
}
