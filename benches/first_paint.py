#!/usr/bin/env python3
"""Start to first paint, for ADO Connect and a bare Tauri v2 app, in the same run (issues 9, 24).

Run on an X display (make bench runs it inside scripts/desktop-session.sh). For each round and each
app, interleaved so both see the same machine (each round starting with the next app, so none
always follows the same one): start the binary, then read the screen through Xlib every 4 ms
until the window shows content (at least MIN_COLOURS distinct colours in a grid of samples over the
window's area; an unpainted window is one flat colour). The time from spawn to
that frame is "start to first paint"; the resident memory of the app's process tree (main process
and WebKit's web and network processes) is read at that moment.

Fair comparison (issue 24): ADO Connect turns WebKitGTK's accelerated compositing and DMA-BUF
renderer off for itself (src-tauri/src/lib.rs, `first_frame_without_compositing`: it sets
WEBKIT_DISABLE_COMPOSITING_MODE=1 and WEBKIT_DISABLE_DMABUF_RENDERER=1 when they are unset). Each
round therefore starts both apps twice: "same settings" gives both processes these variables, so
the bare app runs exactly as ADO Connect runs itself; "as shipped" gives neither, so each runs as
it would (the bare app with WebKit's defaults). Medians and 90th percentiles of each, the ratios,
and the machine's state before and after are printed, and written to target/bench/ as Markdown for
make bench's results file.

Hand-written because no packaged tool times a window's first painted frame: xdotool sees a window
mapped, not painted. It reads pixels with libX11 through ctypes, so it needs nothing beyond Debian's
python3 and libx11-6.
"""

import argparse
import ctypes
import ctypes.util
import json
import math
import os
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib

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


def colours(x11, display, root, width, height, keep=None):
    """How many distinct colours a grid of samples over (0,0)-(width,height) shows; `keep` (a
    list) receives the frame itself (width, height, bytes per line, bytes per pixel, pixels)."""
    image = x11.XGetImage(display, root, 0, 0, width, height, 0xFFFFFFFF, 2)  # ZPixmap
    if not image:
        return 0
    img = image.contents
    raw = ctypes.string_at(img.data, img.bytes_per_line * img.height)
    if keep is not None:
        keep[:] = [img.width, img.height, img.bytes_per_line, img.bits_per_pixel // 8, raw]
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


def write_png(path, frame):
    """The frame `colours` kept, as a PNG (BGRX pixels from the X server; zlib only)."""
    width, height, stride, bpp, raw = frame
    rows = bytearray()
    for y in range(height):
        pixels, rgb = raw[y * stride:y * stride + width * bpp], bytearray(width * 3)
        for channel in range(3):
            rgb[channel::3] = pixels[2 - channel::bpp]
        rows += b"\0" + rgb

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n"
                + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b""))


# What ADO Connect sets for itself when unset (src-tauri/src/lib.rs).
APP_SETTINGS = {"WEBKIT_DISABLE_COMPOSITING_MODE": "1", "WEBKIT_DISABLE_DMABUF_RENDERER": "1"}
MODES = [("same settings", APP_SETTINGS), ("as shipped", {})]


