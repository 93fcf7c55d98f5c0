#!/usr/bin/env bash
# Runs a command inside a throwaway desktop session: a virtual X display (Xvfb), a private D-Bus
# session bus, and an unlocked GNOME Keyring (the real Secret Service), with XDG directories in a
# temporary folder so nothing touches the user's own keyring or config.
#   scripts/desktop-session.sh cargo test --workspace
set -euo pipefail
if [ "${ADO_CONNECT_IN_DESKTOP_SESSION:-}" = 1 ]; then exec "$@"; fi
tmp=$(mktemp -d /tmp/ado-connect-session.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p -m700 "$tmp/run" "$tmp/data" "$tmp/config" "$tmp/cache"
export XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"
export NO_AT_BRIDGE=1 ADO_CONNECT_IN_DESKTOP_SESSION=1
# Not `exec`: the shell must outlive the session so its EXIT trap removes the folder.
trap 'exit 143' TERM
trap 'exit 130' INT
status=0
# shellcheck disable=SC2016
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- sh -c '
  echo -n ado-connect-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  exec "$@"' sh "$@" || status=$?
exit "$status"
