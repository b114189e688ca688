#!/usr/bin/env bash
# Runs the linux-arm64 binary under qemu-user and checks that it loads the arm64 OpenBLAS and
# selects byte for byte what the x86_64 binary selects, on two pools:
# - the bundled example (3,000 rows of 32 columns);
# - 21,000 generated rows of 256 columns on two threads: the locality order and the projected
#   bounds, whose products every thread runs itself (its workers open the arm64 OpenBLAS).
#
# Usage: scripts/arm64-smoke.sh X86_64_BINARY ARM64_BINARY OUTDIR
# Needs (`make setup-arm64` installs them): qemu-user-static, libc6:arm64 and
# libopenblas0-pthread:arm64 (Debian multiarch, so the arm64 loader is /lib/ld-linux-aarch64.so.1
# and no -L sysroot is needed), and OpenBLAS for the host. qemu is called explicitly
# (QEMU_ARM64, default qemu-aarch64-static): no binfmt registration is assumed.
#
# What must match: selected_samples.csv byte for byte; selection_metadata.json and
# selection_report.html except the timings, the workers' share of split chunks and the OpenBLAS
# library path, which name the machine and its timing, not the selection. The distances that
# decide a selection come from one WebAssembly kernel with deterministic semantics, and the GEMM
# screens only skip work, so the CPU must not change the output.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 X86_64_BINARY ARM64_BINARY OUTDIR" >&2; exit 2; }
native=$1 arm64=$2 out=$3
qemu=${QEMU_ARM64:-qemu-aarch64-static}
example=examples/fashion_mnist

[ "$(uname -m)" = x86_64 ] || { echo "arm64-smoke compares against the x86_64 binary and runs on x86_64 hosts only." >&2; exit 2; }
command -v "$qemu" >/dev/null || { echo "$qemu not found: run make setup-arm64 (qemu-user-static)." >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out"
seconds() { local start=$1; echo "$(( ($(date +%s%N) - start) / 1000000 )) ms"; }

# One pool: both binaries with the same arguments (and THREADS), then the comparison. `work`:
# "same" where no GEMM shapes the screens (the counts of rows screened and measured must match
# too), "may-differ" where one does: each architecture's OpenBLAS rounds its products its own way,
# which moves a few rows between screening stages but never a selected row.
compare_on() {
  local name=$1 threads=$2 work=$3; shift 3
  local start
  start=$(date +%s%N)
  THREADS=$threads "$native" "$@" --blas openblas --quiet --output "$out/$name/x86_64"
  echo "$name, x86_64: $(seconds "$start")"
  start=$(date +%s%N)
  THREADS=$threads "$qemu" "$arm64" "$@" --blas openblas --quiet --output "$out/$name/arm64"
  echo "$name, arm64 under qemu: $(seconds "$start")"
  node - "$out/$name" "$name" "$work" <<'JS'
const fs = require("node:fs"), path = require("node:path");
const [out, name, work] = process.argv.slice(2);
const read = (arch, file) => fs.readFileSync(path.join(out, arch, file));
const failures = [];

if (!read("x86_64", "selected_samples.csv").equals(read("arm64", "selected_samples.csv"))) failures.push("selected_samples.csv differs");

const meta = (arch) => JSON.parse(read(arch, "selection_metadata.json"));
const [x86, arm] = [meta("x86_64"), meta("arm64")];
if (arm.blas.backend !== "openblas" || !arm.blas.library.includes("aarch64-linux-gnu")) {
  failures.push(`arm64 run did not load the arm64 OpenBLAS: ${JSON.stringify(arm.blas)}`);
}
// The share of split scans' chunks the workers ran is timing too: it depends on how fast each woke.
const workCounts = ["distanceEvaluations", "rowsScreenedByProjection", "rowsPerScreeningStage"];
const details = (m) => work === "same" ? m.strategy_details : Object.fromEntries(Object.entries(m.strategy_details ?? {}).filter(([key]) => !workCounts.includes(key)));
const comparable = (m) => JSON.stringify({ ...m, timings_ms: null, blas: { ...m.blas, library: null }, threads: { ...m.threads, worker_share: null }, strategy_details: details(m) });
if (comparable(x86) !== comparable(arm)) failures.push(`selection_metadata.json differs beyond timings, the workers' share and the library path${work === "same" ? "" : " (and the screens' work counts)"}`);

// The report embeds the metadata (HTML-escaped): drop the same machine-specific values. Where
// the work counts may differ, the report (which draws them) is left to the first pool.
const report = (arch) => read(arch, "selection_report.html").toString("utf8")
  .replace(/&quot;library&quot;: &quot;[^&]*&quot;/g, "LIBRARY")
  .replace(/&quot;worker_share&quot;: [\d.]+|&quot;worker_share&quot;: null/g, "WORKER_SHARE")
  .replace(/&quot;(\w+Ms)&quot;: \d+/g, "$1");
if (work === "same" && report("x86_64") !== report("arm64")) failures.push("selection_report.html differs beyond timings, the workers' share and the library path");

if (failures.length > 0) { console.error(`arm64 smoke FAILED on ${name}:\n  ` + failures.join("\n  ")); process.exit(1); }
console.log(`arm64 smoke, ${name}: ok (${arm.selected_count} of ${arm.pool_size} rows, ${arm.threads.count} thread(s); selected_samples.csv identical; arm64 used ${arm.blas.library})`);
JS
}

compare_on example 2 same --strategy diversity --batch-size 50 --input "$example/pool" --labeled "$example/labeled"

# 21,000 rows of 256 columns around 30 centers, 4 classes (a seeded generator: the same bytes on every run).
mkdir -p "$out/wide-pool"
node - "$out/wide-pool/pool.csv" <<'JS'
const fs = require("node:fs");
const [file] = process.argv.slice(2);
let seed = 44;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
const rows = 21000, dim = 256, classes = 4;
const centers = Array.from({ length: 30 }, () => Array.from({ length: dim }, () => 4 * gaussian()));
const lines = ["id," + Array.from({ length: classes }, (_, c) => `prob_class_${c}`).join(",") + "," + Array.from({ length: dim }, (_, j) => `emb_${j}`).join(",")];
for (let r = 0; r < rows; r++) {
  const weights = Array.from({ length: classes }, () => Math.exp(3 * next())), total = weights.reduce((a, b) => a + b, 0);
  const center = centers[Math.floor(next() * centers.length)];
  lines.push(`r${r},` + weights.map((w) => (w / total).toFixed(6)).join(",") + "," + center.map((v) => (v + gaussian()).toFixed(4)).join(","));
}
fs.writeFileSync(file, lines.join("\n") + "\n");
JS
compare_on wide 2 may-differ --strategy diversity --batch-size 80 --input "$out/wide-pool" --no-save-report
