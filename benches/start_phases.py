#!/usr/bin/env python3
"""Where ADO Connect's start-up time goes: spawn → Tauri setup → page load started/finished →
first paint, and when the secret store probe (off the critical path) finished. Reads the app's
`RUST_LOG=ado_connect_lib=debug` phase lines from stderr and the screen as `first_paint.py` does.

    scripts/desktop-session.sh python3 benches/start_phases.py target/release/ado-connect
"""

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import first_paint  # noqa: E402  (same directory)



def one_run(x11, display, root, binary, width, height):
    home = tempfile.mkdtemp(prefix="start-phases-")
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/.config",
               XDG_DATA_HOME=f"{home}/.local/share", XDG_CACHE_HOME=f"{home}/.cache",
               RUST_LOG="ado_connect_lib=debug", NO_COLOR="1")
    phases = {}
    start = time.monotonic()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)

    def read():
        for line in proc.stderr:
            at = round((time.monotonic() - start) * 1000)
            if "setup" in line and "setup" not in phases:
                phases["setup"] = at
            elif "page load" in line:
                phases["page " + ("finished" if "Finished" in line else "started")] = at
            elif "app_info asked" in line and "app_info" not in phases:
                phases["app_info"] = at
            elif "state ready" in line:
                phases["state ready"] = at
            elif "secret store probed" in line:
                m = re.search(r"ms=(\d+)", line)
                phases["probe took"] = int(m.group(1)) if m else None

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        while time.monotonic() - start < first_paint.TIMEOUT_S:
            if first_paint.colours(x11, display, root, width, height) >= first_paint.MIN_COLOURS:
                phases["first paint"] = round((time.monotonic() - start) * 1000)
                break
            time.sleep(0.004)
        time.sleep(1.0)  # let the probe finish and log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and first_paint.colours(x11, display, root, width, height) > 1:
            time.sleep(0.02)
    return phases


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("binary")
    args = parser.parse_args()
    x11, display, root = first_paint.open_display()
    runs = [one_run(x11, display, root, args.binary, 720, 560) for _ in range(args.runs + 1)][1:]
    keys = ["setup", "page started", "page finished", "app_info", "first paint", "state ready",
            "probe took"]
    for key in keys:
        values = [r[key] for r in runs if r.get(key) is not None]
        if values:
            print(f"{key:>14}: median {statistics.median(values):6.0f} ms  runs {values}")


if __name__ == "__main__":
    main()
