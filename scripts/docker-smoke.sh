#!/usr/bin/env bash
# Builds the processing image and runs it exactly as SageMaker Processing does: no network,
# channels mounted under /opt/ml/processing/..., parameters in the environment,
# `--job_type ssl_selection` as the argument, a two-host resourceconfig.json (a map step on each
# host's shard, then `--job_type merge`), and a failing run that must write /opt/ml/output/message.
# Starts Debian's docker.io daemon when none is running (scripts/ensure-docker.sh).
#
# Usage: scripts/docker-smoke.sh BINARY   (make docker-smoke builds the binary first)
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BINARY" >&2; exit 2; }
binary=$1
image=active-sampling:smoke
example=examples/fashion_mnist/pool/pool.csv.gz

scripts/ensure-docker.sh
scripts/docker-base.sh
docker build -q --build-arg BINARY="$binary" -t "$image" . >/dev/null
echo "docker-smoke: built $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Two shards of the example pool, as ShardedByS3Key hands them to two instances.
mkdir -p "$work/whole" "$work/algo-1" "$work/algo-2" "$work/candidates" "$work/merged" "$work/single" "$work/messages"
zcat "$example" > "$work/whole/pool.csv"
head -1 "$work/whole/pool.csv" | tee "$work/algo-1/part-0.csv" > "$work/algo-2/part-1.csv"
tail -n +2 "$work/whole/pool.csv" | awk -v a="$work/algo-1/part-0.csv" -v b="$work/algo-2/part-1.csv" '{ print >> (NR % 2 ? a : b) }'

# Runs the image as a processing job: CHANNEL is the inference_data channel, OUT the output,
# HOST the current host of a resourceconfig naming HOSTS (comma-separated).
run_job() {
  local channel=$1 out=$2 host=$3 hosts=$4; shift 4
  mkdir -p "$work/config-$host"
  printf '{"current_host": "%s", "hosts": [%s]}\n' "$host" "$(echo "$hosts" | sed 's/[^,]*/"&"/g')" > "$work/config-$host/resourceconfig.json"
  docker run --rm --network none \
    -v "$channel:/opt/ml/processing/input/inference_data:ro" \
    -v "$out:/opt/ml/processing/output/selected_samples" \
    -v "$work/config-$host:/opt/ml/config:ro" \
    -v "$work/messages:/opt/ml/output" \
    -e STRATEGY=uncertainty -e BATCH_SIZE=50 -e QUIET=true "$@" "$image" --job_type ssl_selection
}

run_job "$work/whole" "$work/single" algo-1 algo-1
for host in algo-1 algo-2; do run_job "$work/$host" "$work/candidates" "$host" algo-1,algo-2; done
docker run --rm --network none -v "$work/candidates:/opt/ml/processing/input/inference_data:ro" \
  -v "$work/merged:/opt/ml/processing/output/selected_samples" -v "$work/messages:/opt/ml/output" \
  -e STRATEGY=uncertainty -e BATCH_SIZE=50 -e QUIET=true "$image" --job_type merge

field() { node -e "const m = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')); console.log(process.argv[2].split('.').reduce((v, k) => v?.[k], m))" "$@"; }
for dir in single candidates/algo-1 candidates/algo-2 merged; do
  [ -s "$work/$dir/selected_samples.csv" ] || { echo "docker-smoke: no $dir/selected_samples.csv" >&2; exit 1; }
done
[ "$(field "$work/single/selection_metadata.json" job_type)" = ssl_selection ] || { echo "docker-smoke: job_type not recorded" >&2; exit 1; }
[ "$(field "$work/single/selection_metadata.json" blas.backend)" = openblas ] || { echo "docker-smoke: OpenBLAS did not load in the image" >&2; exit 1; }
# Uncertainty merges exactly: the two-host selection is the one-process selection.
ids() { cut -d, -f1 "$1"; }
cmp <(ids "$work/single/selected_samples.csv") <(ids "$work/merged/selected_samples.csv") || { echo "docker-smoke: merged selection differs from one process" >&2; exit 1; }
[ ! -e "$work/messages/message" ] || { echo "docker-smoke: a successful run wrote a failure message" >&2; exit 1; }

# A failing job: its reason goes to /opt/ml/output/message, and nothing to the output.
mkdir -p "$work/failed"
if run_job "$work/whole" "$work/failed" algo-1 algo-1 -e BATCH_SIZE=many 2>/dev/null; then echo "docker-smoke: BATCH_SIZE=many did not fail" >&2; exit 1; fi
grep -q "usage error: env BATCH_SIZE" "$work/messages/message" || { echo "docker-smoke: no failure message" >&2; cat "$work/messages/message" >&2 || true; exit 1; }
[ -z "$(ls -A "$work/failed")" ] || { echo "docker-smoke: a failed run left output" >&2; exit 1; }
echo "docker-smoke: ok (one host, two hosts + merge identical to one, failure message: $(cat "$work/messages/message"))"
