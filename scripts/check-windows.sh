#!/usr/bin/env bash
# The one Windows build, from this Debian machine (recipe: docs cross-platform notes): every crate
# that ships (not the emulator or the journeys, which are test-only) for x86_64-pc-windows-gnu, in
# the release profile that ships, with clippy's lints (-D warnings) on our own crates in the same
# compile, and ado-connect-cli.exe and ado-connect.exe linked. `make dist` zips exactly these
# files and the Wine journeys (tests/wine) run this ado-connect-cli.exe, so one build serves the
# check, the package and the journeys.
#
# Debian's rustc-web ships the standard library's source, so std is built for the target with
# -Zbuild-std (RUSTC_BOOTSTRAP=1 on a stable compiler); MinGW compiles the C in dependencies and
# links. clippy runs as the workspace wrapper of the one `cargo build` (not a second `cargo clippy`
# pass), so every dependency compiles once; the wrapper is part of cargo's fingerprint, so every
# caller goes through this script. Its own target dir keeps the normal build untouched and is the
# cache: a warm run rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-deps.sh windows
export PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$PWD/target/windows"
export RUSTC_WORKSPACE_WRAPPER=/usr/bin/clippy-driver
# clippy-driver reads its own arguments from CLIPPY_ARGS, separated by this marker (as cargo-clippy sets them).
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
unset RUSTC_WRAPPER RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_ENCODED_RUSTFLAGS
target=x86_64-pc-windows-gnu
# custom-protocol: the app serves its UI from the embedded files, as Tauri's own release build does.
/usr/bin/cargo build --locked --release -Zbuild-std=std,panic_abort --target "$target" \
  --config "target.$target.linker=\"x86_64-w64-mingw32-gcc\"" \
  -p ado-core -p ado-client -p ado-auth -p ado-flows -p ado-connect-cli -p ado-connect \
  --features ado-connect/custom-protocol
out="target/windows/$target/release"
for exe in ado-connect-cli.exe ado-connect.exe; do
  file "$out/$exe" | grep -q 'PE32+ executable.*x86-64' ||
    { echo "check-windows: $exe was not linked as a Windows x86-64 executable" >&2; exit 1; }
  echo "check-windows: linked $out/$exe ($(du -h "$out/$exe" | cut -f1))"
done
# The gnu target links the WebView2 loader dynamically: webview2-com-sys puts the DLL beside the exe.
[ -f "$out/WebView2Loader.dll" ] ||
  { echo "check-windows: $out/WebView2Loader.dll is missing (webview2-com-sys copies it there)" >&2; exit 1; }
