"""Shared fixtures: the emulator binary, started once per test session.

The SDK keeps location tables in an on-disk cache chosen at import time, so the cache
directory is set here, before any test module imports ``azure.devops``.
"""

import json
import os
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

os.environ["AZURE_DEVOPS_CACHE_DIR"] = tempfile.mkdtemp(prefix="ado-sdk-cache-")

REPO_ROOT = Path(__file__).resolve().parents[2]


def emulator_binary() -> str:
    """``$ADO_EMULATOR_BIN``, else whatever ``cargo build -p ado-emulator`` produces.

    Building (a no-op when up to date) guarantees the test never runs a stale binary; cargo
    honours ``CARGO_TARGET_DIR`` and reports the executable's path in its JSON messages.
    """
    if os.environ.get("ADO_EMULATOR_BIN"):
        return os.environ["ADO_EMULATOR_BIN"]
    build = subprocess.run(
        ["cargo", "build", "-p", "ado-emulator", "--bin", "ado-emulator",
         "--message-format=json-render-diagnostics"],
        cwd=REPO_ROOT, check=True, stdout=subprocess.PIPE, text=True,
    )
    for line in build.stdout.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message.get("executable"):
            if message["target"]["name"] == "ado-emulator":
                return message["executable"]
    raise RuntimeError("cargo build did not report the ado-emulator executable")


@pytest.fixture(scope="session")
def emulator():
    """The demo world on a free port; yields the startup JSON line, parsed."""
    log = tempfile.NamedTemporaryFile(prefix="ado-emulator-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [emulator_binary(), "--scenario", "demo", "--port", "0"],
        stdout=subprocess.PIPE, stderr=log, text=True,
    )
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise RuntimeError(f"the emulator printed nothing; see {log.name}")
    info = json.loads(line)
    yield info
    process.send_signal(signal.SIGTERM)
    try:
        assert process.wait(timeout=10) == 0, "the emulator exits cleanly on SIGTERM"
    finally:
        if process.poll() is None:
            process.kill()
