#!/usr/bin/env bash
# Regenerates run-path.order: the managed methods a cached `run` executes, in first-call order (README.md here).
# Usage (as root): runtime-agent/Startup/make-order.sh AGENT ROOT IMAGE
#   AGENT  a published agent (its runtime-agent.dbg beside it gives the symbols)
#   ROOT   an agent root in which IMAGE is already pulled (a small busybox image is enough)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
agent=$1 root=$2 image=$3
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/trace" "$here/trace-first-calls.c"
# Entry points of the managed code section only: ILC orders managed methods; the runtime's C++ code keeps its place.
read -r lo size < <(readelf -SW "$agent" | awk '$2 == "__managedcode" {print $4, $6}')
nm -n --defined-only "${agent}.dbg" | awk -v lo=$((16#$lo)) -v hi=$((16#$lo + 16#$size)) '
  ($2 == "t" || $2 == "T") && $3 !~ /^__start_/ { a = 0; h = $1; for (i = 1; i <= length(h); i++) a = a * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
                             if (a >= lo && a < hi) print $1, $3 }' >"$work/syms"
# The default profile first, then the variants bench/agent.sh also times, then a shell command with output.
"$work/trace" "$work/syms" "$work/1" "$agent" --root "$root" run "$image" /bin/true
"$work/trace" "$work/syms" "$work/2" "$agent" --root "$root" run --privileged "$image" /bin/true
"$work/trace" "$work/syms" "$work/3" "$agent" --root "$root" run --cgroups disabled --security-opt seccomp=unconfined "$image" /bin/true
"$work/trace" "$work/syms" "$work/4" "$agent" --root "$root" run "$image" sh -c 'echo order' >/dev/null
# Each method once, first appearance wins; every name of a folded body (one address, several symbols) is listed.
awk 'NR == FNR { name[$1] = name[$1] ? name[$1] "\n" $2 : $2; addr[$2] = $1; next }
     ($1 in addr) && !seen[addr[$1]]++ { print name[addr[$1]] }' "$work/syms" "$work/1" "$work/2" "$work/3" "$work/4" >"$here/run-path.order"
echo "$(wc -l <"$here/run-path.order") methods in $here/run-path.order" >&2
