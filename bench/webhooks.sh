#!/usr/bin/env bash
# The cost of webhooks on pushes (target: within 10 %): two instances of this registry from one build, side by side
# in one run of registry-bench, alternating: `webhook` has a registry-wide webhook for every event, delivered to a
# receiver on loopback that answers 200; `plain` has none. Workloads: image-push-small-x1000 (1,000 small images:
# layer, config and tagged manifest, 16 at a time), image-push-5layer (31 MiB images) and push-100m (100 MiB blobs). The table's ratio is webhook/plain; afterwards the receiver's count shows
# that the events were delivered (every push is a manifest.pushed event).
#   bench/webhooks.sh            the full round          bench/webhooks.sh --smoke   a tiny one
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/webhook-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { for _ in $(seq 1 300); do curl -fs -o /dev/null "$1/v2/" && return 0; sleep 0.1; done; echo "$1 never answered" >&2; return 1; }

echo "== building (Release)" >&2
dotnet build bench/Registry.Bench -c Release -nologo -v quiet -o "$work/bench-bin" >&2
publish_args=(); case " $* " in *" --smoke "*) publish_args+=(-p:PublishReadyToRun=false) ;; esac
dotnet publish Registry.Api -c Release -nologo -v quiet -o "$work/ours-bin" "${publish_args[@]}" >&2

# The receiver: answers 200 to every POST and counts them (a threading server, so deliveries are not serialized by it).
receiver_port=$(free_port)
cat >"$work/receiver.py" <<'PY'
import http.server, sys, threading
count = 0; lock = threading.Lock()
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        with lock: count += 1
        self.send_response(200); self.send_header('Content-Length', '0'); self.end_headers()
    def do_GET(self):
        body = str(count).encode(); self.send_response(200); self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Hook).serve_forever()
PY
python3 "$work/receiver.py" "$receiver_port" & pids+=($!)

start_registry() { # name extra-args...
  local name=$1; shift; local port; port=$(free_port); mkdir -p "$work/$name-data"
  (cd "$work/$name-data" && exec dotnet "$work/ours-bin/Registry.Api.dll" --urls "http://127.0.0.1:$port" \
     --Registry:DataDirectory="$work/$name-data" --Logging:LogLevel:Default=Warning "$@" >"$work/$name.log" 2>&1) &
  pids+=($!); eval "${name}_pid=$!"; eval "${name}_url=http://127.0.0.1:$port"
  wait_ready "http://127.0.0.1:$port"
}
start_registry webhook --Registry:Events:Webhooks:0:Url="http://127.0.0.1:$receiver_port/hook" --Registry:Events:Webhooks:0:Secret=bench-secret
start_registry plain
# shellcheck disable=SC2154 # set by start_registry
"$work/bench-bin/registry-bench" --target "webhook=$webhook_url" --target "plain=$plain_url" \
  --pid "webhook=$webhook_pid" --pid "plain=$plain_pid" --only image-push-small-x1000,image-push-5layer,push-100m "$@"
# Deliveries are asynchronous: wait until the count has not moved for 5 s (at most 2 min), then report it.
last=-1; still=0; waited=0
while [ $still -lt 5 ] && [ $waited -lt 120 ]; do
  now=$(curl -fs "http://127.0.0.1:$receiver_port/count"); if [ "$now" = "$last" ]; then still=$((still + 1)); else still=0; last=$now; fi
  sleep 1; waited=$((waited + 1))
done
echo
echo "webhook deliveries received: $last (settled ${waited}s after the last push); load average $(cut -d' ' -f1-3 /proc/loadavg)"
