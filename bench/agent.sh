#!/usr/bin/env bash
# The runtime agent against the standard tools, on one registry (CNCF distribution on loopback):
#  1. cached `runtime-agent run IMG /bin/true` with its default isolation profile vs `runc run` of an OCI bundle
#     unpacked by umoci from the same image (same rootfs) given the same profile: the agent's capability set, its
#     seccomp filter (exported by `runtime-agent seccomp-profile`), masked paths and a pids-limited cgroup; N runs
#     each, alternating; medians and the ratio (target ≤ 0.3×). The agent also runs without each part of the
#     profile (seccomp=unconfined, --cgroups disabled, --privileged), so each part's cost is the difference;
#  2. cold pull+unpack of a 128 MiB image: `runtime-agent pull` into an empty root vs
#     `skopeo copy` + `umoci unpack` into empty directories, M runs each, alternating; medians and ratio.
# Run as root. `bench/agent.sh --smoke` does a few runs of each; RUNS=N and PULLS=M override the counts.
# RUNTIME_AGENT_PATH=… uses an already published agent instead of publishing one.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0; [ "${1:-}" = "--smoke" ] && smoke=1
runs=${RUNS:-$([ $smoke = 1 ] && echo 5 || echo 100)}
pulls=${PULLS:-$([ $smoke = 1 ] && echo 1 || echo 5)}
big_mib=$([ $smoke = 1 ] && echo 16 || echo 128)

