#!/usr/bin/env bash
# Sets up a Debian 12 machine for Opsbench and builds it, then either runs it or tests it.
#
#   scripts/bootstrap.sh run [ARGS...]   install what is missing, build, open the Opsbench window
#   scripts/bootstrap.sh test            install what is missing, build, run every test headless,
#                                        run them all again under the sanitizers, and run the
#                                        fuzzers briefly
#
# Safe to run again: installed packages are skipped and the build is incremental.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mode=${1:-}
[ $# -gt 0 ] && shift

packages=(
    # toolchain
    g++ cmake ninja-build pkg-config ccache
    # libraries
    qt6-base-dev qt6-charts-dev qtkeychain-qt6-dev libsimdjson-dev
    # Qt Charts needs it and Debian 12 does not pull it in
    libqt6opengl6-dev
    # a private Secret Service for the keychain tests
    dbus dbus-bin gnome-keyring
    # the benchmark's log generator
    python3
    # the fuzz targets: libFuzzer and the sanitizers come with clang's runtime
    clang libclang-rt-14-dev
)

say() { printf 'bootstrap: %s\n' "$*" >&2; }

# One banner per phase, and one naming the phase that failed, so a red CI log says at once
# where to look. Each phase also says how long it took.
current_phase=
phase_started=0
end_phase() {
    [ -n "$current_phase" ] || return 0
    printf '==== %s: done in %d s\n' "$current_phase" $((SECONDS - phase_started)) >&2
}
phase() {
    end_phase
    current_phase=$1
    phase_started=$SECONDS
    printf '\n==== %s\n' "$current_phase" >&2
}
report_failure() {
    local status=$?
    [ $status -eq 0 ] && return 0
    printf '\n==== FAILED: %s (after %d s)\n' "$current_phase" $((SECONDS - phase_started)) >&2
    return $status
}

install_missing() {
    local missing=()
    for package in "${packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$package")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    say "installing ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { say "run as root or install sudo"; exit 1; }
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}"
}

build() {
    local preset=$1
    # One ccache for every clone of the repository on this machine. The debug information
    # names the build folder, which ccache would otherwise count as part of every compilation.
    export CCACHE_BASEDIR="$repo" CCACHE_NOHASHDIR=1
    cmake --preset "$preset" -S "$repo" >/dev/null
    cmake --build --preset "$preset"
}

# The keychain tests talk to a real gnome-keyring, inside a D-Bus session of their own and with a
# keyring folder of their own, so nothing of the machine's own keyring is touched.
run_tests() {
    local preset=$1 keyrings status=0
    keyrings=$(mktemp -d)
    XDG_DATA_HOME="$keyrings" dbus-run-session -- bash -c '
        printf "opsbench-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
        # The daemon can answer before its keyring is unlocked; a test that stores a key then
        # fails with "locked collection". Wait (at most 5 s) until it says the keyring is open.
        for _ in $(seq 50); do
            dbus-send --session --print-reply --dest=org.freedesktop.secrets \
                /org/freedesktop/secrets/collection/login org.freedesktop.DBus.Properties.Get \
                string:org.freedesktop.Secret.Collection string:Locked 2>/dev/null \
                | grep -q "boolean false" && break
            sleep 0.1
        done
        cd "$1" && ctest --preset "$2" --parallel 2
    ' bash "$repo" "$preset" 2> >(grep -v "Failed to set fd limit" >&2) || status=$?
    rm -rf "$keyrings"
    return $status
}

case "$mode" in
    run)
        install_missing
        build dev
        # The window; without a display, pass --screenshot DIR to render it to PNG instead.
        exec "$repo/build/dev/app/gui/opsbench" "$@"
        ;;
    test)
        trap report_failure EXIT
        phase "install packages"
        install_missing
        phase "build (ci preset)"
        build ci
        phase "tests (ci preset)"
        run_tests ci
        phase "build (asan preset: AddressSanitizer, LeakSanitizer, UBSan)"
        build asan
        phase "tests (asan preset)"
        run_tests asan
        phase "build (fuzz preset)"
        build fuzz
        phase "fuzzers, 15 s per target"
        "$repo/tests/fuzz/run_fuzzers.sh" 15
        end_phase
        ;;
    *)
        sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac
