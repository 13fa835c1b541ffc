#!/usr/bin/env bash
# Installs what netlab needs from the system beyond the Swift toolchain: OpenSSL 3's headers
# and libraries (for the COpenSSL module) and pkg-config (which SwiftPM asks where they are).
#
# Idempotent: does nothing when `pkg-config --exists openssl` already succeeds. Otherwise runs
# `apt-get install -y libssl-dev pkg-config` (Debian/Ubuntu), with sudo only when not root.
# The `openssl` and `curl` programs are used by the interop tests; they are installed too
# when missing (they are small and usually present already). So is OpenBSD's `nc`
# (netcat-openbsd), which every lesson's "Try it by hand" uses (`nc -N` included): a machine
# with another netcat, or none, gets it. And python3, which some tests use as a judge, with
# protoc and Python's protobuf package (protobuf-compiler, python3-protobuf): the judges of
# LessonKit's protobuf codec; and Python's websockets package (python3-websockets), the client
# that drives lesson 13's solution in a test (a strict judge of its frames). Lesson 14's metrics
# are judged by Prometheus's own tools: `promtool check metrics` (Debian's prometheus package)
# and Python's prometheus_client parser (python3-prometheus-client). And Chromium (chromium),
# the headless browser the class board's page is tested in.
#
# NETLAB_SYSTEM_PYTHON (default /usr/bin/python3) is the python3 that Debian's python3-protobuf
# python3-websockets and python3-prometheus-client serve; it counts when the first python3 on PATH (pyenv, a venv) lacks
# the package.
set -euo pipefail

missing=()
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists openssl; then
    missing+=(libssl-dev pkg-config)
fi
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# The tests grade small Python programs too (the lesson contract for other languages, crash
# reports of a Python program): python3 is a test judge, never needed by netlab itself.
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
# Whether python3 on PATH, or the system's, can import module $1.
has_python_module() {
    local python
    for python in python3 "${NETLAB_SYSTEM_PYTHON:-/usr/bin/python3}"; do
        if command -v "$python" >/dev/null 2>&1 && "$python" -c "import $1" >/dev/null 2>&1; then
            return 0
        fi
    done
    return 1
}
has_python_module google.protobuf || missing+=(python3-protobuf)
has_python_module websockets || missing+=(python3-websockets)
has_python_module prometheus_client.parser || missing+=(python3-prometheus-client)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
# Headless Chromium, which the class board's browser test drives (scripts/board-browser.py):
# a test judge only, never needed by netlab.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if command -v nc >/dev/null 2>&1; then
    nc_help=$(nc -h 2>&1 || true)
    case "$nc_help" in
        *-N*) ;;                          # OpenBSD's netcat: has -N (shut down after EOF on stdin)
        *) missing+=(netcat-openbsd) ;;   # traditional or BusyBox netcat: no -N
    esac
else
    missing+=(netcat-openbsd)
fi

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

# This script's folder, without calling dirname (the tests run it with a PATH of stand-ins).
here=${BASH_SOURCE[0]%/*}
[ "$here" != "${BASH_SOURCE[0]}" ] || here=.
# shellcheck source=scripts/apt-install.sh
. "$here/apt-install.sh"
apt_install install-deps "${missing[@]}"
pkg-config --exists openssl
