#!/usr/bin/env bash
# Runs the (already built) tests N times in a row and counts the failing runs: the flakiness
# check the standards ask for ("a test that fails once in twenty runs is a bug").
#
#   bash scripts/repeat-tests.sh [RUNS] [FILTER]      (defaults: 20, every test)
#
# Build first (`swift build --build-tests`). Each run's output is kept in .build/repeat-N.log.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
filter=${2:-}
fails=0
for i in $(seq 1 "$runs"); do
    start=$(date +%s)
    if swift test --skip-build ${filter:+--filter "$filter"} > ".build/repeat-$i.log" 2>&1; then
        result=ok
    else
        result="FAIL (see .build/repeat-$i.log)"
        fails=$((fails + 1))
    fi
    echo "run $i: $result ($(( $(date +%s) - start )) s)"
done
echo "failures: $fails of $runs"
[ "$fails" -eq 0 ]
