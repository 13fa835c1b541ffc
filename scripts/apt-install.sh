#!/usr/bin/env bash
# apt_install NAME PACKAGE…: installs Debian packages with apt-get, through sudo only when not
# root; NAME prefixes the messages. Fails with a message on a system without apt-get, or when
# neither root nor sudo is available. Sourced by install-deps.sh and install-bench-deps.sh.
apt_install() {
    local name=$1
    shift
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "$name: missing $*, and this is not a Debian/Ubuntu system (no apt-get): install them with your package manager." >&2
        return 1
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "$name: need root (or sudo) to install $*" >&2
            return 1
        fi
    fi
    echo "$name: installing $*" >&2
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq "$@"
}
