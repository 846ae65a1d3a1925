#!/usr/bin/env bash
# Starts (or stops) the throwaway services the tests use, all on loopback:
# PostgreSQL 15 (initdb in a temp directory), s3rver and Azurite.
# `start` prints `export …` lines for the connection settings; `eval "$(scripts/services.sh start)"`.
set -euo pipefail
cd "$(dirname "$0")"
# The S3 and Azure servers are npm packages pinned in package.json / package-lock.json.
[ -x node_modules/.bin/s3rver ] && [ -x node_modules/.bin/azurite-blob ] || npm ci --no-audit --no-fund --loglevel=error >&2
state=${REGISTRY_SERVICES_DIR:-/tmp/registry-test-services}
pg_bin=/usr/lib/postgresql/15/bin

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

wait_port() { for _ in $(seq 1 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; echo "port $1 never opened" >&2; return 1; }

start() {
  stop >/dev/null 2>&1 || true
  rm -rf "$state"; mkdir -p "$state"; chmod 755 "$state"
  local pg_port s3_port az_port
  pg_port=$(free_port); s3_port=$(free_port); az_port=$(free_port)

  mkdir -p "$state/pg" "$state/pglog"; chown postgres "$state/pg" "$state/pglog"
  runuser -u postgres -- "$pg_bin/initdb" -D "$state/pg" -U postgres --auth=trust -E UTF8 >"$state/initdb.log" 2>&1
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$state/pg" -l "$state/pglog/server.log" -w \
    -o "-h 127.0.0.1 -p $pg_port -k $state/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null

  mkdir -p "$state/s3"
  nohup node_modules/.bin/s3rver --address 127.0.0.1 --port "$s3_port" --directory "$state/s3" --silent >"$state/s3rver.log" 2>&1 &
  echo $! >"$state/s3rver.pid"
  mkdir -p "$state/azurite"
  nohup node_modules/.bin/azurite-blob --blobHost 127.0.0.1 --blobPort "$az_port" --location "$state/azurite" \
    --skipApiVersionCheck --loose --disableTelemetry --silent >"$state/azurite.log" 2>&1 &
  echo $! >"$state/azurite.pid"
  wait_port "$s3_port"; wait_port "$az_port"

  cat >"$state/env" <<ENV
export REGISTRY_TEST_POSTGRES='Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres'
export REGISTRY_TEST_S3_ENDPOINT='127.0.0.1:$s3_port'
export REGISTRY_TEST_AZURE_CONNECTION='DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$az_port/devstoreaccount1;'
ENV
  cat "$state/env"
}

stop() {
  [ -d "$state/pg" ] && runuser -u postgres -- "$pg_bin/pg_ctl" -D "$state/pg" -m immediate stop >/dev/null 2>&1 || true
  for name in s3rver azurite; do
    [ -f "$state/$name.pid" ] && kill "$(cat "$state/$name.pid")" 2>/dev/null || true
  done
  rm -rf "$state"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
