#!/usr/bin/env bash
# Runs the linux-arm64 binary under qemu-user on the bundled example and checks that it loads
# the arm64 OpenBLAS and selects byte for byte what the x86_64 binary selects.
#
# Usage: scripts/arm64-smoke.sh X86_64_BINARY ARM64_BINARY OUTDIR
# Needs (`make setup-arm64` installs them): qemu-user-static, libc6:arm64 and
# libopenblas0-pthread:arm64 (Debian multiarch, so the arm64 loader is /lib/ld-linux-aarch64.so.1
# and no -L sysroot is needed), and OpenBLAS for the host. qemu is called explicitly
# (QEMU_ARM64, default qemu-aarch64-static): no binfmt registration is assumed.
#
# What must match: selected_samples.csv byte for byte; selection_metadata.json and
# selection_report.html except the timings, the workers' share of split chunks and the OpenBLAS
# library path, which name the machine and its timing, not the selection. The distances that decide a selection come from one WebAssembly
# kernel with deterministic semantics, and the GEMM screens only skip work, so the CPU must not
# change the output.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 X86_64_BINARY ARM64_BINARY OUTDIR" >&2; exit 2; }
native=$1 arm64=$2 out=$3
qemu=${QEMU_ARM64:-qemu-aarch64-static}
example=examples/fashion_mnist
args=(--strategy diversity --batch-size 50 --input "$example/pool" --labeled "$example/labeled" --blas openblas --quiet)

[ "$(uname -m)" = x86_64 ] || { echo "arm64-smoke compares against the x86_64 binary and runs on x86_64 hosts only." >&2; exit 2; }
command -v "$qemu" >/dev/null || { echo "$qemu not found: run make setup-arm64 (qemu-user-static)." >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out"
seconds() { local start=$1; echo "$(( ($(date +%s%N) - start) / 1000000 )) ms"; }

start=$(date +%s%N)
"$native" "${args[@]}" --output "$out/x86_64"
echo "x86_64: $(seconds "$start")"
start=$(date +%s%N)
"$qemu" "$arm64" "${args[@]}" --output "$out/arm64"
echo "arm64 under qemu: $(seconds "$start")"

node - "$out" <<'JS'
const fs = require("node:fs"), path = require("node:path");
const out = process.argv[2];
const read = (arch, name) => fs.readFileSync(path.join(out, arch, name));
const failures = [];

if (!read("x86_64", "selected_samples.csv").equals(read("arm64", "selected_samples.csv"))) failures.push("selected_samples.csv differs");

const meta = (arch) => JSON.parse(read(arch, "selection_metadata.json"));
const [x86, arm] = [meta("x86_64"), meta("arm64")];
if (arm.blas.backend !== "openblas" || !arm.blas.library.includes("aarch64-linux-gnu")) {
  failures.push(`arm64 run did not load the arm64 OpenBLAS: ${JSON.stringify(arm.blas)}`);
}
// The share of split scans' chunks the workers ran is timing too: it depends on how fast each woke.
const comparable = (m) => JSON.stringify({ ...m, timings_ms: null, blas: { ...m.blas, library: null }, threads: { ...m.threads, worker_share: null } });
if (comparable(x86) !== comparable(arm)) failures.push("selection_metadata.json differs beyond timings, the workers' share and the library path");

// The report embeds the metadata (HTML-escaped): drop the same machine-specific values.
const report = (arch) => read(arch, "selection_report.html").toString("utf8")
  .replace(/&quot;library&quot;: &quot;[^&]*&quot;/g, "LIBRARY")
  .replace(/&quot;worker_share&quot;: [\d.]+|&quot;worker_share&quot;: null/g, "WORKER_SHARE")
  .replace(/&quot;(\w+Ms)&quot;: \d+/g, "$1");
if (report("x86_64") !== report("arm64")) failures.push("selection_report.html differs beyond timings, the workers' share and the library path");

if (failures.length > 0) { console.error("arm64 smoke FAILED:\n  " + failures.join("\n  ")); process.exit(1); }
console.log(`arm64 smoke: ok (${arm.selected_count} of ${arm.pool_size} rows; selected_samples.csv identical; arm64 used ${arm.blas.library})`);
JS
