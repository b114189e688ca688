#!/usr/bin/env bash
# A running Docker daemon: Debian's docker.io, installed as root when missing, and started
# when none answers (its log: /tmp/active-sampling-dockerd.log).
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
if ! command -v dockerd >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "Docker is needed: apt-get install docker.io, as root" >&2; exit 1; }
  apt-get install -y -qq docker.io >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq docker.io >/dev/null; }
fi
echo "ensure-docker: starting dockerd (log: /tmp/active-sampling-dockerd.log)"
(dockerd >/tmp/active-sampling-dockerd.log 2>&1 &)
for _ in $(seq 60); do docker info >/dev/null 2>&1 && exit 0; sleep 1; done
echo "dockerd did not start; its log:" >&2; tail -20 /tmp/active-sampling-dockerd.log >&2; exit 1
