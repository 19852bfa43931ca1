#!/usr/bin/env bash
# Builds FnzChain and runs every test project, writing one TRX result file per project into TestResults/.
# This is the README's test command; .ci/run runs exactly this and counts the results.
# It does all of its own set-up: a fresh machine needs only the .NET SDK, Node/npm, git and openssl.
set -euo pipefail
cd "$(dirname "$0")/.."

configuration="${CONFIGURATION:-Release}"
results_dir="${RESULTS_DIR:-TestResults}"
rm -rf "$results_dir"
mkdir -p "$results_dir"

if ! command -v openssl >/dev/null 2>&1; then
  echo "scripts/test.sh: openssl is required by the PKI compatibility tests; install it (apt-get install openssl)" >&2
  exit 1
fi

dotnet build FnzChain.sln -c "$configuration" -nologo -v:minimal

status=0
for project in tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  echo "== $name"
  if ! dotnet test "$project" -c "$configuration" --no-build -nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
      --results-directory "$results_dir" "$@"; then
    status=1
  fi
done
exit $status
