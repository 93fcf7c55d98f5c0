#!/usr/bin/env bash
# The Windows CLI's journeys, run under Wine (Debian's wine64) against the sandbox Azure DevOps,
# with every secret in Wine's Windows Credential Manager. `make test-platforms` runs it after
# `make dist`; on its own: `make test-wine`.
#
# What runs is what ships: ado-connect-cli.exe unzipped from the Windows zip `make dist` built.
# Two pieces of test scaffolding, built here from source with MinGW and never shipped:
#  - bcryptprimitives.dll (bcryptprimitives.c): Rust's standard library calls ProcessPrng, which
#    Wine 8 lacks; this one-function DLL beside the exe answers it from RtlGenRandom;
#  - credtool.exe (credtool.c): lists and reads the Credential Manager through its own API, so
#    the journeys see what the CLI stored without taking the CLI's word for it.
#
# The journeys, in order:
#  1. Azure DevOps Server with a PAT: verify --save (the CLI reports "Windows Credential
#     Manager"; the profile lands in %APPDATA%\ado-connect, the PAT only in the Credential
#     Manager), check, hooks plan / apply / list / test (to `receive`, also under Wine) / remove.
#  2. A product hand-off (Kong Konnect on Services with a Code (Read) and Project (Read) PAT): its
#     checks, the fields, and an export file without secrets.
#  3. Microsoft Entra sign-in with the device code (approved on the sandbox's sign-in page): the
#     token pair is longer than the 1,280 characters one credential holds, so it is split into
#     parts under a manifest. A new process reads it back (the parts reassemble to the digest in
#     the manifest; the sandbox sees no token request, so the stored access token was used as
#     stored) and runs hooks apply / list / remove on it.
#  4. logout of each connection: its credentials are gone, and at the end nothing of ours is left
#     in the Credential Manager and no connection in the profile file.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

fail() { echo "wine journeys: FAILED: $*" >&2; exit 1; }
step() { echo "wine journeys: $*"; }

