#!/usr/bin/env bash
# Profiles this registry under one registry-bench workload: starts it (Release, embedded defaults, temp
# data dir, perf map enabled), drives WORKLOAD for SECONDS, and meanwhile records
#  - `perf record -g` of the server (JIT frames named through /tmp/perf-PID.map) → top symbols;
#  - `dotnet-counters collect` of System.Runtime and Kestrel → CPU, GC, allocation rate, thread pool.
# Output lands in bench/results/profile-WORKLOAD-*/.  Run as root.
#   bench/profile.sh manifest-get [SECONDS]      OURS_DLL=… uses an already built server
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${1:?usage: bench/profile.sh WORKLOAD [SECONDS]}; seconds=${2:-15}
work=$(mktemp -d /tmp/registry-profile.XXXXXX)
out="bench/results/profile-$workload-$(date -u +%Y%m%dT%H%M%SZ)"; mkdir -p "$out"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-counters >/dev/null || dotnet tool install -g dotnet-counters --version 10.0.750501 >&2

dotnet build bench/Registry.Bench -c Release -nologo -v quiet -o "$work/bench-bin" >&2
ours_dll=${OURS_DLL:-$work/ours-bin/Registry.Api.dll}
[ -n "${OURS_DLL:-}" ] || dotnet publish Registry.Api -c Release -nologo -v quiet -o "$work/ours-bin" >&2
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/data"
(cd "$work/data" && DOTNET_PerfMapEnabled=1 exec dotnet "$ours_dll" --urls "http://127.0.0.1:$port" \
   --Registry:DataDirectory="$work/data" --Logging:LogLevel:Default=Warning >"$work/ours.log" 2>&1) &
pids+=($!); server=$!
for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done

# Seed and warm up with a short round, then profile a long one.
"$work/bench-bin/registry-bench" --target "ours=http://127.0.0.1:$port" --only "$workload" --duration 2 >/dev/null
dotnet-counters collect -p "$server" --format csv -o "$out/counters.csv" --refresh-interval 1 \
  --counters System.Runtime,Microsoft.AspNetCore.Hosting,Microsoft-AspNetCore-Server-Kestrel >/dev/null 2>&1 &
pids+=($!)
perf record -F 499 -g -p "$server" -o "$work/perf.data" -- sleep "$seconds" >/dev/null 2>&1 &
perf_pid=$!
"$work/bench-bin/registry-bench" --target "ours=http://127.0.0.1:$port" --pid "ours=$server" --only "$workload" \
  --duration "$seconds" | tee "$out/table.md"
wait "$perf_pid" || true
perf report -i "$work/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' \
  | grep -E '^ +[0-9]' | head -60 >"$out/perf-top.txt" || true
perf report -i "$work/perf.data" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -15 >"$out/perf-dso.txt" || true
cp "$work/perf.data" "$out/perf.data" 2>/dev/null || true
echo "== perf: top shared objects"; cat "$out/perf-dso.txt"
echo "== perf: top symbols"; head -40 "$out/perf-top.txt"
echo "== written to $out"
