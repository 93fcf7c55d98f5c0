#!/usr/bin/env bash
# Installs the Debian 12 packages ADO Connect needs, only those missing.
#   scripts/install-system-deps.sh build   # to build and run the app
#   scripts/install-system-deps.sh test    # also what the tests need (Xvfb, WebKitWebDriver, gnome-keyring, ...)
#   scripts/install-system-deps.sh windows # only the Windows build's toolchain (Debian's Rust + std source, MinGW, zip)
#   scripts/install-system-deps.sh wine    # that and Wine, for the Windows CLI's journeys (make test-platforms)
set -euo pipefail
if [ "${1:-build}" = windows ] || [ "${1:-build}" = wine ]; then
  want=(rustc-web cargo-web rust-web-src rust-web-clippy gcc-mingw-w64-x86-64 file zip unzip)
  [ "$1" = wine ] && want+=(wine64 curl)
else
want=(libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev pkg-config
  libdbus-1-dev xdg-utils)
fi
if [ "${1:-build}" = test ] || [ "${1:-build}" = demo ]; then
  want+=(xvfb xauth webkit2gtk-driver imagemagick x11-utils xdotool gnome-keyring dbus dbus-x11
    libsecret-tools keyutils python3-venv nodejs npm)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node and npm may come from outside Debian (e.g. a preinstalled toolchain): do not fight it.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=(); for p in "${missing[@]}"; do [ "$p" = nodejs ] || [ "$p" = npm ] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi
if [ "${#missing[@]}" -eq 0 ]; then echo "system packages: all present"; exit 0; fi
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
