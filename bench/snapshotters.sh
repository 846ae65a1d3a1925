#!/usr/bin/env bash
# The agent's snapshotters side by side, overlay as the anchor, on one filesystem: an XFS with reflink=1 made in a
# loop file (so reflink works and the disk-use numbers are not disturbed by anything else writing to the host's disk).
# For each of overlay, fuse-overlayfs, reflink and copy:
#  - start time: cached `runtime-agent run --snapshotter S IMG /bin/true`, N runs each, alternating; median and the
#    ratio to overlay;
#  - disk use: K containers kept (`--keep`, which keeps each container's directory and private tree), the used blocks
#    of the filesystem (df) before and after, divided by K — shared reflink extents count once, as on a real disk.
# The image: busybox plus IMAGE_MIB of incompressible files in 4 layers, so copy's cost shows.
# Run as root on a quiet machine. `bench/snapshotters.sh --smoke` does a tiny round; RUNS=N, KEEP=K, IMAGE_MIB=M
# override. RUNTIME_AGENT_PATH=… uses an already published agent instead of publishing one.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0; [ "${1:-}" = "--smoke" ] && smoke=1
runs=${RUNS:-$([ $smoke = 1 ] && echo 2 || echo 50)}
keep=${KEEP:-$([ $smoke = 1 ] && echo 1 || echo 5)}
image_mib=${IMAGE_MIB:-$([ $smoke = 1 ] && echo 4 || echo 64)}
snapshotters=(overlay fuse-overlayfs reflink copy)

work=$(mktemp -d /tmp/snapshotter-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  umount "$work/xfs" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "== $*" >&2; }
source "$(dirname "$0")/lib/timing.sh" # mark, median, ms, ratio
used_kib() { df -k --output=used "$work/xfs" | tail -1 | tr -d ' '; }

agent=${RUNTIME_AGENT_PATH:-}
if [ -z "$agent" ]; then
  log "publishing runtime-agent (NativeAOT)"
  dotnet publish runtime-agent -c Release -nologo -v quiet -o "$work/agent-bin" >&2
  agent="$work/agent-bin/runtime-agent"
fi

# --- the filesystem: XFS with reflinks in a loop file ---
truncate -s $((image_mib * 40 + 1024))M "$work/xfs.img"
mkfs.xfs -q -m reflink=1 "$work/xfs.img"
mkdir "$work/xfs"; mount -o loop "$work/xfs.img" "$work/xfs"
root="$work/xfs/agent-root"

# --- a registry on loopback and the image (umoci, from busybox-static: no download) ---
source "$(dirname "$0")/lib/agent-images.sh"
start_distribution
image=$registry/bench/snap:latest
busybox_rootfs "$work/busybox" sh true
for dir in data1 data2 data3 data4; do
  mkdir -p "$work/$dir/$dir"
  for f in 1 2 3 4; do head -c $((image_mib * 1024 * 1024 / 16)) /dev/urandom >"$work/$dir/$dir/blob$f"; done
done
push_image "$image" "$work/busybox" "$work/data1" "$work/data2" "$work/data3" "$work/data4"
"$agent" --root "$root" pull -q "$image" >/dev/null

# --- start time ---
for s in "${snapshotters[@]}"; do
  "$agent" --root "$root" run --snapshotter "$s" "$image" /bin/true # warm-up; fails loudly if a snapshotter is broken here
  : >"$work/$s.ns"
done
log "timing $runs cached runs of each snapshotter (${snapshotters[*]}), alternating"
for _ in $(seq 1 "$runs"); do
  for s in "${snapshotters[@]}"; do
    mark t0; "$agent" --root "$root" run --snapshotter "$s" "$image" /bin/true; mark t1
    echo $((t1 - t0)) >>"$work/$s.ns"
  done
done

# --- disk use per kept container ---
log "measuring disk use of $keep kept container(s) per snapshotter"
declare -A disk_kib
for s in "${snapshotters[@]}"; do
  sync; before=$(used_kib)
  for _ in $(seq 1 "$keep"); do "$agent" --root "$root" run --keep --snapshotter "$s" "$image" /bin/true; done
  sync; after=$(used_kib)
  disk_kib[$s]=$(( (after - before) / keep ))
  # fuse-overlayfs and overlay keep only their upper/work directories; the trees keep a full root each.
  rm -rf "$root/containers"
done

anchor=$(median <"$work/overlay.ns")
echo "| snapshotter | cached run /bin/true (median, ms) | ratio to overlay | disk per container (KiB) |"
echo "| --- | --- | --- | --- |"
for s in "${snapshotters[@]}"; do
  t=$(median <"$work/$s.ns")
  echo "| $s | $(ms "$t") | $(ratio "$t" "$anchor") | ${disk_kib[$s]} |"
done
echo
echo "runs=$runs kept=$keep image=busybox+${image_mib} MiB in 4 layers, on XFS (reflink=1) in a loop file; $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"
