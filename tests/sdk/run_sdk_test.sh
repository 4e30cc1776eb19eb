#!/usr/bin/env bash
# Runs sdk_check.mjs with the pinned official SDK against a fresh `opsbench-cli sim`.
#   run_sdk_test.sh OPSBENCH_CLI WORK_DIR
# Exits 77 (CTest's "skipped") where node or npm is missing, and says so.
set -euo pipefail

cli=$1
work=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "skipped: the SDK test needs node and npm, which are not installed"
    exit 77
fi

# Install the pinned SDK once per build folder; again only when the lock file changes.
mkdir -p "$work"
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules" ]; then
    cp "$here/package.json" "$here/package-lock.json" "$work/"
    (cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
cp "$here/sdk_check.mjs" "$work/"

output=$(mktemp)
"$cli" sim --fail-first 1 --retry-after 0.05 --latency-scale 0 --quiet >"$output" &
simulator=$!
trap 'kill $simulator 2>/dev/null; rm -f "$output"' EXIT
for _ in $(seq 100); do
    grep -q '^listening on ' "$output" && break
    sleep 0.1
done
url=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$output")
[ -n "$url" ] || { echo "the simulator did not start"; exit 1; }

cd "$work" && OPSBENCH_SIM_URL="$url" node sdk_check.mjs
