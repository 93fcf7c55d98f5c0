#!/usr/bin/env bash
# The Windows release as a zip a Windows admin unzips and starts: ado-connect.exe (the wizard),
# WebView2Loader.dll beside it (the gnu target loads WebView2 through it), ado-connect-cli.exe and
# a short README.txt. Zips the files scripts/check-windows.sh built (`make dist` runs that first);
# nothing is downloaded. Output: target/release/bundle/zip/ADO Connect_<version>_x64-windows.zip
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/windows/x86_64-pc-windows-gnu/release
for f in ado-connect.exe ado-connect-cli.exe WebView2Loader.dll; do
  [ -f "$out/$f" ] || { echo "dist-windows: $out/$f is missing; run scripts/check-windows.sh" >&2; exit 1; }
done
# Only Windows' own DLLs and the WebView2 loader may be needed beside the exes: a MinGW runtime
# DLL (libgcc_s, libwinpthread, libstdc++) would be missing on the admin's machine.
for exe in ado-connect.exe ado-connect-cli.exe; do
  extra=$(x86_64-w64-mingw32-objdump -p "$out/$exe" | awk '/DLL Name:/ {print $3}' |
    grep -viE '^(combase|kernel32|user32|gdi32|advapi32|shell32|ole32|oleaut32|comctl32|comdlg32|shlwapi|uxtheme|dwmapi|ws2_32|bcrypt|bcryptprimitives|ntdll|crypt32|secur32|ncrypt|userenv|iphlpapi|dbghelp|psapi|winmm|imm32|version|setupapi|propsys|uiautomationcore|msvcrt|winspool\.drv|rpcrt4|shcore|dxgi|d3d11|gdiplus|winhttp|wininet|msimg32|powrprof|oleacc|dwrite|api-ms-win-[a-z0-9-]+|WebView2Loader)\.dll$' || true)
  [ -z "$extra" ] || { echo "dist-windows: $exe needs DLLs a Windows machine lacks: $extra" >&2; exit 1; }
done
version=$(python3 -c 'import json; print(json.load(open("src-tauri/tauri.conf.json"))["version"])')
name="ADO Connect_${version}_x64-windows"
stage=$(mktemp -d /tmp/ado-connect-dist-windows.XXXXXX)
trap 'rm -rf "$stage"' EXIT
folder="$stage/ADO Connect $version"
mkdir -p "$folder"
cp "$out/ado-connect.exe" "$out/ado-connect-cli.exe" "$out/WebView2Loader.dll" "$folder/"
title="ADO Connect $version for Windows (64-bit)"
# Windows line endings, so Notepad on any Windows shows it right.
sed 's/$/\r/' >"$folder/README.txt" <<EOF
$title
$(printf '%*s' "${#title}" '' | tr ' ' '=')

A setup wizard that connects to Azure DevOps Services (dev.azure.com) or Azure DevOps Server
(on-premises, formerly TFS): it verifies the connection, checks what it is for, registers
webhooks and hands the connection over to a product.

In this folder
  ado-connect.exe       the wizard: double-click it
  WebView2Loader.dll    keep it next to ado-connect.exe (the wizard's window needs it)
  ado-connect-cli.exe   the same, headless, for scripts and CI (ado-connect-cli --help)
  README.txt            this file

Requirements
  Windows 10 or 11, 64-bit, and the Microsoft Edge WebView2 Runtime for the wizard's window.
  Windows 11 has it, and so has Windows 10 with current updates. If ado-connect.exe does not open,
  install the Evergreen WebView2 Runtime from
  https://developer.microsoft.com/microsoft-edge/webview2/ . ado-connect-cli.exe does not need it.

Nothing to install: unzip the folder anywhere (no administrator rights needed) and start
ado-connect.exe. To remove it: Forget your connections in the wizard (or run
"ado-connect-cli logout --all --remove-hooks", or --keep-hooks to leave their webhooks
delivering), then delete the folder.

Where things are kept
  Secrets (personal access tokens, sign-in tokens, service principal and webhook secrets) only in
  Windows Credential Manager, as generic credentials of the signed-in user named
  "<key>.ado-connect" (Control Panel > Credential Manager > Windows Credentials). A secret larger
  than one credential holds (2,560 bytes; a Microsoft sign-in's tokens) is split into
  "<key>#part<n>.ado-connect" credentials.
  Connection profiles (connections.json, no secrets) and the webhook journal in
  %APPDATA%\\ado-connect, private to your Windows account; the ADO_CONNECT_CONFIG_DIR environment
  variable moves them elsewhere.
  A product profile: start "ado-connect.exe --profile product.toml", or put a file named
  profile.toml next to ado-connect.exe (how a product ships a pre-configured copy).
EOF
mkdir -p target/release/bundle/zip
zip_path="$PWD/target/release/bundle/zip/$name.zip"
rm -f "$zip_path"
# -X: no Unix extra fields; -9: smallest.
(cd "$stage" && zip -q -X -9 -r "$zip_path" "ADO Connect $version")
echo "dist-windows: $zip_path ($(stat -c %s "$zip_path") bytes)"
unzip -l "$zip_path" | sed 's/^/dist-windows:   /'
