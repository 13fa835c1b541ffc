#!/usr/bin/env bash
# Builds the API docs of the library modules from their doc comments, with the toolchain alone
# (swift build, swift-symbolgraph-extract, docc: no network, no package plugin).
#
#   bash scripts/docs.sh [--check] [MODULE ...]     (default modules: NetCore NetTLS LessonKit Syscall)
#
# Writes a static site to .build/docs/: one folder a module (.build/docs/NetCore/, …) and an
# index.html linking them. Serve it with `python3 -m http.server -d .build/docs 8000` and open
# http://127.0.0.1:8000/. DocC's warnings (a broken ``Symbol`` link, a documented parameter that
# does not exist, an undocumented one in a `- Parameters:` list) are printed; with --check any
# warning makes the script exit 1 (CI runs this). Takes about 15 s once the modules are built;
# each step is bounded by NETLAB_DOCS_TIMEOUT (seconds, default 900, for a first build).
set -euo pipefail
cd "$(dirname "$0")/.."

check=false
modules=()
for arg in "$@"; do
    case "$arg" in
        --check) check=true ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "docs.sh: unknown option '$arg' (expected --check and module names)" >&2; exit 2 ;;
        *) modules+=("$arg") ;;
    esac
done
[ "${#modules[@]}" -gt 0 ] || modules=(NetCore NetTLS LessonKit Syscall)
limit=${NETLAB_DOCS_TIMEOUT:-900}

# The tools ship with the toolchain, next to `swift`.
tool() {
    local found
    found=$(command -v "$1" || true)
    if [ -z "$found" ]; then
        local swift
        swift=$(command -v swift || true)
        for dir in "$(dirname "$swift")" "$(dirname "$(readlink -f "$swift")")"; do
            if [ -n "$swift" ] && [ -x "$dir/$1" ]; then found="$dir/$1"; break; fi
        done
    fi
    if [ -z "$found" ]; then
        echo "docs.sh: $1 not found (it ships with the Swift toolchain, next to swift)" >&2
        exit 2
    fi
    printf '%s' "$found"
}
extract=$(tool swift-symbolgraph-extract)
docc=$(tool docc)

for m in "${modules[@]}"; do
    if [ ! -d "Sources/$m" ]; then echo "docs.sh: no module Sources/$m" >&2; exit 2; fi
done

echo "== building ${modules[*]}"
for m in "${modules[@]}"; do
    timeout "$limit" swift build --target "$m" > /dev/null
done
bin=$(swift build --show-bin-path)
triple=$(basename "$(dirname "$bin")")

# The C modules the Swift modules import, found the way SwiftPM passes them to the compiler.
cflags=()
for map in "$bin"/*.build/module.modulemap "$PWD"/Sources/*/module.modulemap; do
    [ -f "$map" ] && cflags+=(-Xcc "-fmodule-map-file=$map")
done
for include in "$PWD"/Sources/*/include; do
    [ -d "$include" ] && cflags+=(-Xcc -I -Xcc "$include")
done

out=.build/docs
graphs=.build/docs-symbolgraphs
mkdir -p "$out"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
warnings=0
failed=()
for m in "${modules[@]}"; do
    echo "== $m: symbol graph, then DocC"
    rm -rf "${graphs:?}/$m" "${out:?}/$m"
    mkdir -p "$graphs/$m"
    timeout "$limit" "$extract" -module-name "$m" -target "$triple" -module-cache-path "$bin/ModuleCache" \
        -I "$bin/Modules" "${cflags[@]}" -minimum-access-level public -omit-extension-block-symbols \
        -output-dir "$graphs/$m"
    rc=0
    timeout "$limit" "$docc" convert --additional-symbol-graph-dir "$graphs/$m" \
        --fallback-display-name "$m" --fallback-bundle-identifier "netlab.$m" \
        --output-dir "$out/$m" --transform-for-static-hosting --hosting-base-path "$m" \
        > "$log" 2>&1 || rc=$?
    grep -v "^[[:space:]]*$" "$log" || true
    n=$(grep -c '^warning:' "$log" || true)
    warnings=$((warnings + n))
    if [ "$rc" -ne 0 ] || [ ! -f "$out/$m/index.html" ]; then
        failed+=("$m")
    elif [ "$n" -gt 0 ]; then
        echo "$m: $n DocC warning(s)"
    fi
done

{
    echo '<!DOCTYPE html>'
    echo '<html lang="en"><head><meta charset="utf-8"><title>netlab API</title></head><body>'
    echo '<h1>netlab API</h1><p>Built from the doc comments by <code>scripts/docs.sh</code>.</p><ul>'
    for m in "${modules[@]}"; do
        lower=$(printf '%s' "$m" | tr '[:upper:]' '[:lower:]')
        echo "<li><a href=\"$m/documentation/$lower/\">$m</a></li>"
    done
    echo '</ul></body></html>'
} > "$out/index.html"

if [ "${#failed[@]}" -gt 0 ]; then
    echo "docs.sh: DocC failed for ${failed[*]}" >&2
    exit 1
fi
echo "docs.sh: wrote $out/ (${modules[*]}); $warnings DocC warning(s)"
if $check && [ "$warnings" -gt 0 ]; then
    echo "docs.sh: --check: fix the $warnings warning(s) above in the doc comments" >&2
    exit 1
fi