def tree_rss_kib(root_pid):
    """Resident memory (KiB) of root_pid and every process below it."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def first_paint(x11, display, root, binary, width, height, settings=None, shot=None):
    """(seconds from spawn to the first painted frame, KiB resident in the app's tree then);
    `shot`: a PNG file to write that frame (the sampled area) to."""
    home = tempfile.mkdtemp(prefix="first-paint-")
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/.config",
               XDG_DATA_HOME=f"{home}/.local/share", XDG_CACHE_HOME=f"{home}/.cache")
    for knob in APP_SETTINGS:
        env.pop(knob, None)
    env.update(settings or {})
    start = time.monotonic()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        frame = [] if shot else None
        while time.monotonic() - start < TIMEOUT_S:
            if colours(x11, display, root, width, height, frame) >= MIN_COLOURS:
                painted = time.monotonic() - start, tree_rss_kib(proc.pid)
                if shot:
                    write_png(shot, frame)
                return painted
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


def machine():
    """When, on what, and how busy: printed beside the figures."""
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = {line.split(":")[0]: int(line.split()[1]) for line in f}
    return (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores "
            f"({model}), load {load}, {mem['MemAvailable'] // 1024} MiB of "
            f"{mem['MemTotal'] // 1024} MiB available")


def percentile(values, p):
    """The p-th percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--runs", type=int, default=15, help="starts of each app in each mode")
    parser.add_argument("--width", type=int, default=720, help="the area sampled (top left)")
    parser.add_argument("--height", type=int, default=560)
    parser.add_argument("--out", help="also write the results as Markdown to this file")
    parser.add_argument("--modes", choices=["both", "same", "shipped"], default="both",
                        help="both modes (the figure to report) or one (a quicker A/B)")
    parser.add_argument("--shots", help="write each first painted frame (the sampled area) to "
                        "this folder as PNG, to see what the first frame shows (pass --width and "
                        "--height of the window to see all of it)")
    parser.add_argument("apps", nargs="+", help="label=path; the first is the baseline")
    args = parser.parse_args()
    apps = [a.split("=", 1) for a in args.apps]
    modes = {"both": MODES, "same": MODES[:1], "shipped": MODES[1:]}[args.modes]
    x11, display, root = open_display()
    before = machine()
    print(f"machine before: {before}", flush=True)
    times = {(mode, label): [] for mode, _ in modes for label, _ in apps}
    memory = {(mode, label): [] for mode, _ in modes for label, _ in apps}
    for label, path in apps:  # warm the page cache
        first_paint(x11, display, root, path, args.width, args.height, APP_SETTINGS)
    for run in range(args.runs):
        for mode, settings in modes:
            # Each round starts with the next app, so none always follows the same one.
            for label, path in apps[run % len(apps):] + apps[:run % len(apps)]:
                shot = None
                if args.shots:
                    os.makedirs(args.shots, exist_ok=True)
                    slug = mode.split()[0]
                    shot = os.path.join(args.shots, f"{label}-{slug}-{run + 1}.png")
                seconds, kib = first_paint(x11, display, root, path, args.width, args.height,
                                           settings, shot)
                times[(mode, label)].append(seconds * 1000)
                memory[(mode, label)].append(kib / 1024)
    after = machine()
    base = apps[0][0]
    lines = []
    for mode, settings in modes:
        knobs = " ".join(f"{k}={v}" for k, v in settings.items()) or "neither variable set"
        lines.append(f"{mode} ({knobs}), {args.runs} interleaved starts each:")
        for label, _ in apps:
            t = times[(mode, label)]
            lines.append(f"  {label:<12} median {statistics.median(t):5.0f} ms   "
                         f"p90 {percentile(t, 90):5.0f} ms   "
                         f"tree RSS {statistics.median(memory[(mode, label)]):4.0f} MiB   "
                         f"runs {' '.join(str(round(x)) for x in t)}")
        for label, _ in apps[1:]:
            a, b = times[(mode, label)], times[(mode, base)]
            lines.append(f"  {label} / {base}: {statistics.median(a) / statistics.median(b):.2f}x "
                         f"median, {percentile(a, 90) / percentile(b, 90):.2f}x p90 "
                         f"(aim ≤ 1.15x with the same settings)")
    print("\n".join(lines))
    print(f"machine after: {after}")
    for (mode, label), t in times.items():
        print(json.dumps({"mode": mode, "app": label, "median_ms": round(statistics.median(t)),
                          "p90_ms": round(percentile(t, 90)),
                          "median_tree_rss_mib": round(statistics.median(memory[(mode, label)])),
                          "runs_ms": [round(x) for x in t]}))
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            f.write("## Start to first paint (`benches/first_paint.py`)\n\n"
                    f"The release app against a bare Tauri v2 app built with the same profile "
                    f"(`benches/bare-tauri`), on Xvfb with Mesa's software GL; both apps started "
                    f"in turn, round after round, in both modes. \"Same settings\" is the fair "
                    f"comparison: the bare app gets the two WebKitGTK variables ADO Connect sets "
                    f"for itself. Machine before: {before}; after: {after}.\n\n```\n"
                    + "\n".join(lines) + "\n```\n\n")


if __name__ == "__main__":
    main()
