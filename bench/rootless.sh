#!/usr/bin/env bash
# Rootless start-up side by side (issue #17's performance section), one registry (CNCF distribution on loopback), one
# busybox image, cached `/bin/true`, N runs of each, alternating; medians and the ratio to the root agent:
#  - runtime-agent as root (overlay) — the anchor;
#  - runtime-agent as an ordinary user (rootless: its own user namespace, overlay with userxattr) — target ≤ 1.5×;
#  - runtime-agent as root with --userns=auto (a range of its own, idmapped layers);
#  - `runc run` of an OCI bundle unpacked by umoci from the same image (root);
#  - `podman run --network none` (a namespace with loopback only, as the agent gives) as root and as the ordinary user
#    (rootless podman), both with runc; a row shows
#    "—" and the reason where podman cannot run here.
# Every command runs through the same `setpriv … env HOME=…` wrapper (as root for the root rows), so the wrapper's
# cost is the same in each row. The ordinary user is $BENCH_USER (default ragentless, the tests' user), made with a
# subordinate range when missing. Run as root on a quiet machine, e.g. `RUNS=10 nice -n -10 bench/rootless.sh`;
# `bench/rootless.sh --smoke` does a tiny round; RUNS=N overrides. RUNTIME_AGENT_PATH=… uses a published agent.
# The podman rows are slow (rootless podman takes seconds per run): they are timed in the first PODMAN_RUNS rounds
# only (default 5; the table says how many), and PODMAN=0 leaves them out.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0; [ "${1:-}" = "--smoke" ] && smoke=1
runs=${RUNS:-$([ $smoke = 1 ] && echo 3 || echo 100)}
podman_runs=${PODMAN_RUNS:-5}
user=${BENCH_USER:-ragentless}

work=$(mktemp -d /tmp/rootless-bench.XXXXXX)
chmod 755 "$work" # the ordinary user reaches the agent binary and its home below
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for c in $(runc list -q 2>/dev/null | grep '^rootlessbench-' || true); do runc delete -f "$c" >/dev/null 2>&1 || true; done
  as_root podman system reset --force >/dev/null 2>&1 || true
  as_user podman system reset --force >/dev/null 2>&1 || true
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
log() { echo "== $*" >&2; }
source "$(dirname "$0")/lib/timing.sh" # mark, median, ms, ratio

if ! id "$user" >/dev/null 2>&1; then
  useradd -M -d /nonexistent -s /usr/sbin/nologin "$user"
fi
grep -q "^$user:" /etc/subuid || usermod --add-subuids 300000-365535 --add-subgids 300000-365535 "$user"

mkdir -p "$work/bin" "$work/root-home" "$work/user-home"
if [ -n "${RUNTIME_AGENT_PATH:-}" ]; then cp "$RUNTIME_AGENT_PATH" "$work/bin/runtime-agent"
else
  log "publishing runtime-agent (NativeAOT)"
  dotnet publish runtime-agent -c Release -nologo -v quiet -o "$work/agent-publish" >&2
  cp "$work/agent-publish/runtime-agent" "$work/bin/runtime-agent"
fi
chmod 755 "$work/bin" "$work/bin/runtime-agent"
agent="$work/bin/runtime-agent"
chown "$user:" "$work/user-home"

# podman's state per identity: runc (crun refuses hybrid cgroups), no default ulimits (podman 4.3 cannot raise them).
podman_env() { # HOME
  mkdir -p "$1/xdg" && chmod 700 "$1/xdg"
  cat >"$1/containers.conf" <<CONF
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "none"
CONF
  echo "CONTAINERS_CONF=$1/containers.conf XDG_RUNTIME_DIR=$1/xdg"
}
root_env=$(podman_env "$work/root-home"); user_env=$(podman_env "$work/user-home")
chown -R "$user:" "$work/user-home"
# shellcheck disable=SC2086 # the env assignments are words
as_root() { setpriv --reuid=0 --regid=0 --init-groups env HOME="$work/root-home" $root_env "$@"; }
# shellcheck disable=SC2086
as_user() { (cd / && setpriv --reuid="$user" --regid="$user" --init-groups env -u XDG_DATA_HOME HOME="$work/user-home" $user_env "$@"); }

source "$(dirname "$0")/lib/agent-images.sh"
start_distribution
busybox_rootfs "$work/busybox" sh true
image=$registry/bench/rootless:latest
push_image "$image" "$work/busybox"
umoci unpack --image "$work/layout-rootless:latest" "$work/bundle" >/dev/null
jq '.process.args = ["/bin/true"] | .process.terminal = false' "$work/bundle/config.json" >"$work/config.json"
mv "$work/config.json" "$work/bundle/config.json"

# Each variant: a warm-up (pull, first start; a failure leaves the row out with its reason), then timed runs.
variants=(agent-root agent-rootless agent-userns runc)
[ "${PODMAN:-1}" = 0 ] || variants+=(podman-root podman-rootless)
declare -A describe=([agent-root]="runtime-agent, root (overlay)" [agent-rootless]="runtime-agent, rootless (overlay userxattr)"
  [agent-userns]="runtime-agent, root, --userns=auto" [runc]="\`runc run\` (root, same rootfs)"
  [podman-root]="\`podman run\` (root, runc, overlay)" [podman-rootless]="\`podman run\` (rootless, runc)")
run_variant() { # VARIANT I
  case $1 in
    agent-root) as_root "$agent" --root "$work/agent-root" run "$image" /bin/true ;;
    agent-rootless) as_user "$agent" run "$image" /bin/true ;;
    agent-userns) as_root "$agent" --root "$work/agent-root" run --userns=auto "$image" /bin/true ;;
    runc) as_root runc run -b "$work/bundle" "rootlessbench-$2" ;;
    podman-root) as_root podman run --rm --network none --tls-verify=false "$image" /bin/true ;;
    podman-rootless) as_user podman run --rm --network none --tls-verify=false "$image" /bin/true ;;
  esac
}
declare -A skipped
active=()
for v in "${variants[@]}"; do
  if run_variant "$v" warm >"$work/$v.warm" 2>&1; then active+=("$v"); : >"$work/$v.ns"
  else skipped[$v]=$(grep -v '^\s*$' "$work/$v.warm" | tail -1 | cut -c1-120); log "$v does not run here: ${skipped[$v]}"; fi
done
log "timing $runs cached runs of each (${active[*]}), alternating; load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
  for v in "${active[@]}"; do
    [[ $v == podman-* && $i -gt $podman_runs ]] && continue
    mark t0; run_variant "$v" "$i" >/dev/null; mark t1
    echo $((t1 - t0)) >>"$work/$v.ns"
  done
done

anchor=$(median <"$work/agent-root.ns")
echo "| cached start of /bin/true | median (ms) | ratio to the root agent |"
echo "| --- | --- | --- |"
for v in "${variants[@]}"; do
  if [ -n "${skipped[$v]:-}" ]; then echo "| ${describe[$v]} | — | — (${skipped[$v]//|/\\|}) |"; continue; fi
  t=$(median <"$work/$v.ns")
  n=$(wc -l <"$work/$v.ns"); [ "$n" = "$runs" ] && n="" || n=" ($n runs)"
  echo "| ${describe[$v]}$n | $(ms "$t") | $(ratio "$t" "$anchor") |"
done
echo
echo "runs=$runs, alternating, each through setpriv+env; $(uname -r); nice $(nice); load $(cut -d' ' -f1-3 /proc/loadavg)"
