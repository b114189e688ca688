/**
 * The report's names for the strategies' figures (Selection.details keys, which stay as they
 * are in the metadata): what a data scientist would call them. A key without a name here is
 * shown with its camelCase split into words.
 */
const NAMES: Record<string, string> = {
  distanceEvaluations: "distances measured",
  plainGreedyEvaluations: "distances the textbook greedy loop would measure (picks × rows)",
  plainEvaluations: "distances textbook k-means++ would measure (picks × rows)",
  seedCenters: "starting centers (labelled and excluded rows)",
  rowsScreenedByProjection: "distances bounded from principal coordinates before measuring",
  screeningStages: "screening stages (principal coordinates, precision)",
  rowsPerScreeningStage: "rows bounded at each screening stage",
  localityOrder: "rows reordered in memory for speed (never changes the selection)",
  stoppedEarlyAt: "stopped early: largest distance left (MIN_DISTANCE)",
  rowsPassing: "rows passing the threshold",
  threshold: "threshold (what decided which rows pass)",
  trees: "trees",
  clusters: "k-means clusters",
  candidates: "candidate rows",
  clustersWithCandidates: "clusters holding a candidate",
  clustersUsed: "clusters the batch draws from",
  rounds: "round-robin rounds",
  sampleRows: "rows k-means was fitted on",
  lloydIterations: "k-means (Lloyd) iterations",
  lloydConverged: "k-means converged",
  objectives: "objectives",
};

export function figureName(key: string): string {
  return NAMES[key] ?? key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}
