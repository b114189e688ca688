/** The `--help` text, generated from the parameter table so it cannot drift from the parser. */
import { PARAMS } from "./params.ts";
import { DATA_FILE_PATTERNS } from "../io/sniff.ts";
import { STRATEGIES } from "../strategies/catalog.ts";
import { VERSION } from "../version.ts";

export function usage(): string {
  const strategies = Object.entries(STRATEGIES)
    .map(([name, s]) => `  ${name.padEnd(22)} ${s.useCase === "ssl" ? "SSL" : "AL "}  ${s.summary}`).join("\n");
  const merges = Object.entries(STRATEGIES).map(([name, s]) => {
    const factor = s.merge.candidates(1, { clusterMarginCandidates: 0 });
    const promise = s.merge.exact ? "exact (same rows as one process)" : s.merge.kind === "core_set" ? "composable core-set (covering radius bounded)"
      : s.merge.kind === "oversampled" ? "weighted oversampling (approximate)"
      : s.merge.kind === "none" ? "refused: one instance only" : "exact candidates, approximate batch";
    return `  ${name.padEnd(22)} ${(factor === 0 ? "–" : factor === 1 ? "k" : `${factor}·k`).padEnd(6)} ${promise}`;
  }).join("\n");
  const params = PARAMS.map((p) => {
    const flag = p.kind.type === "bool" ? `--${p.flag} / --no-${p.flag}` : `--${p.flag} <v>`;
    const shown = p.default === "" ? "" : ` [default: ${p.default}]`;
    const values = p.kind.type === "choice" ? ` {${p.kind.values.join(", ")}}` : "";
    return `  ${flag.padEnd(34)} ${p.env.padEnd(22)} ${p.help}${values}${shown}`;
  }).join("\n");
  return `active-sampling ${VERSION}: choose the rows a model should pseudo-label (SSL) or a person should label (AL).

Usage:
  active-sampling --job_type <label> [flags]             processing container: reads /opt/ml/processing/input/inference_data,
                                                         writes /opt/ml/processing/output/selected_samples
  active-sampling --strategy <s> --input DIR --output DIR [flags]
  active-sampling inspect --input DIR                     what the data holds and which strategies it allows
  active-sampling --job_type merge --input PREFIX --output DIR
                                                         finish a multi-host run: select from every <host>/ folder's candidates
  active-sampling simulate --labeled DIR --output DIR [--input DIR --batch-size N --rounds N --simulation-seeds N]
                                                         which strategy fits these data: an offline active-learning loop with a
                                                         proxy model on rows already labelled; writes simulation.json and a report;
                                                         --input: unlabelled rows that shape the pool (never picked)
  active-sampling --help | --version

Strategies (SSL = semi-supervised pseudo-labels, AL = active learning):
${strategies}

Several hosts (map steps, then --job_type merge): candidates each host keeps for k = BATCH_SIZE, and the merge:
${merges}

Job type:
  --job_type LABEL   a free-form label for the job (e.g. ssl_selection, training), recorded in the metadata; the strategy
                     comes from STRATEGY/--strategy. A strategy name as the label selects that strategy when STRATEGY is
                     unset; with neither, the default is confidence_threshold. merge, inspect and simulate are reserved job types.

Paths:
  --input DIR        (required outside the container) inference outputs: every ${DATA_FILE_PATTERNS.join(", ")} in DIR and its
                     subdirectories (key=value folders become columns; _SUCCESS, .crc and other bookkeeping skipped), or one file
  --labeled DIR      labelled rows (id + the pool's vector columns): starting centers for diversity; never selected
                     (container: /opt/ml/processing/input/labeled_data when present)
  --calibration DIR  scored rows with their true label (TRUE_LABEL_FIELD): temperature scaling and TARGET_PRECISION
                     (container: /opt/ml/processing/input/calibration_data when present)
  --query DIR        rows to find more like (the pool's vector columns): hybrid's similarity objective
                     (container: /opt/ml/processing/input/query_data when present)
  --output DIR       (required outside the container) where selected_samples.{csv,parquet}, selection_metadata.json and selection_report.html go
                     (with several hosts, see --hosts: DIR/<host>/)
  --previous DIR     last round's inference output (same ids and score columns): Cohen's kappa between the two rounds'
                     predicted classes, a stopping signal (container: /opt/ml/processing/input/previous_predictions when present)
  --dry-run          read and check everything, print what would run, write nothing

Parameters (flag, environment variable; flags override the environment):
${params}

Examples:
  # XGBoost/LightGBM/PyTorch softmax outputs (id, prob_class_0..9, emb_*): 200 rows for labelling
  active-sampling --strategy badge --batch-size 200 --input preds/ --output out/
  # Bedrock batch inference with one confidence_score column: pseudo-label the sure ones
  active-sampling --strategy confidence_threshold --confidence-threshold 0.95 --input bedrock/ --output out/
  # Rule set with rule_score: the rows the rules are least sure of
  active-sampling --strategy uncertainty --uncertainty-mode entropy --input rules/ --output out/
  # SageMaker Processing
  STRATEGY=diversity BATCH_SIZE=500 METRIC=cosine active-sampling --job_type diversity

Exit codes: 0 success, 2 usage error (flags, env, config), 3 input data error, 4 internal error.
A failure's reason also goes to /opt/ml/output/message (SageMaker's ExitMessage) when /opt/ml/output exists.
`;
}
