"""compare, query and the check page cap what they read like scan; special files are
refused; uploads are capped chunked or not (issue 17)."""

from __future__ import annotations

import json
import os

import pytest
from starlette.testclient import TestClient

from wiretrace import ScanConfig, cli
from wiretrace.engines.local import scan
from wiretrace.formats import MAX_CHARS
from wiretrace.web.app import MAX_UPLOAD, create_app


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bounded")
    src = tmp / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "The harbour council met on Tuesday."}) + "\n",
                   encoding="utf-8")
    scan(str(src), str(tmp / "out"), config=ScanConfig(workers=1))
    return tmp


def test_fifo_is_refused_without_blocking(out, capsys):
    fifo = out / "pipe.txt"
    os.mkfifo(fifo)
    ok = out / "ok.txt"
    ok.write_text("Some words here.", encoding="utf-8")
    assert cli.main(["compare", str(fifo), str(ok)]) == 2
    assert cli.main(["query", str(out / "out" / "index.duckdb"), str(fifo)]) == 2
    err = capsys.readouterr().err
    assert err.count("not a regular file") == 2 and "Traceback" not in err


def test_too_long_file_gets_the_scan_limit_and_message(out, capsys):
    big = out / "big.txt"
    big.write_text("word " * (MAX_CHARS // 5 + 10), encoding="utf-8")
    assert cli.main(["compare", str(big), str(big)]) == 2
    assert cli.main(["query", str(out / "out" / "index.duckdb"), str(big)]) == 2
    err = capsys.readouterr().err
    assert err.count(f"over max_chars={MAX_CHARS:,}") == 2


def test_chunked_upload_is_capped(out):
    c = TestClient(create_app(str(out / "out")), base_url="http://127.0.0.1:8000")

    def chunks():
        for _ in range(MAX_UPLOAD // 2**16 + 4):
            yield b"x" * 2**16

    r = c.post("/check", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded",
                                                    "origin": "http://127.0.0.1:8000"})
    assert r.status_code == 413
    ok = c.post("/check", data={"text": "The harbour council met on Tuesday."},
                headers={"origin": "http://127.0.0.1:8000"})
    assert ok.status_code == 200
