#!/usr/bin/env bash
# Side by side in one run: `buildah bud --runtime runc` against `runtime-agent build` on the same multi-stage recipe
# and context (FROM scratch + the host's busybox, so nothing is downloaded): a base stage, two independent stages
# (builder, docs) and a final stage copying from both (COPY --from, WORKDIR, several layers per stage).
#  1. full build, no cache (buildah --layers --no-cache vs ours --no-cache);       target ours <= 0.3x buildah
#  2. rebuild after changing one file of the final stage (both with their layer caches): ours must re-run only the
#     steps after the COPY of that file (checked from its output);
#  3. fully cached rebuild (buildah --layers vs ours);                               target ours <= 50 ms
# Runs alternate (buildah, ours) so both see the same machine state; medians and ratios are printed.
# Run as root on an otherwise idle machine. `bench/build.sh --smoke` does one tiny round; N=… overrides the count.
# RUNTIME_AGENT_PATH=… uses an already published agent instead of publishing one.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0; [ "${1:-}" = "--smoke" ] && smoke=1
n=${N:-$([ $smoke = 1 ] && echo 1 || echo 7)}
files=$([ $smoke = 1 ] && echo 5 || echo 200)
work=$(mktemp -d /tmp/bench-build.XXXXXX)
tag=bench-build-$$
cleanup() {
  buildah rmi -f "localhost/$tag" >/dev/null 2>&1 || true
  buildah rm --all >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "== $*" >&2; }
mark() { local t=${EPOCHREALTIME/./}; printf -v "$1" '%s' "$t"; } # µs, bash's own clock (no fork)
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) exit 1; print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3fx", a/b}'; }
ms() { awk -v us="$1" 'BEGIN {printf "%.1f", us/1000}'; }

agent=${RUNTIME_AGENT_PATH:-}
if [ -z "$agent" ]; then
  log "publishing runtime-agent (NativeAOT)"
  dotnet publish runtime-agent -c Release -nologo -v quiet -o "$work/agent-bin" >&2
  agent="$work/agent-bin/runtime-agent"
fi

ctx=$work/ctx
mkdir -p "$ctx/lib" "$ctx/app" "$ctx/docs" "$ctx/final"
cp /bin/busybox "$ctx/busybox"
for i in $(seq 1 "$files"); do
  head -c 8192 /dev/urandom >"$ctx/lib/l$i"; head -c 2048 /dev/urandom >"$ctx/app/a$i"
  head -c 1024 /dev/urandom >"$ctx/docs/d$i"; head -c 512 /dev/urandom >"$ctx/final/f$i"
done
cat >"$ctx/Dockerfile" <<'RECIPE'
FROM scratch AS base
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]

FROM base AS builder
WORKDIR /src
COPY lib/ ./lib/
RUN mkdir -p /out && sha256sum lib/* > /out/lib.sums
COPY app/ ./app/
RUN cat app/* | sha256sum > /out/app.sum && tar -cf /out/app.tar app

FROM base AS docs
COPY docs/ /docs/
RUN wc -c /docs/* > /docs.count

FROM base
COPY --from=builder /out/ /app/
COPY --from=docs /docs.count /app/
COPY final/ /app/final/
RUN ls -lR /app > /app/manifest.txt
CMD ["cat", "/app/manifest.txt"]
RECIPE
steps=14 # FROM lines included: what ours prints as STEP k/N

ours() { "$agent" --root "$work/root" build -t "localhost:5000/bench/$tag:1" "$@" "$ctx"; }
theirs() { buildah bud --runtime runc --layers -q -t "$tag" "$@" "$ctx"; }
# sample NAME CMD…: appends the wall time in µs to $work/NAME; the command's output goes to $work/NAME.out
sample() { local name=$1 s e; shift; mark s; "$@" >"$work/$name.out" 2>&1 || { cat "$work/$name.out" >&2; exit 1; }; mark e; echo $((e - s)) >>"$work/$name"; }
touch_final() { head -c 512 /dev/urandom >"$ctx/final/f1"; }

log "warming up (one build each: page cache, buildah's storage)"
sample warm-theirs theirs --no-cache; sample warm-ours ours --no-cache
for i in $(seq 1 "$n"); do
  log "round $i/$n"
  sync
  sample full-theirs theirs --no-cache
  sample full-ours ours --no-cache
  touch_final; sync
  sample changed-theirs theirs
  touch_final; sync
  sample changed-ours ours
  executed=$(grep -c '^--> sha256' "$work/changed-ours.out" || true)
  cached=$(grep -c '^--> CACHED' "$work/changed-ours.out" || true)
  # Only COPY final/ and the RUN after it may run again.
  [ "$executed" = 2 ] || { echo "a one-file change re-ran $executed steps (expected 2; $cached cached)" >&2; cat "$work/changed-ours.out" >&2; exit 1; }
  sync
  sample cached-theirs theirs
  sample cached-ours ours
  grep -q '^--> sha256' "$work/cached-ours.out" && { echo "a cached rebuild ran a step" >&2; exit 1; }
done

row() {
  local what=$1 a b; a=$(median <"$work/$2-theirs"); b=$(median <"$work/$2-ours")
  printf '%-38s %10s ms %10s ms %8s  %s\n' "$what" "$(ms "$a")" "$(ms "$b")" "$(ratio "$b" "$a")" "$3"
}
echo "multi-stage recipe: $steps steps, 4 stages, $((files * 4)) context files; median of $n rounds"
printf '%-38s %13s %13s %8s\n' "" "buildah bud" "runtime-agent" "ratio"
row "full build (no cache)" full "target <= 0.30x"
row "one final-stage file changed" changed "ours re-ran 2 steps"
row "fully cached rebuild" cached "target ours <= 50 ms"
