#!/usr/bin/env python3
"""Start to first paint, for ADO Connect and a bare Tauri v2 app, in the same run (issue 9).

Run on an X display (make bench runs it inside scripts/desktop-session.sh). For each run and each
app, interleaved so both see the same machine: start the binary, then read the screen through
Xlib every 4 ms until the window shows content (at least MIN_COLOURS distinct colours in a grid of
samples over the window's area; an unpainted window is one flat colour). The time from spawn to
that frame is "start to first paint". Prints a JSON line per app and the ratio of medians.

Hand-written because no packaged tool times a window's first painted frame: xdotool sees a window
mapped, not painted. It reads pixels with libX11 through ctypes, so it needs nothing beyond Debian's
python3 and libx11-6.
"""

import argparse
import ctypes
import ctypes.util
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

MIN_COLOURS = 4
STEP = 8  # sample every 8th pixel in each direction
TIMEOUT_S = 30


class XImage(ctypes.Structure):
    _fields_ = [
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("xoffset", ctypes.c_int),
        ("format", ctypes.c_int),
        ("data", ctypes.c_void_p),
        ("byte_order", ctypes.c_int),
        ("bitmap_unit", ctypes.c_int),
        ("bitmap_bit_order", ctypes.c_int),
        ("bitmap_pad", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("bytes_per_line", ctypes.c_int),
        ("bits_per_pixel", ctypes.c_int),
    ]


def open_display():
    x11 = ctypes.CDLL(ctypes.util.find_library("X11"))
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XGetImage.restype = ctypes.POINTER(XImage)
    x11.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                              ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
    x11.XDestroyImage.argtypes = [ctypes.POINTER(XImage)]
    display = x11.XOpenDisplay(None)
    if not display:
        sys.exit("first_paint.py: no X display (run it under scripts/desktop-session.sh)")
    return x11, display, x11.XDefaultRootWindow(display)


def colours(x11, display, root, width, height):
    """How many distinct colours a grid of samples over (0,0)-(width,height) shows."""
    image = x11.XGetImage(display, root, 0, 0, width, height, 0xFFFFFFFF, 2)  # ZPixmap
    if not image:
        return 0
    img = image.contents
    raw = ctypes.string_at(img.data, img.bytes_per_line * img.height)
    bpp = img.bits_per_pixel // 8
    seen = set()
    for y in range(0, img.height, STEP):
        row = y * img.bytes_per_line
        for x in range(0, img.width, STEP):
            at = row + x * bpp
            seen.add(raw[at:at + 3])
            if len(seen) >= MIN_COLOURS:
                break
        if len(seen) >= MIN_COLOURS:
            break
    x11.XDestroyImage(image)
    return len(seen)


def first_paint(x11, display, root, binary, width, height):
    home = tempfile.mkdtemp(prefix="first-paint-")
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/.config",
               XDG_DATA_HOME=f"{home}/.local/share", XDG_CACHE_HOME=f"{home}/.cache")
    start = time.monotonic()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while time.monotonic() - start < TIMEOUT_S:
            if colours(x11, display, root, width, height) >= MIN_COLOURS:
                return time.monotonic() - start
            if proc.poll() is not None:
                raise RuntimeError(f"{binary} exited with {proc.returncode} before painting")
            time.sleep(0.004)
        raise RuntimeError(f"{binary} painted nothing in {TIMEOUT_S} s")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        # The screen must be empty again before the next start.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and colours(x11, display, root, width, height) > 1:
            time.sleep(0.02)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--width", type=int, default=720, help="the area sampled (top left)")
    parser.add_argument("--height", type=int, default=560)
    parser.add_argument("apps", nargs="+", help="label=path; the first is the baseline")
    args = parser.parse_args()
    apps = [a.split("=", 1) for a in args.apps]
    x11, display, root = open_display()
    times = {label: [] for label, _ in apps}
    first_paint(x11, display, root, apps[0][1], args.width, args.height)  # warm the page cache
    for _ in range(args.runs):
        for label, path in apps:
            times[label].append(first_paint(x11, display, root, path, args.width, args.height))
    medians = {label: statistics.median(t) for label, t in times.items()}
    for label, t in times.items():
        print(json.dumps({"app": label, "median_ms": round(medians[label] * 1000),
                          "runs_ms": [round(x * 1000) for x in t]}))
    base = apps[0][0]
    for label, _ in apps[1:]:
        print(f"start to first paint: {label} {medians[label] * 1000:.0f} ms, {base} "
              f"{medians[base] * 1000:.0f} ms: {medians[label] / medians[base]:.2f}x the bare app")


if __name__ == "__main__":
    main()
