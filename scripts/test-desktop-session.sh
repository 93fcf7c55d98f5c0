#!/usr/bin/env bash
# Checks scripts/desktop-session.sh: the command's exit status comes through, and the temporary
# folder (XDG dirs, keyring) is gone afterwards, whether the command succeeds or fails.
set -euo pipefail
cd "$(dirname "$0")/.."
unset ADO_CONNECT_IN_DESKTOP_SESSION
for expected in 0 3; do
  record=$(mktemp)
  status=0
  scripts/desktop-session.sh sh -c 'echo "$XDG_RUNTIME_DIR" > "$1"; exit "$2"' sh "$record" "$expected" 2>/dev/null || status=$?
  session_dir=$(dirname "$(cat "$record")")
  rm -f "$record"
  [ "$status" = "$expected" ] || { echo "desktop-session: exit status $status, expected $expected" >&2; exit 1; }
  case "$session_dir" in /tmp/ado-connect-session.*) ;; *) echo "desktop-session: unexpected folder '$session_dir'" >&2; exit 1 ;; esac
  [ ! -e "$session_dir" ] || { echo "desktop-session: $session_dir was left behind" >&2; exit 1; }
done
echo "desktop-session: exit status passed through, temporary folder removed"
