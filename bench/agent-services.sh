#!/usr/bin/env bash
# Detached containers and published ports, side by side in one run (issue #18's targets):
#  1. `runtime-agent run -d IMG /bin/true` (returns once the container runs under its monitor) vs a foreground
#     `runtime-agent run IMG /bin/true`, N runs each, alternating (the container is removed after each -d run,
#     outside the timing); medians and the ratio (target ≤ 1.2×);
#  2. throughput of a published port: SIZE bytes sent by socat on the host to a sink (busybox `nc -ll -e dd`, 1 MiB
#     reads) through `run -d -p` (the agent's user-space proxy into the container's network namespace), vs the same
#     sink on the host behind `socat TCP-LISTEN,fork TCP:` doing the same forwarding, vs the sink reached directly
#     (the ceiling of this client and sink); M transfers each, alternating; median GiB/s and agent/socat (target: the
#     agent ≥ 1 GiB/s).
# Run as root on a quiet machine. `--smoke` does a tiny round (3 runs, 64 MiB transfers) to check that it works;
# RUNS=N, TRANSFERS=M, SIZE_MIB=S override. RUNTIME_AGENT_PATH=… uses an already published agent.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0; [ "${1:-}" = "--smoke" ] && smoke=1
runs=${RUNS:-$([ $smoke = 1 ] && echo 3 || echo 50)}
transfers=${TRANSFERS:-$([ $smoke = 1 ] && echo 2 || echo 10)}
size_mib=${SIZE_MIB:-$([ $smoke = 1 ] && echo 64 || echo 4096)}

work=$(mktemp -d /tmp/agent-services-bench.XXXXXX)
pids=()
agent_root="$work/agent-root"
cleanup() {
  [ -n "${agent:-}" ] && "$agent" --root "$agent_root" rm -f benchsink >/dev/null 2>&1 || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "== $*" >&2; }
source "$(dirname "$0")/lib/timing.sh" # mark, median, ms, ratio
gibps() { awk -v ns="$1" -v mib="$size_mib" 'BEGIN {printf "%.2f", (mib/1024)/(ns/1e9)}'; }
source "$(dirname "$0")/lib/agent-images.sh"
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }

agent=${RUNTIME_AGENT_PATH:-}
if [ -z "$agent" ]; then
  log "publishing runtime-agent (NativeAOT)"
  dotnet publish runtime-agent -c Release -nologo -v quiet -o "$work/agent-bin" >&2
  agent="$work/agent-bin/runtime-agent"
fi
a() { "$agent" --root "$agent_root" "$@"; }

# --- a registry on loopback and a busybox image (no download), as bench/agent.sh builds them ---
start_distribution
image=$registry/bench/busybox:latest
busybox_rootfs "$work/rootfs" sh true nc dd sleep
push_image "$image" "$work/rootfs"
a pull -q "$image" >/dev/null

# --- 1: run -d vs foreground run ---
a run "$image" /bin/true # warm-up; fails loudly if broken
a rm -f "$(a run -d "$image" /bin/true)" >/dev/null
log "timing $runs foreground runs and $runs detached runs of /bin/true, alternating"
: >"$work/run.ns"; : >"$work/detached.ns"
for _ in $(seq 1 "$runs"); do
  mark t0; a run "$image" /bin/true; mark t1; echo $((t1 - t0)) >>"$work/run.ns"
  mark t0; id=$(a run -d "$image" /bin/true); mark t1; echo $((t1 - t0)) >>"$work/detached.ns"
  a rm -f "$id" >/dev/null
done
run_ns=$(median <"$work/run.ns"); detached_ns=$(median <"$work/detached.ns")

# --- 2: published port vs socat forwarding vs direct ---
sink="nc -ll -p 5001 -e dd of=/dev/null bs=1M"
agent_port=$(free_port)
a run -d --name benchsink -p "127.0.0.1:$agent_port:5001" "$image" sh -c "exec $sink 2>/dev/null" >/dev/null
host_sink=$(free_port); socat_port=$(free_port)
busybox nc -ll -p "$host_sink" -e busybox dd of=/dev/null bs=1M 2>/dev/null & pids+=($!)
socat "TCP-LISTEN:$socat_port,bind=127.0.0.1,fork,reuseaddr" "TCP:127.0.0.1:$host_sink" & pids+=($!)
wait_port "$agent_port"; wait_port "$host_sink"; wait_port "$socat_port"
send() { socat -b 1048576 -u "OPEN:/dev/zero,readbytes=$((size_mib * 1024 * 1024))" "TCP:127.0.0.1:$1"; }
log "timing $transfers transfers of $size_mib MiB through each path, alternating"
: >"$work/agent-port.ns"; : >"$work/socat-port.ns"; : >"$work/direct.ns"
for _ in $(seq 1 "$transfers"); do
  mark t0; send "$agent_port"; mark t1; echo $((t1 - t0)) >>"$work/agent-port.ns"
  mark t0; send "$socat_port"; mark t1; echo $((t1 - t0)) >>"$work/socat-port.ns"
  mark t0; send "$host_sink"; mark t1; echo $((t1 - t0)) >>"$work/direct.ns"
done
agent_port_ns=$(median <"$work/agent-port.ns"); socat_port_ns=$(median <"$work/socat-port.ns"); direct_ns=$(median <"$work/direct.ns")

cat <<TABLE
| workload | runtime-agent | reference | agent/reference | samples |
| --- | --- | --- | --- | --- |
| \`run -d IMG /bin/true\` (returns when running) vs foreground \`run IMG /bin/true\` (median ms; target ≤ 1.20×) | $(ms "$detached_ns") | $(ms "$run_ns") | $(ratio "$detached_ns" "$run_ns") | $runs |
| $size_mib MiB through a published port (\`-p\`, user-space proxy) vs \`socat\` forwarding on the host (median GiB/s; target ≥ 1 GiB/s) | $(gibps "$agent_port_ns") | $(gibps "$socat_port_ns") | $(ratio "$socat_port_ns" "$agent_port_ns") | $transfers |
| the same sink reached directly, no forwarder (median GiB/s: the ceiling of this client and sink) | — | $(gibps "$direct_ns") | — | $transfers |
TABLE
