#!/usr/bin/env bash
# Installs the baselines that `netbench` measures NetCore against, which neither netlab nor its
# tests need (so scripts/install-deps.sh leaves them out): Go (golang-go: the Go twins and Go's
# echo, proxy and TLS servers), nginx with its stream module (nginx, libnginx-mod-stream: the
# RSA-2048 handshake baseline) and perf (linux-perf: the profiles Benchmarks/README.md quotes).
# Without Go, netbench prints "go: not on PATH" and skips every Go baseline; without nginx it
# skips the RSA baseline.
#
# Idempotent: installs only what is missing, with apt-get (Debian/Ubuntu), with sudo only when
# not root. Then runs scripts/install-deps.sh, since netbench builds netlab's own programs too.
set -euo pipefail

here=${BASH_SOURCE[0]%/*}
[ "$here" != "${BASH_SOURCE[0]}" ] || here=.
bash "$here/install-deps.sh"

missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || missing+=(nginx)
# The stream module is a package of its own on Debian; nginx loads it from modules-enabled.
compgen -G "/usr/lib/nginx/modules/ngx_stream_module.so" >/dev/null || missing+=(libnginx-mod-stream)
command -v perf >/dev/null 2>&1 || missing+=(linux-perf)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
# shellcheck source=scripts/apt-install.sh
. "$here/apt-install.sh"
apt_install install-bench-deps "${missing[@]}"
