#!/usr/bin/env python3
"""Gathers make bench's results into one file (issue 24): target/bench/results.md.

Each harness writes its own section to target/bench/ as it runs (the preflight and webhooks
harnesses in crates/flows/benches, the large organization in tests/bench, first_paint.py); this
script puts them under one heading with the date, the machine and the commit, adds the sizes of
the release artifacts found in the work tree (each with its modification time, so a stale one
shows as such), and copies the file to docs/bench-results.md, where the README's figures come from.

    python3 benches/results.py [--bench-dir target/bench] [--copy docs/bench-results.md]
"""

import argparse
import glob
import os
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ARTIFACTS = [
    ("ADO Connect, release binary", "target/release/ado-connect"),
    ("bare Tauri v2 app, release binary", "target/bare-tauri/release/bare-tauri"),
    ("ADO Connect CLI, release binary", "target/release/ado-connect-cli"),
    (".deb", "target/release/bundle/deb/*.deb"),
    (".rpm", "target/release/bundle/rpm/*.rpm"),
    ("Windows zip", "target/release/bundle/zip/*.zip"),
]


def machine():
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        total = int(f.readline().split()[1]) // 1024
    kernel = os.uname().release
    return f"{os.cpu_count()} cores ({model}), {total} MiB, Linux {kernel}; load now {load}"


def commit():
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + (" with uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def sizes():
    rows = []
    for label, pattern in ARTIFACTS:
        found = sorted(glob.glob(os.path.join(ROOT, pattern)), key=os.path.getmtime)
        if not found:
            rows.append(f"| {label} | not built | |")
            continue
        path = found[-1]
        stat = os.stat(path)
        built = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(stat.st_mtime))
        rows.append(f"| {label} (`{os.path.relpath(path, ROOT)}`) | "
                    f"{stat.st_size / 1e6:.1f} MB ({stat.st_size:,} bytes) | {built} |")
    return ("## Sizes\n\nAs found in the work tree when the results were gathered (`make bench` "
            "builds the two binaries; `make dist` the packages).\n\n| artifact | size | built |\n"
            "| --- | --- | --- |\n" + "\n".join(rows) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", default=os.path.join(ROOT, "target/bench"))
    parser.add_argument("--copy", default=os.path.join(ROOT, "docs/bench-results.md"))
    args = parser.parse_args()
    sections = []
    for path in sorted(glob.glob(os.path.join(args.bench_dir, "*.md"))):
        if os.path.basename(path) == "results.md":
            continue
        with open(path) as f:
            sections.append(f.read().rstrip() + "\n")
    header = ("# make bench results\n\n"
              f"Gathered {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} from commit "
              f"{commit()}, on {machine()}. Each section says when it ran, the machine's load "
              "then, and how its comparison is made fair; each figure stands beside its baseline "
              "from the same run, or its aim where there is no baseline.\n")
    text = header + "\n" + "\n".join(sections) + "\n" + sizes()
    out = os.path.join(args.bench_dir, "results.md")
    os.makedirs(args.bench_dir, exist_ok=True)
    with open(out, "w") as f:
        f.write(text)
    if args.copy:
        with open(args.copy, "w") as f:
            f.write(text)
    print(text)
    print(f"written to {out}" + (f" and {args.copy}" if args.copy else ""))


if __name__ == "__main__":
    main()
