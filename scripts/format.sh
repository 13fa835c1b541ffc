#!/usr/bin/env bash
# Formats the Swift code with the toolchain's swift-format and the repository's `.swift-format`.
#
#   bash scripts/format.sh            reformat every Swift file in place
#   bash scripts/format.sh --check    change nothing; list the files that are not formatted (or
#                                     break a lint rule) and exit 1 (CI runs this)
#
# The files: every *.swift under Sources/, Tests/, lessons/, solutions/ and Benchmarks/, and
# Package.swift, except test data (folders named Fixtures or Golden). docs/formatting.md says why
# the configuration is what it is. Takes about 10 s on 2 cores; bounded by NETLAB_FORMAT_TIMEOUT
# (seconds, default 300).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=format
case "${1:-}" in
    "") ;;
    --check) mode=check ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "format.sh: unknown argument '$1' (expected nothing or --check)" >&2; exit 2 ;;
esac

if command -v swift-format > /dev/null; then
    swift_format=(swift-format)
elif swift format --version > /dev/null 2>&1; then
    swift_format=(swift format)
else
    echo "format.sh: swift-format not found (it ships with Swift 6 toolchains: \`swift format\`)" >&2
    exit 2
fi
limit=${NETLAB_FORMAT_TIMEOUT:-300}
config=.swift-format

files=()
while IFS= read -r -d '' f; do
    files+=("$f")
done < <(
    dirs=()
    for d in Sources Tests lessons solutions Benchmarks; do [ -d "$d" ] && dirs+=("$d"); done
    { find "${dirs[@]}" \( -name Fixtures -o -name Golden -o -name '.build*' \) -prune \
          -o -type f -name '*.swift' -print0
      [ -f Package.swift ] && printf '%s\0' Package.swift; } | sort -z
)
if [ "${#files[@]}" -eq 0 ]; then
    echo "format.sh: no Swift files found" >&2
    exit 2
fi

if [ "$mode" = format ]; then
    timeout "$limit" "${swift_format[@]}" format --in-place --parallel --configuration "$config" "${files[@]}"
    echo "format.sh: formatted ${#files[@]} files with $config (\`git diff --stat\` shows what changed)"
    exit 0
fi

# --check: `lint --strict` reports every line the formatter would change, and the lint rules the
# formatter cannot fix, as file:line:column: warning/error: [Rule] message.
report=$(mktemp)
trap 'rm -f "$report"' EXIT
rc=0
timeout "$limit" "${swift_format[@]}" lint --strict --parallel --no-color-diagnostics --configuration "$config" \
    "${files[@]}" > "$report" 2>&1 || rc=$?
if [ "$rc" -eq 124 ]; then
    echo "format.sh: swift-format lint did not finish within $limit s" >&2
    exit 1
fi
bad=$(grep -oE '^[^:]+\.swift:[0-9]+:[0-9]+: (warning|error)' "$report" | cut -d: -f1 | sort -u || true)
if [ "$rc" -eq 0 ] && [ -z "$bad" ]; then
    echo "format.sh: all ${#files[@]} Swift files are formatted"
    exit 0
fi
if [ -z "$bad" ]; then
    echo "format.sh: swift-format lint failed (exit $rc):" >&2
    head -n 40 "$report" >&2
    exit 1
fi
count=$(printf '%s\n' "$bad" | wc -l)
echo "format.sh: $count of ${#files[@]} Swift files are not formatted:" >&2
printf '%s\n' "$bad" | sed 's/^/  /' >&2
echo "The first findings ($(grep -cE '^[^:]+\.swift:[0-9]+:[0-9]+: ' "$report") in all):" >&2
grep -E '^[^:]+\.swift:[0-9]+:[0-9]+: ' "$report" | awk 'NR <= 20 { print "  " $0 }' >&2
echo "Run \`bash scripts/format.sh\` to fix them; a finding that remains after it is a lint rule to fix by hand." >&2
exit 1
