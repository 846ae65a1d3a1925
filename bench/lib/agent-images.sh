# Sourced by the agent benchmarks (agent.sh, agent-services.sh, snapshotters.sh): a CNCF distribution registry on
# loopback and images built with umoci from Debian's busybox-static, so no benchmark downloads anything.
# The caller has set $work (a temp directory) and the array pids (killed by its EXIT trap).

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_distribution: serves $work/registry-data on a free loopback port; sets registry=127.0.0.1:PORT.
start_distribution() {
  local port; port=$(free_port)
  cat >"$work/registry.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/registry-data}}
http: {addr: 127.0.0.1:$port}
YAML
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 & pids+=($!)
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
  registry=127.0.0.1:$port
}

# busybox_rootfs DIR TOOL...: a minimal root filesystem: busybox, a symlink per tool, and the mount-point directories.
busybox_rootfs() {
  local dir=$1; shift
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/proc" "$dir/sys" "$dir/dev"
  cp /bin/busybox "$dir/bin/busybox"
  for tool in "$@"; do ln -s busybox "$dir/bin/$tool"; done
}

# push_image REF ROOTFS_DIR...: one layer per directory, Cmd /bin/true, pushed to REF and kept as the OCI layout
# $work/layout-NAME (NAME: REF's last path segment). Layers are GNU tar archives with ./-relative names (as docker
# build writes them), added with `umoci raw add-layer`.
push_image() {
  local ref=$1 name; shift
  name=${ref##*/}; name=${name%%:*}
  local layout="$work/layout-$name"
  umoci init --layout "$layout" >/dev/null
  umoci new --image "$layout:latest" >/dev/null
  for dir in "$@"; do
    tar -C "$dir" --numeric-owner --owner=0 --group=0 -cf "$work/layer.tar" .
    umoci raw add-layer --image "$layout:latest" "$work/layer.tar" >/dev/null
  done
  umoci config --image "$layout:latest" --config.cmd /bin/true >/dev/null
  skopeo copy -q --dest-tls-verify=false "oci:$layout:latest" "docker://$ref" >&2
}
