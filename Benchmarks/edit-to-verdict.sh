#!/usr/bin/env bash
# Edit-to-verdict: how long a learner waits between saving one file and reading the verdict of
# `netlab check N`, with a warm build. Each round appends a comment to the lesson's solution
# (so the compiler has real work: one file changed), then runs `netlab check N --solution` with
# NETLAB_TIMINGS=1, which reports the build and the checks; netlab's own overhead is what is
# left of the wall time. The baseline, measured in the same run after the same kind of edit, is
# the bare `swift build --product solutionNN` that the check runs anyway.
#
#   bash Benchmarks/edit-to-verdict.sh [LESSON] [ROUNDS]      (defaults: 1 and 5)
#
# Targets (issue 4): verdict ≤ 3 s; netlab's overhead (all but the compiler and the checks) ≤ 300 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
lesson=$(printf '%02d' "${1:-1}")
rounds=${2:-5}
file=$(ls -d solutions/"$lesson"-*/main.swift)
backup=$(mktemp)
cp "$file" "$backup"
trap 'cp "$backup" "$file"; rm -f "$backup"' EXIT

echo "warming the build…"
swift build >/dev/null
netlab=$(swift build --show-bin-path)/netlab

ms() { python3 -c "import sys; print(round((float(sys.argv[2]) - float(sys.argv[1])) * 1000))" "$1" "$2"; }
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'; }

totals=(); builds=(); checks=(); overheads=(); bare=()
for i in $(seq 1 "$rounds"); do
    echo "// edit-to-verdict round $i $(now)" >> "$file"
    start=$(now)
    out=$(NETLAB_TIMINGS=1 "$netlab" check "$lesson" --solution 2>&1) || { echo "$out"; echo "netlab check failed"; exit 1; }
    end=$(now)
    total=$(ms "$start" "$end")
    line=$(grep '^netlab timings:' <<<"$out")
    build=$(sed -E 's/.*build=([0-9]+)ms.*/\1/' <<<"$line")
    check=$(sed -E 's/.*checks=([0-9]+)ms.*/\1/' <<<"$line")
    totals+=("$total"); builds+=("$build"); checks+=("$check"); overheads+=($((total - build - check)))
    # The baseline: the same kind of edit, then only the compiler.
    echo "// baseline round $i $(now)" >> "$file"
    start=$(now)
    swift build --product "solution$lesson" >/dev/null
    bare+=("$(ms "$start" "$(now)")")
    printf 'round %d: verdict %5d ms = build %5d + checks %5d + netlab %4d   (bare swift build: %5d ms)\n' \
        "$i" "$total" "$build" "$check" "$((total - build - check))" "${bare[-1]}"
done

readme=()
for i in 1 2 3; do
    start=$(now)
    swift run netlab --version >/dev/null 2>&1
    readme+=("$(ms "$start" "$(now)")")
done
r=$(printf '%s\n' "${readme[@]}" | median)

t=$(printf '%s\n' "${totals[@]}" | median)
b=$(printf '%s\n' "${builds[@]}" | median)
c=$(printf '%s\n' "${checks[@]}" | median)
o=$(printf '%s\n' "${overheads[@]}" | median)
base=$(printf '%s\n' "${bare[@]}" | median)
echo
echo "lesson $lesson, median of $rounds rounds, one file changed, warm build ($(nproc) cores):"
printf '  edit-to-verdict     %5d ms   target ≤ 3000 ms   %s\n' "$t" "$([ "$t" -le 3000 ] && echo met || echo MISSED)"
printf '    swift build       %5d ms   (baseline, bare swift build after the same edit: %d ms)\n' "$b" "$base"
printf '    checks            %5d ms\n' "$c"
printf '    netlab overhead   %5d ms   target ≤ 300 ms    %s\n' "$o" "$([ "$o" -le 300 ] && echo met || echo MISSED)"
printf '  run as the README does (swift run netlab …): SwiftPM first checks netlab itself, +%d ms\n' "$r"
