#!/usr/bin/env bash
# Side-by-side benchmark: this registry (Release, embedded SQLite + filesystem) against CNCF distribution
# (Debian's docker-registry 2.8.2, filesystem, no auth), both on loopback in temp directories, every
# workload against both in one run (alternating), one table with both figures and the ratio ours/distribution.
#
#   bench/run.sh                 full run (~15–25 min on 2 cores); table also written to bench/results/
#   bench/run.sh --smoke         a tiny round of every workload (CI: < 3 min, non-zero exit on any error)
#   bench/run.sh --only a,b …    any other flag is passed to registry-bench (see its --help text)
#   OURS_ONLY=1 / DIST_ONLY=1    run against one server only
#   OURS_DLL=…/Registry.Api.dll  run an already built registry instead of publishing this checkout's
#   DIST_API_SEED=1              seed distribution's large listings through its API (slow: bounded by
#                                --seed-budget) instead of cloning the first entry's files on its disk
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

work=$(mktemp -d /tmp/registry-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { # url pid log
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "$1/v2/" && return 0
    kill -0 "$2" 2>/dev/null || { echo "server behind $1 exited:" >&2; tail -n 30 "$3" >&2; return 1; }
    sleep 0.1
  done
  echo "server behind $1 never answered /v2/" >&2; tail -n 30 "$3" >&2; return 1
}

echo "== building (Release)" >&2
dotnet build bench/Registry.Bench -c Release -nologo -v quiet -o "$work/bench-bin" >&2
targets=(); pid_args=()

if [ -z "${DIST_ONLY:-}" ]; then
  ours_dll=${OURS_DLL:-$work/ours-bin/Registry.Api.dll}
  # The smoke round (CI) only checks that the script works: skip ReadyToRun, which adds minutes of crossgen.
  publish_args=(); case " $* " in *" --smoke "*) publish_args+=(-p:PublishReadyToRun=false) ;; esac
  [ -n "${OURS_DLL:-}" ] || dotnet publish Registry.Api -c Release -nologo -v quiet -o "$work/ours-bin" "${publish_args[@]}" >&2
  ours_port=$(free_port); mkdir -p "$work/ours-data"
  (cd "$work/ours-data" && exec dotnet "$ours_dll" --urls "http://127.0.0.1:$ours_port" \
     --Registry:DataDirectory="$work/ours-data" --Logging:LogLevel:Default=Warning \
     --Logging:LogLevel:Microsoft.AspNetCore=Warning >"$work/ours.log" 2>&1) &
  pids+=($!); ours_pid=$!
  wait_ready "http://127.0.0.1:$ours_port" "$ours_pid" "$work/ours.log"
  targets+=(--target "ours=http://127.0.0.1:$ours_port"); pid_args+=(--pid "ours=$ours_pid")
fi

if [ -z "${OURS_ONLY:-}" ]; then
  dist_port=$(free_port); mkdir -p "$work/dist-data"
  cat >"$work/distribution.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/dist-data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$dist_port
YAML
  docker-registry serve "$work/distribution.yml" >"$work/distribution.log" 2>&1 &
  pids+=($!); dist_pid=$!
  wait_ready "http://127.0.0.1:$dist_port" "$dist_pid" "$work/distribution.log"
  targets+=(--target "distribution=http://127.0.0.1:$dist_port"); pid_args+=(--pid "distribution=$dist_pid")
  [ -n "${DIST_API_SEED:-}" ] || pid_args+=(--distribution-root "distribution=$work/dist-data")
fi

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), Linux $(uname -r),"\
" $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); distribution $(docker-registry --version | awk '{print $3}')"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== machine: $machine; load average $load_before" >&2
mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
status=0
"$work/bench-bin/registry-bench" "${targets[@]}" "${pid_args[@]}" \
  --markdown "$work/table.md" --json "$work/results.json" "$@" || status=$?
printf '\n%s; load average %s before, %s after; %s\n' "$machine" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" \
  "$(date -u +%Y-%m-%dT%H:%MZ)" | tee -a "$work/table.md"
case " $* " in *" --smoke "*) ;; *) cp "$work/table.md" "bench/results/$stamp.md"; cp "$work/results.json" "bench/results/$stamp.json"
  echo "== table written to bench/results/$stamp.md" >&2 ;; esac
if [ "$status" -ne 0 ]; then
  echo "== registry-bench reported errors (exit $status); server logs follow" >&2
  for log in "$work"/*.log; do echo "--- $log" >&2; tail -n 20 "$log" >&2; done
fi
exit "$status"
