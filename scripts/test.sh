#!/usr/bin/env bash
# Runs the whole test suite as root on a Debian 12 machine: installs what the tests need, starts
# PostgreSQL, s3rver and Azurite on loopback, runs every test, stops the services and prints
# `N passed, N failed` counted from the test results.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
eval "$(scripts/services.sh start)"
trap 'scripts/services.sh stop' EXIT

results=$(mktemp -d)
# The agent's end-to-end tests run the NativeAOT binary, as users do.
dotnet publish runtime-agent -c Release -o "$results/agent" -v quiet -nologo >/dev/null
export RUNTIME_AGENT_PATH="$results/agent/runtime-agent"

status=0
dotnet test Registry.sln -c Release --logger "trx;LogFileName=results.trx" --results-directory "$results" "$@" || status=$?

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then status=1; fi
echo "$passed passed, $failed failed"
exit "$status"
