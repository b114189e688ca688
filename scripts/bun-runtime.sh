#!/usr/bin/env bash
# Writes bun's runtime for another platform to OUT, for
#   bun build --compile --target=bun-<platform> --compile-executable-path OUT
#
# Usage: scripts/bun-runtime.sh PLATFORM OUT      e.g. scripts/bun-runtime.sh linux-aarch64 .cache/bun-linux-aarch64
#
# The runtime is the npm package @oven/bun-PLATFORM, the one the `bun` package installs on that
# platform, from the npm registry through npm itself, at the version and sha512 that
# package-lock.json already pins for it (as an optional dependency of `bun`). After the first
# fetch npm's cache serves it, so later builds work offline. `npm install` refuses a package
# built for another CPU (EBADPLATFORM), so the tarball is fetched with `npm pack`, checked
# against the lockfile and unpacked here.
#
# Without --compile-executable-path, `bun build --target` downloads the same package into
# ~/.bun/install/cache on its own, unchecked against the lockfile; this script keeps the
# build's inputs pinned and visible.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 PLATFORM OUT (e.g. linux-aarch64 .cache/bun-linux-aarch64)" >&2; exit 2; }
platform=$1 out=$2
package="@oven/bun-$platform"

# The version and hash the lockfile pins, and the version of the bun that will compile.
read -r version integrity bun_version < <(node -e '
  const lock = require(process.argv[1]).packages;
  const entry = lock["node_modules/" + process.argv[2]];
  if (!entry) { console.error(`package-lock.json does not pin ${process.argv[2]}`); process.exit(1); }
  console.log(entry.version, entry.integrity, lock["node_modules/bun"].version);
' "$PWD/package-lock.json" "$package")
if [ "$version" != "$bun_version" ]; then
  echo "package-lock.json pins $package@$version but bun@$bun_version compiles; they must match." >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! npm pack --silent --prefer-offline --pack-destination "$tmp" "$package@$version" >/dev/null; then
  echo "could not fetch $package@$version from the npm registry (or npm's cache); the $platform binary needs it once." >&2
  exit 1
fi
tarball=$(echo "$tmp"/*.tgz)
actual=$(node -e 'const c = require("node:crypto"), f = require("node:fs");
  console.log("sha512-" + c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"));' "$tarball")
if [ "$actual" != "$integrity" ]; then
  echo "$package@$version: tarball hash $actual differs from package-lock.json's $integrity; not using it." >&2
  exit 1
fi
tar -xzf "$tarball" -C "$tmp" package/bin/bun
mkdir -p "$(dirname "$out")"
chmod 755 "$tmp/package/bin/bun"
mv "$tmp/package/bin/bun" "$out"
echo "$out: bun $version runtime for $platform ($package, sha512 checked against package-lock.json)"
