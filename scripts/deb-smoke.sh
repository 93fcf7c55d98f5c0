#!/usr/bin/env bash
# Installs the .deb that `make dist` built, starts the installed /usr/bin/ado-connect on the
# virtual display of scripts/desktop-session.sh, checks that the window paints (a screenshot of
# the display with many distinct colours, not a blank or single-colour screen), and uninstalls it.
# Refuses to run where an ado-connect package is already installed: that one is not ours to remove.
set -euo pipefail
cd "$(dirname "$0")/.."
debs=(target/release/bundle/deb/*.deb)
[ -f "${debs[0]}" ] || { echo "deb-smoke: no .deb under target/release/bundle/deb; run make dist" >&2; exit 1; }
if dpkg-query -W -f='${Status}' ado-connect 2>/dev/null | grep -q "install ok installed"; then
  echo "deb-smoke: an ado-connect package is already installed here; not touching it" >&2; exit 1
fi
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -qq --no-install-recommends "./${debs[0]}" >/dev/null
trap '$sudo dpkg --purge ado-connect >/dev/null' EXIT
[ -x /usr/bin/ado-connect ] || { echo "deb-smoke: the package did not install /usr/bin/ado-connect" >&2; exit 1; }
shot_dir=$(mktemp -d /tmp/ado-connect-deb-smoke.XXXXXX)
trap '$sudo dpkg --purge ado-connect >/dev/null; rm -rf "$shot_dir"' EXIT
# shellcheck disable=SC2016
ADO_CONNECT_IN_DESKTOP_SESSION='' scripts/desktop-session.sh bash -c '
  shot=$1/shot.png
  HOME=$1 /usr/bin/ado-connect >"$1/app.log" 2>&1 & app=$!
  colours=0
  for _ in $(seq 1 60); do
    sleep 1
    kill -0 "$app" 2>/dev/null || { echo "deb-smoke: the installed app exited:" >&2; cat "$1/app.log" >&2; exit 1; }
    import -window root "$shot" 2>/dev/null || continue
    colours=$(identify -format %k "$shot")
    [ "$colours" -ge 64 ] && break
  done
  kill "$app"; wait "$app" 2>/dev/null || true
  [ "$colours" -ge 64 ] || { echo "deb-smoke: the window did not paint ($colours colours on screen)" >&2; exit 1; }
  echo "deb-smoke: installed ado-connect painted its window ($colours distinct colours)"
' deb-smoke "$shot_dir"