work=$(mktemp -d /tmp/agent-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for c in $(runc list -q 2>/dev/null | grep '^agentbench-' || true); do runc delete -f "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "== $*" >&2; }
# bash's own clock, read in place: `$(date +%s%N)` forks (and execs) inside every sample, several ms here.
# Every sample still includes bash's own fork+exec of the measured command (about 10 ms for /bin/true here).
source "$(dirname "$0")/lib/timing.sh" # mark, median, ms, ratio

# --- the agent ---
agent=${RUNTIME_AGENT_PATH:-}
if [ -z "$agent" ]; then
  log "publishing runtime-agent (NativeAOT)"
  dotnet publish runtime-agent -c Release -nologo -v quiet -o "$work/agent-bin" >&2
  agent="$work/agent-bin/runtime-agent"
fi

# --- a registry on loopback and images built with umoci from busybox-static (no download) ---
source "$(dirname "$0")/lib/agent-images.sh"
start_distribution
busybox_rootfs "$work/busybox" sh true echo ls cat
log "building images"
push_image "$registry/bench/small:latest" "$work/busybox"
layers=("$work/busybox")
for i in 1 2 3 4; do # 4 layers of random (incompressible) files, big_mib in total
  mkdir -p "$work/data$i/data$i"
  head -c $((big_mib * 1024 * 1024 / 4)) /dev/urandom >"$work/data$i/data$i/blob"
  layers+=("$work/data$i")
done
push_image "$registry/bench/big:latest" "${layers[@]}"

# --- 1: cached run vs runc run on the same rootfs ---
has_run=1
"$agent" run --help >/dev/null 2>&1 || { has_run=0; log "this runtime-agent has no 'run' command yet: skipping the run comparison"; }
umoci unpack --image "$work/layout-small:latest" "$work/bundle" >/dev/null
# runc gets what the agent applies by default, so both pay for the same isolation.
"$agent" seccomp-profile >"$work/seccomp.json"
caps='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_NET_BIND_SERVICE","CAP_SETFCAP","CAP_SETGID","CAP_SETPCAP","CAP_SETUID","CAP_SYS_CHROOT"]'
jq --argjson caps "$caps" --slurpfile seccomp "$work/seccomp.json" '
  .process.args = ["/bin/true"] | .process.terminal = false
  | .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
  | .linux.seccomp = $seccomp[0]
  | .linux.resources.pids = {limit: 2048}
  | .linux.maskedPaths = ((.linux.maskedPaths // []) + ["/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
      "/proc/sched_debug", "/proc/acpi", "/proc/asound", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"] | unique)' \
  "$work/bundle/config.json" >"$work/config.json"
mv "$work/config.json" "$work/bundle/config.json"
"$agent" --root "$work/agent-root" pull "$registry/bench/small:latest" >/dev/null
[ $has_run = 0 ] || "$agent" --root "$work/agent-root" run "$registry/bench/small:latest" /bin/true # warm-up; fails loudly if broken
runc run -b "$work/bundle" agentbench-warm >/dev/null
# The agent's variants: the default profile, then without one part each, then with none of it.
variants=(default no-seccomp no-cgroup privileged bare)
declare -A variant_flags=([default]="" [no-seccomp]="--security-opt seccomp=unconfined" [no-cgroup]="--cgroups disabled"
  [privileged]="--privileged" [bare]="--privileged --cgroups disabled")
log "timing $runs cached runs of runc and of each agent variant (${variants[*]}), alternating"
: >"$work/runc.ns"; for v in "${variants[@]}"; do : >"$work/agent-$v.ns"; done
for i in $(seq 1 "$runs"); do
  if [ $has_run = 1 ]; then
    for v in "${variants[@]}"; do
      # shellcheck disable=SC2086 # the flags are words
      mark t0; "$agent" --root "$work/agent-root" run ${variant_flags[$v]} "$registry/bench/small:latest" /bin/true; mark t1
      echo $((t1 - t0)) >>"$work/agent-$v.ns"
    done
  fi
  mark t0; runc run -b "$work/bundle" "agentbench-$i"; mark t1
  echo $((t1 - t0)) >>"$work/runc.ns"
done
runc_run=$(median <"$work/runc.ns")
declare -A agent_ns
for v in "${variants[@]}"; do agent_ns[$v]=$(median <"$work/agent-$v.ns" || echo nan); done
agent_run=${agent_ns[default]}
# A part's cost: the default profile's median minus the median without that part.
cost() { [ "$1" = nan ] || [ "$2" = nan ] && echo "—" || awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f", (a-b)/1e6}'; }

# --- 2: cold pull + unpack ---
log "timing $pulls cold pull+unpack of the ${big_mib} MiB image with each tool, alternating"
: >"$work/agent-pull.ns"; : >"$work/skopeo.ns"
for i in $(seq 1 "$pulls"); do
  rm -rf "$work/cold-agent" "$work/cold-oci" "$work/cold-bundle"; sync
  mark t0; "$agent" --root "$work/cold-agent" pull "$registry/bench/big:latest" >/dev/null; mark t1
  echo $((t1 - t0)) >>"$work/agent-pull.ns"
  [ "$(du -sm "$work/cold-agent" | cut -f1)" -ge "$big_mib" ] || { echo "agent pull left less than ${big_mib} MiB" >&2; exit 1; }
  mark t0
  skopeo copy -q --src-tls-verify=false "docker://$registry/bench/big:latest" "oci:$work/cold-oci:latest"
  umoci unpack --image "$work/cold-oci:latest" "$work/cold-bundle" >/dev/null
  mark t1; echo $((t1 - t0)) >>"$work/skopeo.ns"
done
agent_pull=$(median <"$work/agent-pull.ns"); skopeo_pull=$(median <"$work/skopeo.ns")

cat <<TABLE
| agent workload | runtime-agent (median ms) | reference (median ms) | agent/reference | runs |
| --- | --- | --- | --- | --- |
| cached run of /bin/true, default profile, vs \`runc run\` with the same profile (same rootfs) | $(ms "$agent_run") | $(ms "$runc_run") | $(ratio "$agent_run" "$runc_run") | $runs |
| cold pull+unpack ${big_mib} MiB, 5 layers vs \`skopeo copy\` + \`umoci unpack\` | $(ms "$agent_pull") | $(ms "$skopeo_pull") | $(ratio "$agent_pull" "$skopeo_pull") | $pulls |
TABLE

cat <<PARTS

| part of the default profile (agent) | run without it (median ms) | cost of the part (ms) |
| --- | --- | --- |
| seccomp filter (\`--security-opt seccomp=unconfined\`) | $(ms "${agent_ns[no-seccomp]}") | $(cost "$agent_run" "${agent_ns[no-seccomp]}") |
| cgroup create/join/remove (\`--cgroups disabled\`) | $(ms "${agent_ns[no-cgroup]}") | $(cost "$agent_run" "${agent_ns[no-cgroup]}") |
| capabilities + seccomp + masked paths (\`--privileged\`) | $(ms "${agent_ns[privileged]}") | $(cost "$agent_run" "${agent_ns[privileged]}") |
| the whole profile (\`--privileged --cgroups disabled\`) | $(ms "${agent_ns[bare]}") | $(cost "$agent_run" "${agent_ns[bare]}") |
PARTS
