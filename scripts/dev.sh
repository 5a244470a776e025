#!/usr/bin/env bash
# Developer entry points of xdas-rs, for a Debian/Ubuntu machine with Rust installed.
#
#   scripts/dev.sh deps          install what the build needs (system packages, rustfmt, clippy)
#   scripts/dev.sh demo [ARGS]   deps, then `xdas demo ARGS` (release build)
#   scripts/dev.sh test [ARGS]   deps, then `cargo test --workspace ARGS`
set -euo pipefail

# Debian/Ubuntu packages the build needs. A crate that needs another C library appends
# its -dev package here, and the pkg-config module it provides to PKG_CONFIG_MODULES.
APT_PACKAGES=(pkg-config libhdf5-dev libclang-dev)
# pkg-config modules that must be found; when all are, apt is not touched at all.
PKG_CONFIG_MODULES=(hdf5)
# Rust toolchain components the checks use.
RUST_COMPONENTS=(rustfmt clippy)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '==> %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# True when pkg-config exists and finds every module of PKG_CONFIG_MODULES, and libclang
# (no pkg-config module; bindgen needs it to build libmseed's bindings for miniSEED) is
# installed.
system_deps_present() {
    command -v pkg-config >/dev/null 2>&1 || return 1
    local module
    for module in "${PKG_CONFIG_MODULES[@]}"; do
        pkg-config --exists "$module" || return 1
    done
    compgen -G '/usr/lib/llvm-*/lib/libclang*.so*' >/dev/null ||
        compgen -G '/usr/lib/*/libclang*.so*' >/dev/null || return 1
}

# True when root, or when sudo works without a password or can ask for one.
can_be_root() {
    [ "$(id -u)" -eq 0 ] ||
        { command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; }
}

# Run a command as root: directly when root, else through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        env DEBIAN_FRONTEND=noninteractive "$@"
    else
        sudo env DEBIAN_FRONTEND=noninteractive "$@"
    fi
}

install_system_deps() {
    if system_deps_present; then
        return 0
    fi
    local hint="install them with: sudo apt-get install -y ${APT_PACKAGES[*]}"
    command -v apt-get >/dev/null 2>&1 ||
        die "missing system packages and no apt-get here; $hint (or your system's equivalents)"
    can_be_root || die "missing system packages (not root, no usable sudo); $hint"
    log "installing system packages: ${APT_PACKAGES[*]}"
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
    system_deps_present ||
        die "pkg-config still does not find: ${PKG_CONFIG_MODULES[*]} (after installing ${APT_PACKAGES[*]})"
}

install_rust_components() {
    local component
    for component in "${RUST_COMPONENTS[@]}"; do
        if cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
            continue
        fi
        if command -v rustup >/dev/null 2>&1; then
            log "adding Rust component: $component"
            rustup component add "$component"
        else
            die "cargo ${component/rustfmt/fmt} is missing and rustup is not here to add $component"
        fi
    done
}

deps() {
    command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust (https://rustup.rs) first"
    install_system_deps
    install_rust_components
}

usage() {
    sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
deps) deps ;;
demo)
    deps
    cargo run --release -p xdas-cli --bin xdas -- demo "$@"
    ;;
test)
    deps
    cargo test --workspace "$@"
    ;;
-h | --help | help) usage ;;
*)
    usage >&2
    exit 2
    ;;
esac
