#!/usr/bin/env bash
# Builds FnzChain and runs every test project, writing one TRX result file per project into TestResults/.
# This is the README's test command; .ci/run runs exactly this and counts the results.
# It does all of its own set-up: a fresh machine needs only the .NET SDK, Node/npm, git and openssl.
#
# The projects that start processes (networks of nodes, Kafka and CouchDB test servers, Node clients) take most of
# the time; they run in two lanes at once — every test picks free loopback ports, so lanes never share one. Each
# line of a lane's output carries the project's name. LANES=1 runs everything one project after another.
set -euo pipefail
cd "$(dirname "$0")/.."

configuration="${CONFIGURATION:-Release}"
results_dir="${RESULTS_DIR:-TestResults}"
lanes="${LANES:-2}"
rm -rf "$results_dir"
mkdir -p "$results_dir"

if ! command -v openssl >/dev/null 2>&1; then
  echo "scripts/test.sh: openssl is required by the PKI compatibility tests; install it (apt-get install openssl)" >&2
  exit 1
fi

dotnet build FnzChain.sln -c "$configuration" -nologo -v:minimal

# No single test may run longer than this: the test host is stopped, and the test that hung is named, instead of the
# whole run waiting for CI's limit. A project as a whole gets project_limit.
hang_limit="${TEST_HANG_LIMIT:-10m}"
project_limit="${TEST_PROJECT_LIMIT:-40m}"

# Runs one test project; its output lines are prefixed with the project's name. Returns non-zero on failure.
run_project() {
  local project="$1" name status
  name="$(basename "$project" .csproj)"
  echo "== $name"
  timeout --kill-after=60s "$project_limit" \
    dotnet test "$project" -c "$configuration" --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --blame-hang-timeout "$hang_limit" --blame-hang-dump-type none \
    --results-directory "$results_dir" "${extra_args[@]}" 2>&1 | sed -u "s/^/[$name] /"
  status="${PIPESTATUS[0]}"
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "[$name] Failed: the project did not finish within $project_limit and was stopped"
  fi
  return "$status"
}

# Runs the given projects one after another; returns non-zero if any failed.
run_lane() {
  local status=0 project
  for project in "$@"; do
    run_project "$project" || status=1
  done
  return $status
}

extra_args=("$@")
# Slowest first within the second lane; the first lane holds the one project that takes as long as the rest.
slow_a=(tests/FnzChain.IntegrationTests/FnzChain.IntegrationTests.csproj)
slow_b=()
for name in FnzChain.Cli.Tests FnzChain.CouchDbTests FnzChain.KafkaTests FnzChain.InteropTests FnzChain.HostileInputTests; do
  if [ -f "tests/$name/$name.csproj" ]; then slow_b+=("tests/$name/$name.csproj"); fi
done
fast=()
for project in tests/*/*.csproj; do
  case " ${slow_a[*]} ${slow_b[*]} " in
    *" $project "*) ;;
    *) fast+=("$project") ;;
  esac
done

status=0
run_lane "${fast[@]}" || status=1
if [ "$lanes" -gt 1 ]; then
  # Each lane picks the ports of its nodes from its own range (LocalNetwork.FreePort), so the lanes never collide.
  FNZCHAIN_PORT_RANGE=20000-25999 run_lane "${slow_a[@]}" & lane_a=$!
  FNZCHAIN_PORT_RANGE=26000-31999 run_lane "${slow_b[@]}" & lane_b=$!
  wait "$lane_a" || status=1
  wait "$lane_b" || status=1
else
  run_lane "${slow_a[@]}" "${slow_b[@]}" || status=1
fi
exit $status
