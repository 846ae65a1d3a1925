#!/usr/bin/env bash
# Side by side: `buildah bud --runtime runc` against `runtime-agent build` on the same recipe and context
# (FROM scratch + busybox, so nothing is downloaded). Prints the median wall time of N full builds
# (no cache) for each, and of N fully cached rebuilds of ours. Run as root on an otherwise idle machine.
#   AGENT=/path/to/runtime-agent N=5 N_CACHED=21 bash bench/build.sh
set -euo pipefail
AGENT=${AGENT:?set AGENT to the published runtime-agent binary}
N=${N:-5}
N_CACHED=${N_CACHED:-21} # cached rebuilds are short: more runs for a stable median
work=$(mktemp -d /tmp/bench-build-XXXXXX)
trap 'buildah rm --all >/dev/null 2>&1 || true; buildah rmi bench-build >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

mkdir -p "$work/ctx/files"
cp /bin/busybox "$work/ctx/busybox"
for i in $(seq 1 20); do head -c 4096 /dev/urandom > "$work/ctx/files/f$i"; done
cat > "$work/ctx/Dockerfile" <<'RECIPE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV APP=/app
WORKDIR /app
COPY files/ ./files/
RUN mkdir -p /gone/deep && echo x > /gone/deep/f && echo built > /app/built.txt
RUN rm -rf /gone && echo changed >> /app/built.txt
CMD ["/bin/sh", "-c", "cat /app/built.txt"]
RECIPE

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# bash's own clock, not `date`: forking date would add its own start-up (several ms here) to every sample.
ms() { local s e; s=${EPOCHREALTIME/./}; "$@" >/dev/null 2>&1; e=${EPOCHREALTIME/./}; echo $(( (e - s) / 1000 )); }

buildah_full=$(for _ in $(seq "$N"); do ms buildah bud --runtime runc --layers=false --no-cache -t bench-build "$work/ctx"; done | median)
ours_full=$(for _ in $(seq "$N"); do ms "$AGENT" --root "$work/root" build --no-cache -t localhost:5000/bench/build:1 "$work/ctx"; done | median)
# buildah's builds leave dirty pages behind; flush them so their writeback does not land in our short runs.
sync
ours_cached=$(for _ in $(seq "$N_CACHED"); do ms "$AGENT" --root "$work/root" build -t localhost:5000/bench/build:1 "$work/ctx"; done | median)

echo "buildah bud (runc), full build:   ${buildah_full} ms"
echo "runtime-agent build, full build:  ${ours_full} ms ($(awk -v a="$ours_full" -v b="$buildah_full" 'BEGIN{printf "%.2f", a/b}')x buildah; target <= 0.5x)"
echo "runtime-agent build, all cached:  ${ours_cached} ms (target <= 50 ms)"
