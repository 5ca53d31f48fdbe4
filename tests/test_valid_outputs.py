"""NaN never reaches JSON; every id has a reachable, unambiguous URL (issue 17)."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from wiretrace import ScanConfig
from wiretrace.engines.local import scan
from wiretrace.web import views
from wiretrace.web.app import create_app

IDS = ["dup", "dup.json", "line\nbreak", ".", "a.b", "x/y.json"]


def _strict(line: str):
    def refuse(name):
        raise ValueError(f"{name} in JSON")
    return json.loads(line, parse_constant=refuse)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("valid")
    src = tmp / "in.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for k, i in enumerate(IDS):
            rec = {"id": i, "text": f"Document number {k} says {i!r} about harbour number {k * 7}.",
                   "score": float("nan") if k == 0 else float("inf") if k == 1 else k}
            fh.write(json.dumps(rec) + "\n")  # Python writes NaN / Infinity tokens
    scan(str(src), str(tmp / "out"), config=ScanConfig(workers=1))
    return tmp / "out"


def test_documents_jsonl_holds_no_nan(out):
    recs = [_strict(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["id"]: r["score"] for r in recs}["dup"] is None


def test_every_id_has_its_own_page_and_json(out):
    c = TestClient(create_app(str(out)))
    for i in IDS:
        page = c.get(views.doc_url(i))
        assert page.status_code == 200, i
        got = c.get(views.doc_url(i, json=True))
        assert got.status_code == 200, i
        assert _strict(got.text)["document"]["id"] == i
    assert _strict(c.get("/doc/dup.json").text)["document"]["id"] == "dup"  # the twin, never the other one
    assert c.get(views.doc_url("dup.json")).status_code == 200