zip=${ADO_CONNECT_WINDOWS_ZIP:-$(ls -t target/release/bundle/zip/*windows*.zip 2>/dev/null | head -1)}
[ -f "$zip" ] || fail "no Windows zip under target/release/bundle/zip (run make dist)"
emulator_bin=$root/target/debug/ado-emulator
[ -x "$emulator_bin" ] || fail "$emulator_bin is not built (make build)"
wine=/usr/lib/wine/wine64
wineserver=/usr/lib/wine/wineserver
[ -x "$wine" ] || fail "no $wine (scripts/install-system-deps.sh wine)"

work=$(mktemp -d /tmp/ado-connect-wine.XXXXXX)
export WINEPREFIX=$work/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
emulator_pid=""
receiver_pid=""
cleanup() {
  status=$?
  [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null
  "$wineserver" -k 2>/dev/null || true
  if [ "$status" -ne 0 ] && [ -z "${ADO_CONNECT_KEEP_WINE:-}" ]; then
    echo "wine journeys: the last outputs:" >&2
    for f in $(ls -t "$work"/*.out "$work"/*.err 2>/dev/null | head -4); do echo "--- $f" >&2; head -c 3000 "$f" >&2; echo >&2; done
  fi
  if [ -n "${ADO_CONNECT_KEEP_WINE:-}" ]; then echo "wine journeys: kept $work" >&2; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- The app, as shipped, and the scaffolding beside it ------------------------------------------
step "unzipping $(basename "$zip")"
mkdir -p "$work/zip" "$work/tools"
unzip -q "$zip" -d "$work/zip"
app=$(dirname "$(find "$work/zip" -name ado-connect-cli.exe | head -1)")
[ -f "$app/ado-connect-cli.exe" ] || fail "the zip holds no ado-connect-cli.exe"
[ ! -e "$app/bcryptprimitives.dll" ] || fail "the zip ships bcryptprimitives.dll (test scaffolding only)"
step "building the test scaffolding with MinGW (bcryptprimitives.dll, credtool.exe)"
x86_64-w64-mingw32-gcc -O2 -Wall -Werror -shared -o "$app/bcryptprimitives.dll" tests/wine/bcryptprimitives.c -ladvapi32
x86_64-w64-mingw32-gcc -O2 -Wall -Werror -municode -o "$work/tools/credtool.exe" tests/wine/credtool.c -ladvapi32
cp "$app/bcryptprimitives.dll" "$work/tools/"

step "creating a Wine prefix"
"$wine" wineboot --init >"$work/wineboot.log" 2>&1 || fail "wineboot failed: $(cat "$work/wineboot.log")"
appdata=$WINEPREFIX/drive_c/users/$(id -un)/AppData/Roaming
# Wine's Z: drive is the Unix root.
winpath() { printf 'Z:%s' "${1//\//\\}"; }

# ---- Helpers ----------------------------------------------------------------------------------------
# cli NAME ARGS...: runs ado-connect-cli.exe; stdout in $work/NAME.out, stderr in $work/NAME.err;
# returns its exit status.
cli() {
  local name=$1; shift
  local status=0
  timeout 180 "$wine" "$app/ado-connect-cli.exe" "$@" >"$work/$name.out" 2>"$work/$name.err" </dev/null || status=$?
  return "$status"
}
# ok NAME ARGS...: cli, which must exit 0.
ok() {
  local name=$1 status=0
  cli "$@" || status=$?
  [ "$status" -eq 0 ] || fail "$name exited $status: $(head -c 2000 "$work/$name.err") $(head -c 2000 "$work/$name.out")"
}
# expect FILE PYTHON-EXPRESSION [MESSAGE]: the expression holds for d = the JSON in FILE.
expect() {
  python3 - "$1" "$2" "${3:-}" <<'PY' || fail "${3:-$2} (in $(basename "$1"))"
import json, sys
path, expr, message = sys.argv[1:4]
text = open(path, encoding="utf-8").read()
try:
    d = json.loads(text)
except ValueError:
    print(f"not JSON: {text[:2000]}", file=sys.stderr)
    sys.exit(1)
if not eval(expr, {"d": d}):
    print(f"{message or expr}\n  got: {json.dumps(d)[:3000]}", file=sys.stderr)
    sys.exit(1)
PY
}
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$1" "$2"; }
# The credentials ours in the Credential Manager, "target<TAB>bytes" per line.
creds() { timeout 60 "$wine" "$work/tools/credtool.exe" list | tr -d '\r'; }
cred_read() { timeout 60 "$wine" "$work/tools/credtool.exe" read "$1"; }

# ---- The sandbox --------------------------------------------------------------------------------
# The demo world plus one user whose Microsoft Entra token pair is as long as a real one. The
# sandbox's tokens carry few claims (~770 characters for Demo Admin); real Entra tokens carry
# more and run to 1.5-2.5 KB. A display name (Entra allows 256 characters) and a sign-in name
# (113) at Entra's limits make the pair ~1,500 characters: more than one credential holds.
step "starting the sandbox"
"$emulator_bin" --print-scenario --scenario demo >"$work/demo.json"
long_name="Maximiliana Alexandrovna Konstantinopoulou-Wolfeschlegelsteinhausenbergerdorff"
long_name="$long_name (Contractor, Platform Engineering, Release Management and Developer Experience, Fabrikam Fiber Cloud Operations EMEA, on assignment from Contoso Consulting Services Ltd)"
long_email="maximiliana.alexandrovna.konstantinopoulou.wolfeschlegelsteinha@platform-engineering.fabrikam.example"
python3 - "$work/demo.json" "$work/scenario.json" "$long_name" "$long_email" <<'PY'
import json, sys
source, target, name, email = sys.argv[1:5]
assert len(name) <= 256 and len(email) <= 113, (len(name), len(email))
s = json.load(open(source))
s["users"].append({"displayName": name, "email": email})
for org in s["organizations"]:
    if org["name"] == "fabrikam":
        for project in org["projects"]:
            if project["name"] == "Fiber Cloud":
                project.setdefault("administrators", []).append(email)
json.dump(s, open(target, "w"))
PY
"$emulator_bin" --scenario "$work/scenario.json" --host 127.0.0.1 --port 0 --device-code-interval-secs 1 \
  >"$work/sandbox.json" 2>"$work/emulator.log" &
emulator_pid=$!
for _ in $(seq 1 100); do [ -s "$work/sandbox.json" ] && break; sleep 0.1; done
[ -s "$work/sandbox.json" ] || fail "the sandbox did not start: $(cat "$work/emulator.log")"
base=$(json_get "$work/sandbox.json" 'd["baseUrl"]')
control=$(json_get "$work/sandbox.json" 'd["controlUrl"]')
full_pat=$(json_get "$work/sandbox.json" 'd["pats"][0]["token"]')
code_pat=$(json_get "$work/sandbox.json" '[p["token"] for p in d["pats"] if sorted(p["scopes"]) == ["vso.code", "vso.project"] and not p["expired"] and not p["revoked"]][0]')
export ADO_CONNECT_AUTHORITY=$base RUST_LOG=error HOOK_SECRET=wine-journeys-secret-0123456789abcdef
unset ADO_CONNECT_CONFIG_DIR ADO_CONNECT_SECRET_STORE ADO_PAT ADO_SP_SECRET

ok version --version
grep -q '^ado-connect-cli ' "$work/version.out" || fail "--version printed: $(cat "$work/version.out")"
step "ado-connect-cli.exe starts under Wine: $(cat "$work/version.out")"
[ -z "$(creds)" ] || fail "the fresh prefix already holds ado-connect credentials"

# ---- 1. Azure DevOps Server with a PAT ----------------------------------------------------------
server=(--server-url "$base/tfs" --collection DefaultCollection)
step "1. verify --save on $base/tfs/DefaultCollection"
ADO_PAT=$full_pat ok verify verify "${server[@]}" --save --expires-on 2099-01-31
expect "$work/verify.out" 'd["ok"] is True and d["secretStore"] == "credentialManager"'
expect "$work/verify.out" 'd["secretStoreDescription"] == "Windows Credential Manager"' \
  'the CLI reports "Windows Credential Manager"'
server_id=$(json_get "$work/verify.out" 'd["profile"]["id"]')
pat_key=$(json_get "$work/verify.out" 'd["profile"]["secretKey"]')
profiles_file=$appdata/ado-connect/connections.json
[ -f "$profiles_file" ] || fail "no profile in %APPDATA%\\ado-connect ($profiles_file)"
grep -q "$server_id" "$profiles_file" || fail "the profile file does not name $server_id"
! grep -q "$full_pat" "$profiles_file" || fail "the PAT is in the profile file"
[ "$(cred_read "$pat_key.ado-connect")" = "$full_pat" ] || fail "the Credential Manager does not hold the PAT under $pat_key.ado-connect"
step "   saved $server_id: profile in %APPDATA%\\ado-connect, the PAT in the Credential Manager as $pat_key.ado-connect"

step "1. check (every capability)"
ADO_PAT=$full_pat ok check check "${server[@]}" --project "Fabrikam Fiber" \
  --capabilities repos,pulls,pipelines,boards,webhooks --json
expect "$work/check.out" 'd["ok"] is True' "check passes"

step "1. receive (under Wine too), hooks plan / apply / list / test / remove"
"$wine" "$app/ado-connect-cli.exe" receive --port 0 --secret-env HOOK_SECRET --json \
  >"$work/receive.out" 2>"$work/receive.err" </dev/null &
receiver_pid=$!
for _ in $(seq 1 300); do grep -q listening "$work/receive.out" 2>/dev/null && break; sleep 0.1; done
receiver=$(head -1 "$work/receive.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["listening"])') ||
  fail "receive did not start: $(cat "$work/receive.err")"
selection=(--project "Fabrikam Fiber" --repository fiber-api --branch main --url "${receiver}hooks/ado")
ok plan hooks plan "${server[@]}" "${selection[@]}" --json
expect "$work/plan.out" 'len(d["plan"]["create"]) == 5' "the plan creates five subscriptions"
ok apply hooks apply "${server[@]}" "${selection[@]}" --secret-env HOOK_SECRET --json
expect "$work/apply.out" 'len(d["report"]["created"]) == 5 and d["report"]["secret"] is None'
creds | grep -q "^hook-secret:$server_id\.ado-connect" || fail "the webhook secret is not in the Credential Manager: $(creds)"
ok list hooks list "${server[@]}" --json
expect "$work/list.out" 'len(d["hooks"]) == 5 and all(h["status"] == "enabled" for h in d["hooks"])'
push_id=$(json_get "$work/apply.out" '[c["subscriptionId"] for c in d["report"]["created"] if c["event"] == "git.push"][0]')
ok test hooks test "${server[@]}" --id "$push_id" --json
expect "$work/test.out" 'd["tests"][0]["delivered"] is True and d["tests"][0]["receiverStatus"] == 200' \
  "the test event reached the receiver, which accepted the secret"
grep -q '"accepted":true' "$work/receive.out" || fail "the receiver did not accept the delivery: $(cat "$work/receive.out")"
kill "$receiver_pid" 2>/dev/null; wait "$receiver_pid" 2>/dev/null || true; receiver_pid=""
ok remove hooks remove "${server[@]}" --json
expect "$work/remove.out" 'len(d["removed"]) == 5'
remaining=$(curl -sf -u ":$full_pat" "$base/tfs/DefaultCollection/_apis/hooks/subscriptions?api-version=7.0" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
[ "$remaining" = 0 ] || fail "$remaining subscriptions left on the server after remove"

# ---- 2. A product hand-off ----------------------------------------------------------------------
step "2. handoff: Kong Konnect on Services with a Code (Read) + Project (Read) PAT, and an export file"
services=(--organization fabrikam --services-url "$base/")
export_file=$work/handoff-export.json
ADO_PAT=$code_pat ok handoff handoff --profile "$(winpath "$root/profiles/kong-konnect.toml")" "${services[@]}" \
  --json --show-secrets --export "$(winpath "$export_file")"
expect "$work/handoff.out" \
  '[f["value"] for f in d["handoff"]["fields"]][:2] == ["fabrikam", "'"$code_pat"'"]' \
  "the hand-off gives the organization and the PAT"
grep -q "secrets in Windows Credential Manager" "$work/handoff.err" ||
  fail "handoff did not save its connection in the Credential Manager: $(cat "$work/handoff.err")"
[ -s "$export_file" ] || fail "no export file at $export_file"
expect "$export_file" 'd["secretsIncluded"] is False and d["fields"][1]["value"] is None' \
  "the export file holds no secret without --include-secrets"
! grep -q "$code_pat" "$export_file" || fail "the export file holds the PAT without --include-secrets"

# ---- 3. Microsoft Entra sign-in: a token pair split over several credentials -----------------
step "3. login --device-code, approved on the sandbox's sign-in page"
"$wine" "$app/ado-connect-cli.exe" login "${services[@]}" --device-code \
  >"$work/login.out" 2>"$work/login.err" </dev/null &
login_pid=$!
user_code=""
for _ in $(seq 1 300); do
  user_code=$(grep -o 'enter the code [A-Z0-9]*' "$work/login.err" 2>/dev/null | awk '{print $4}' || true)
  [ -n "$user_code" ] && break
  sleep 0.1
done
[ -n "$user_code" ] || fail "login printed no device code: $(cat "$work/login.err")"
curl -sf -o "$work/devicelogin.html" "$base/devicelogin" \
  --data-urlencode "otc=$user_code" --data-urlencode action=approve --data-urlencode "user=$long_email" ||
  fail "the sandbox's sign-in page refused the code"
status=0; wait "$login_pid" || status=$?
[ "$status" -eq 0 ] || fail "login exited $status: $(cat "$work/login.err" "$work/login.out")"
expect "$work/login.out" 'd["ok"] is True and d["secretStore"] == "credentialManager"'
expect "$work/login.out" 'd["user"]["displayName"] == "'"$long_name"'"' "signed in as the long-named user"
entra_id=$(json_get "$work/login.out" 'd["profile"]["id"]')
token_key=$(json_get "$work/login.out" 'd["profile"]["secretKey"]')

# What the Credential Manager holds for it: a manifest and its parts, each within the limit.
creds >"$work/creds-after-login.txt"
grep -F "$token_key" "$work/creds-after-login.txt" >"$work/token-creds.txt" || fail "no credential $token_key: $(cat "$work/creds-after-login.txt")"
parts=$(grep -c "^$token_key#part[0-9]*\.ado-connect" "$work/token-creds.txt" || true)
[ "$parts" -ge 2 ] || fail "the token pair was not split ($parts parts): $(cat "$work/token-creds.txt")"
awk -F'\t' '$2 > 2560 { bad = 1 } END { exit bad }' "$work/token-creds.txt" ||
  fail "a credential over the 2,560-byte limit: $(cat "$work/token-creds.txt")"
manifest=$(cred_read "$token_key.ado-connect")
: >"$work/token-pair"
for n in $(seq 1 "$parts"); do cred_read "$token_key#part$n.ado-connect" >>"$work/token-pair"; done
python3 - "$manifest" "$work/token-pair" "$parts" <<'PY' || fail "the token pair does not read back intact"
import hashlib, json, sys
manifest, path, parts = sys.argv[1], sys.argv[2], int(sys.argv[3])
whole = open(path, encoding="utf-8").read()
prefix, version, count, digest = manifest.split(":")
assert (prefix, version) == ("ado-connect-chunked", "v1"), manifest
assert int(count) == parts, (count, parts)
assert hashlib.sha256(whole.encode()).hexdigest()[:16] == digest, "digest"
pair = json.loads(whole)
assert pair["accessToken"] and pair["refreshToken"], "an access and a refresh token"
assert len(whole) > 1280, len(whole)
print(f"wine journeys:    the token pair ({len(whole)} characters) is in {parts} parts under a manifest; "
      "reassembled, it matches the manifest's digest")
PY

step "3. a new process reads the pair back: hooks plan / apply / list / remove on the Entra connection"
# The sandbox's request log saw the sign-in's token requests; from now on it must see none: the
# next processes use the access token as the Credential Manager gave it back, no refresh.
curl -sf "$control/requests" >"$work/login-requests.json"
expect "$work/login-requests.json" '[r for r in d["value"] if r["kind"] == "token"]' \
  "the request log records the sign-in's token requests"
curl -sf -X DELETE "$control/requests" >/dev/null
entra_selection=(--project "Fiber Cloud" --url "http://127.0.0.1:9/entra-hooks")
ok eplan hooks plan "${services[@]}" "${entra_selection[@]}" --json
expect "$work/eplan.out" 'len(d["plan"]["create"]) >= 1'
ok eapply hooks apply "${services[@]}" "${entra_selection[@]}" --secret-env HOOK_SECRET --json
expect "$work/eapply.out" 'len(d["report"]["created"]) >= 1'
curl -sf "$control/requests" >"$work/requests.json"
expect "$work/requests.json" \
  'd["value"] and not [r for r in d["value"] if r["kind"] in ("token", "deviceCode") or r["path"].endswith("/token")]' \
  "no token request: the stored access token was used as stored"
ok elist hooks list "${services[@]}" --json
expect "$work/elist.out" 'len(d["hooks"]) >= 1'
ok eremove hooks remove "${services[@]}" --json
expect "$work/eremove.out" 'len(d["removed"]) >= 1'

# ---- 4. logout -------------------------------------------------------------------------------------
step "4. logout of each connection; nothing of ours left in the Credential Manager"
ok elogout logout --id "$entra_id"
expect "$work/elogout.out" 'd["removed"] == ["'"$entra_id"'"]'
! creds | grep -qF "$token_key" || fail "the token pair survived logout: $(creds)"
ok slogout logout --id "$server_id"
! creds | grep -qF ":$server_id" || fail "the server connection's secrets survived logout: $(creds)"
ok rest logout --all --keep-hooks
left=$(creds)
[ -z "$left" ] || fail "credentials left after logging out of everything: $left"
python3 - "$profiles_file" <<'PY' || fail "connections left in the profile file"
import json, sys
assert not json.load(open(sys.argv[1])).get("connections"), open(sys.argv[1]).read()
PY
step "passed: verify/check/hooks/handoff/login/logout of the Windows CLI under Wine, secrets in the Credential Manager"
