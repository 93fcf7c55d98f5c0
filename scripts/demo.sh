#!/usr/bin/env bash
# Starts the bundled sandbox Azure DevOps (ado-emulator, demo scenario) and opens the wizard on it.
# On a machine without a display, it opens the wizard on a virtual one and saves a screenshot.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=target/demo
mkdir -p "$dir"
: > "$dir/sandbox.json"
target/debug/ado-emulator --scenario demo --port "${ADO_DEMO_PORT:-0}" > "$dir/sandbox.json" 2> "$dir/emulator.log" &
emulator=$!
trap 'kill $emulator 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$dir/sandbox.json" ] && break; sleep 0.1; done
if [ ! -s "$dir/sandbox.json" ]; then echo "the sandbox did not start; see $dir/emulator.log" >&2; exit 1; fi
export ADO_CONNECT_SANDBOX="$PWD/$dir/sandbox.json"
# Microsoft Entra sign-in against the sandbox's own identity endpoints.
ADO_CONNECT_AUTHORITY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["baseUrl"])' "$dir/sandbox.json")
export ADO_CONNECT_AUTHORITY
python3 - "$dir/sandbox.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print("Sandbox Azure DevOps is running:")
for u in s.get("collectionUrls", []): print("  collection  ", u)
for u in s.get("organizationUrls", []): print("  organization", u)
print("  demo PAT    ", s["pats"][0]["token"], "(" + s["pats"][0]["user"] + ")")
print("In the wizard, press 'Use the sandbox server' (PAT) or 'Use the sandbox organization' (Microsoft sign-in), then go on.")
print()
print("Webhooks: in the Webhooks step, use a receiver on this machine, e.g. http://127.0.0.1:9911/hooks, then run")
print("  ADO_HOOK_SECRET='<the secret the wizard shows>' target/debug/ado-connect-cli receive --port 9911 --secret-env ADO_HOOK_SECRET")
print("and fire events into the sandbox:")
print("  curl -s -X POST " + s["baseUrl"] + "/_emulator/events -H 'Content-Type: application/json' \\")
print("    -d '{\"kind\":\"push\",\"host\":\"tfs/DefaultCollection\",\"project\":\"Fabrikam Fiber\",\"repository\":\"fiber-api\",\"branch\":\"main\"}'")
PY
# A product to onboard into: ADO_DEMO_PROFILE=dx (or a path), else asked when there is a terminal.
profiles=(dbt dx kong-konnect datafold appcircle)
profile="${ADO_DEMO_PROFILE:-}"
if [ -z "$profile" ] && [ -t 0 ]; then
  echo "Open the wizard for a product? The sandbox works with any of the shipped profiles:"
  echo "  0) none (the plain wizard)"
  for i in "${!profiles[@]}"; do echo "  $((i + 1))) ${profiles[$i]}  (profiles/${profiles[$i]}.toml)"; done
  read -r -p "Choose 0-${#profiles[@]} [0]: " choice || choice=0
  case "${choice:-0}" in
    [1-9]) profile="${profiles[$((choice - 1))]:-}" ;;
  esac
fi
args=()
if [ -n "$profile" ] && [ "$profile" != none ]; then
  file="$profile"
  [ -f "$file" ] || file="profiles/$profile.toml"
  if [ ! -f "$file" ]; then echo "no product profile $profile (choose one of: ${profiles[*]})" >&2; exit 2; fi
  args=(--profile "$PWD/$file")
  echo "Opening the wizard for the product profile $file."
else
  echo "Opening the plain wizard (ADO_DEMO_PROFILE=dx make demo opens it for DX; any of: ${profiles[*]})."
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  target/debug/ado-connect "${args[@]}"
else
  echo "No display here: opening the wizard on a virtual display; screenshot in $dir/wizard.png"
  scripts/desktop-session.sh sh -c "
    target/debug/ado-connect ${args[*]:+$(printf '%q ' "${args[@]}")} & app=\$!
    sleep \${ADO_DEMO_SCREENSHOT_AFTER:-8}
    # The window itself (its own geometry), not the whole virtual screen.
    win=\$(xdotool search --onlyvisible --name '^ADO Connect\$' 2>/dev/null | head -n1)
    import -window \"\${win:-root}\" '$dir/wizard.png' && echo \"saved $dir/wizard.png (\$(identify -format '%wx%h' '$dir/wizard.png' 2>/dev/null))\"
    if [ -n \"\${ADO_DEMO_KEEP:-}\" ]; then wait \$app; else kill \$app; fi"
fi
