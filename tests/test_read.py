"""Tests for wiretrace.read: decoding, folder walking and record readers."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from wiretrace.errors import BinaryInputError, DecodeError, InputError
from wiretrace.read import (decode_bytes, input_format, iter_documents, parse_bytes,
                            parse_jsonl_lines, parse_record, read_text_file, summarize_skipped,
                            unsupported_file)
from wiretrace.records import Document, Skipped

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + bytes(range(256))
STORY = "The council voted on Tuesday to approve the budget, the mayor said.\n"


def docs(items):
    return [i for i in items if isinstance(i, Document)]


def skipped(items):
    return [i for i in items if isinstance(i, Skipped)]


def write_jsonl(path: Path, lines: list[str | bytes]) -> Path:
    path.write_bytes(b"\n".join(x if isinstance(x, bytes) else x.encode() for x in lines) + b"\n")
    return path


# -- decode_bytes ----------------------------------------------------------

@pytest.mark.parametrize("text", [
    "plain ascii\r\nwith CRLF\rand CR\n",
    "Café – “quoted” naïve résumé",
    "Президент заявил в Москве",
    "",
])
def test_decode_utf8_keeps_text_unchanged(text):
    assert decode_bytes(text.encode("utf-8")) == text


def test_decode_strips_only_utf8_bom():
    assert decode_bytes(b"\xef\xbb\xbfhello\r\n") == "hello\r\n"


def test_decode_utf16_with_bom():
    assert decode_bytes("naïve text".encode("utf-16")) == "naïve text"


@pytest.mark.parametrize("text", [
    "Café – “quoted” naïve résumé, the council said.\n",
    "The mayor’s office said — on Tuesday — that costs rose 5 €.\n",
    "short é",
])
def test_decode_cp1252_fallback(text):
    assert decode_bytes(text.encode("cp1252")) == text


def test_decode_detects_cyrillic_legacy_encoding():
    text = "Президент России заявил, что переговоры продолжатся на следующей неделе в Москве."
    assert decode_bytes(text.encode("cp1251")) == text


def test_decode_mostly_utf8_replaces_corrupt_byte():
    assert decode_bytes("héllo wörld".encode() + b"\xff") == "héllo wörld\ufffd"


@pytest.mark.parametrize("data, hint", [
    (PNG, "PNG"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    (b"PK\x03\x04\x14\x00\x00\x00", "ZIP"),
    (gzip.compress(b"hello"), "gzip"),
    (b"\x7fELF\x02\x01\x01", "executable"),
    (b"text\x00with nul", "NUL"),
    (bytes(range(1, 9)) * 20, "control"),
])
def test_decode_binary_raises(data, hint):
    with pytest.raises(BinaryInputError) as info:
        decode_bytes(data, path="in/x.bin")
    message = str(info.value)
    assert "in/x.bin" in message and hint in message
    assert "convert it to text" in message and "leave it out of the input" in message


def test_decode_undecodable_raises_decode_error(monkeypatch):
    import wiretrace.decoding as decoding

    # no real byte string defeats every legacy codec, so the fallback is stubbed
    monkeypatch.setattr(decoding, "decode_legacy", lambda data: None)
    with pytest.raises(DecodeError, match="x.txt.*UTF-8"):
        decode_bytes(b"caf\xe9", path="x.txt")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"))))
@example("\u2028 line separator \u00a0 and \ufeff inside")
def test_decode_roundtrip_property(s):
    # A leading U+FEFF is a BOM and is stripped; ASCII magic numbers mean binary.
    assume(not s.startswith(("\ufeff", "%PDF-", "GIF8", "PAR1")))
    assert decode_bytes(s.encode("utf-8")) == s


# -- read_text_file --------------------------------------------------------

def test_read_text_file(tmp_path):
    (tmp_path / "a.txt").write_bytes("Müller said.\r\n".encode("cp1252"))
    assert read_text_file(tmp_path / "a.txt") == "Müller said.\r\n"


def test_read_text_file_missing(tmp_path):
    with pytest.raises(InputError, match="nope.txt: file not found"):
        read_text_file(tmp_path / "nope.txt")


def test_read_text_file_binary(tmp_path):
    (tmp_path / "img.txt").write_bytes(PNG)
    with pytest.raises(BinaryInputError, match="img.txt"):
        read_text_file(tmp_path / "img.txt")


# -- folders ---------------------------------------------------------------

def make_folder(root: Path) -> Path:
    (root / "wire" / "deep").mkdir(parents=True)
    (root / "b.txt").write_text(STORY, encoding="utf-8")
    (root / "wire" / "a.txt").write_bytes("Café “news” here.\n".encode("cp1252"))
    (root / "wire" / "deep" / "c.txt").write_text("Nested story text.", encoding="utf-8")
    (root / "wire" / "image.txt").write_bytes(PNG)
    (root / "wire" / "empty.txt").write_text("  \n", encoding="utf-8")
    (root / "notes.docx").write_bytes(b"PK\x03\x04rest")
    (root / ".hidden.txt").write_text("hidden", encoding="utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "x.txt").write_text("hidden too", encoding="utf-8")
    write_jsonl(root / "feed.jsonl", [json.dumps({"id": 7, "text": "From JSONL."})])
    return root


def test_folder_walk(tmp_path):
    items = list(iter_documents(make_folder(tmp_path)))
    by_id = {d.id: d for d in docs(items)}
    assert list(by_id) == ["b.txt", "7", "wire/a.txt", "wire/deep/c.txt"]
    assert by_id["wire/a.txt"].text == "Café “news” here.\n"
    assert by_id["b.txt"].origin == str(tmp_path / "b.txt")
    assert by_id["7"].origin == f"{tmp_path / 'feed.jsonl'}:1"
    cats = {Path(s.origin).name: s.category for s in skipped(items)}
    assert cats == {"notes.docx": "unsupported", "image.txt": "binary", "empty.txt": "empty"}
    binary = next(s for s in skipped(items) if s.category == "binary")
    assert "PNG" in binary.reason and "leave it out" in binary.reason and "remove" not in binary.reason
    assert ".docx" in next(s.reason for s in skipped(items) if s.category == "unsupported")
    assert summarize_skipped(items) == {"binary": 1, "empty": 1, "unsupported": 1}


def test_folder_bad_csv_header_is_skipped_not_raised(tmp_path):
    (tmp_path / "x.csv").write_text("name,body\nbob,hello\n", encoding="utf-8")
    (items,) = list(iter_documents(tmp_path))
    assert items.category == "bad-header" and "'id'" in items.reason


def test_html_in_folder(tmp_path):
    pytest.importorskip("trafilatura")
    page = ("<html><head><title>Budget approved</title>"
            '<meta name="date" content="2023-05-01">'
            '<link rel="canonical" href="https://example.com/a"></head><body>'
            "<nav>Home | About</nav><article><h1>Budget approved</h1>"
            "<p>The council voted on Tuesday to approve the new budget for the city, "
            "which includes funding for schools and roads.</p>"
            "<p>Mayor Jane Smith said the decision was long overdue and thanked "
            "residents for their patience during the debate.</p></article>"
            "<footer>Copyright 2023</footer></body></html>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    (doc,) = list(iter_documents(tmp_path))
    assert doc.id == "page.html"
    assert "approve the new budget" in doc.text and "Copyright" not in doc.text
    assert (doc.title, doc.date, doc.url) == ("Budget approved", "2023-05-01",
                                              "https://example.com/a")


def test_html_without_trafilatura(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "trafilatura":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    (tmp_path / "page.htm").write_text("<p>hello</p>", encoding="utf-8")
    (item,) = list(iter_documents(tmp_path))
    assert item.category == "missing-extra"
    assert "pip install 'wiretrace[html]'" in item.reason


# -- JSONL -----------------------------------------------------------------

def test_jsonl_records_and_errors(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [
        json.dumps({"id": 1, "text": STORY, "source": "AP", "date": "2023-05-01T10:00:00Z",
                    "title": "Budget", "url": "https://x/1", "lang": "en", "tags": ["a"]}),
        "",
        '{"id": 2, "text": "broken"',
        json.dumps({"text": "no id"}),
        json.dumps({"id": "", "text": "empty id"}),
        json.dumps({"id": "4"}),
        json.dumps({"id": "5", "text": "   \n"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "6", "text": 42}),
        json.dumps({"id": "7", "text": "fine", "date": "last Tuesday"}),
        "caf\xe9 cp1252 line".encode("cp1252"),
        b'{"id": "8", "text": "Caf\xe9 in cp1252"}',
        b'{"id": "9", "text": "\x81\x01\x02\x03\x04\x05\x06\x07\x08"}',  # nothing fits
    ])
    items = list(iter_documents(path))
    good = docs(items)
    assert [d.id for d in good] == ["1", "7", "8"]
    first = good[0]
    assert (first.source, first.date, first.title, first.url) == (
        "AP", "2023-05-01T10:00:00Z", "Budget", "https://x/1")
    assert first.extra == {"lang": "en", "tags": ["a"]}
    assert first.origin == f"{path}:1"
    assert good[1].date is None  # unparseable date dropped silently
    assert good[2].text == "Café in cp1252"
    got = {s.origin.rsplit(":", 1)[1]: s.category for s in skipped(items)}
    assert got == {"3": "bad-json", "4": "missing-id", "5": "missing-id", "6": "missing-text",
                   "7": "empty", "8": "not-object", "9": "bad-text", "11": "bad-json",
                   "12": "not-utf8", "13": "bad-encoding"}
    reasons = {s.origin.rsplit(":", 1)[1]: s.reason for s in skipped(items)}
    assert reasons["3"].startswith("line 3: not valid JSON (")
    assert reasons["3"].endswith("fix or remove the line")
    assert "re-save the file as UTF-8" in reasons["13"]
    assert summarize_skipped(items)["missing-id"] == 2


def test_jsonl_gz_and_bom(tmp_path):
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(gzip.compress(b"\xef\xbb\xbf" + json.dumps({"id": "a", "text": "x"}).encode()))
    assert [d.id for d in iter_documents(path)] == ["a"]


def test_jsonl_corrupt_gzip_tail(tmp_path):
    data = gzip.compress(b"".join(json.dumps({"id": i, "text": "t" * 50}).encode() + b"\n"
                                  for i in range(200)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    items = list(iter_documents(path))
    assert items and skipped(items)[-1].category == "bad-file"


@pytest.mark.parametrize("key", ["date", "Date"])
@pytest.mark.parametrize("value, expected", [
    ("2023-05-01", "2023-05-01"),
    ("2023-05", "2023-05"),
    ("2023-05-01 10:00", "2023-05-01 10:00"),
    ("2023-05-01T10:00:00.123+02:00", "2023-05-01T10:00:00.123+02:00"),
    ("2023-13-01", None),
    ("2023-02-30", None),
    ("May 1, 2023", None),
    (None, None),
])
def test_jsonl_dates(tmp_path, key, value, expected):
    path = write_jsonl(tmp_path / "d.jsonl", [json.dumps({"id": "x", "text": "t", key: value})])
    (doc,) = list(iter_documents(path))
    assert doc.date == expected


def test_truncation_policy(tmp_path):
    path = write_jsonl(tmp_path / "big.jsonl", [json.dumps({"id": "big", "text": "abcdefghij"})])
    doc, note = list(iter_documents(path, max_chars=4))
    assert doc.text == "abcd" and doc.id == "big"
    assert note.category == "truncated" and "max_chars=4" in note.reason
    assert note.origin == doc.origin


def test_truncation_of_large_txt_file(tmp_path):
    (tmp_path / "big.txt").write_text("é" * 100, encoding="utf-8")
    doc, note = list(iter_documents(tmp_path, max_chars=10))
    assert doc.text == "é" * 10 and note.category == "truncated"


# -- CSV -------------------------------------------------------------------

def test_csv_records_and_errors(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(
        "\ufeffID,Body,Source,date,lang\r\n"
        '1,"Line one,\r\nline two",AP,2023-05-01,en\r\n'
        "2,,AP,,en\r\n"
        ",no id,AP,,en\r\n"
        "\r\n"
        "3,too,many,fields,here,x\r\n"
        "4,ok,,bad date,de\r\n".encode("utf-8")
        + "5,Café,AFP,,fr\r\n".encode("cp1252"))
    items = list(iter_documents(path))
    good = docs(items)
    assert [d.id for d in good] == ["1", "4", "5"]
    assert good[0].text == "Line one,\r\nline two"
    assert (good[0].source, good[0].date, good[0].extra) == ("AP", "2023-05-01", {"lang": "en"})
    assert good[1].source is None and good[1].date is None
    assert good[2].text == "Café" and good[2].origin == f"{path}:9"
    got = {s.origin.rsplit(":", 1)[1]: s.category for s in skipped(items)}
    assert got == {"4": "empty", "5": "missing-id", "7": "bad-row", "9": "not-utf8"}


@pytest.mark.parametrize("header, hint", [("name,text", "'id'"), ("id,title", "'text'"), ("", "empty")])
def test_csv_bad_header_raises(tmp_path, header, hint):
    path = tmp_path / "bad.csv"
    path.write_text(header + ("\n" if header else ""), encoding="utf-8")
    with pytest.raises(InputError, match=hint):
        list(iter_documents(path))


def test_csv_huge_field(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("id,text\n1," + "x" * 200_000 + "\n", encoding="utf-8")
    (doc,) = list(iter_documents(path))
    assert len(doc.text) == 200_000


# -- Parquet ---------------------------------------------------------------

def test_parquet(tmp_path):
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "id": [1, 2, 3, 4],
        "Content": [STORY, None, "  ", "ok"],
        "date": [datetime.datetime(2023, 5, 1, 10, 0), None, None, None],
        "score": [0.5, 1.0, 2.0, 3.0],
    })
    path = tmp_path / "in.parquet"
    pq.write_table(table, path, row_group_size=2)
    items = list(iter_documents(path))
    (d1, d4) = docs(items)
    assert (d1.id, d1.text, d1.date, d1.extra) == ("1", STORY, "2023-05-01T10:00:00", {"score": 0.5})
    assert d4.origin == f"{path}:4"
    assert [(s.origin, s.category) for s in skipped(items)] == [
        (f"{path}:2", "missing-text"), (f"{path}:3", "empty")]
    assert skipped(items)[0].reason.startswith("row 2")


def test_parquet_corrupt_file_raises(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="Parquet"):
        list(iter_documents(path))


# -- top-level errors ------------------------------------------------------

@pytest.mark.parametrize("name, create", [("missing.jsonl", False), ("deck.pptx", True)])
def test_bad_input_path_raises(tmp_path, name, create):
    path = tmp_path / name
    if create:
        path.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError) as info:
        iter_documents(path)
    assert name in str(info.value) and ".jsonl" in str(info.value) and ".parquet" in str(info.value)


def test_single_txt_file(tmp_path):
    (tmp_path / "one.txt").write_text(STORY, encoding="utf-8")
    (doc,) = list(iter_documents(tmp_path / "one.txt"))
    assert (doc.id, doc.text) == ("one.txt", STORY)


def test_streaming_is_lazy(tmp_path):
    path = write_jsonl(tmp_path / "many.jsonl",
                       [json.dumps({"id": i, "text": "t"}) for i in range(1000)])
    it = iter_documents(path)
    assert next(it).id == "0"
    it.close()


# -- record-level parsers (issue 14) -----------------------------------------

def format_fixtures() -> dict[str, bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = pa.BufferOutputStream()
    pq.write_table(pa.table({"id": [1, None, 3], "Body": ["p one", "p two", "y" * 90],
                             "when": pa.array([None, None, 0], pa.date32()),
                             "raw": [b"x", None, b"\xff"]}), parquet)

    lines = [json.dumps({"id": "j1", "text": STORY, "date": "2016", "Source": "AP", "x": [1]}),
             "", "not json", "[1]", json.dumps({"id": "j2"}), json.dumps({"id": "j3", "text": "y" * 90})]
    jsonl = ("\n".join(lines) + "\n").encode() + b'{"id": "j4", "text": "caf\xe9"}\n'
    return {
        "a.txt": STORY.encode("cp1252"),
        "empty.txt": b"  \n",
        "page.html": (b"<html><head><title>T</title></head><body><article><p>" + STORY.encode() * 3
                      + b"</p></article></body></html>"),
        "feed.jsonl": b"\xef\xbb\xbf" + jsonl,
        "feed.jsonl.gz": gzip.compress(jsonl),
        "cut.jsonl.gz": gzip.compress(jsonl * 40)[:300],
        "rows.csv": b'id,text,Title\nc1,"Rain, then sun.",T\nc2\n\nc3,caf\xe9,\n"c4,"open\n',
        "nohead.csv": b"name,text\nx,y\n",
        "rows.parquet": parquet.getvalue().to_pybytes(),
        "bad.parquet": b"PAR1junk",
    }


@pytest.mark.parametrize("name", list(format_fixtures()))
def test_parse_bytes_agrees_with_iter_documents(tmp_path, name):
    data = format_fixtures()[name]
    path = tmp_path / name
    path.write_bytes(data)

    def run(items):
        try:
            return list(items)
        except InputError as exc:  # a file unusable as a whole raises the same way
            return [type(exc).__name__, str(exc)]

    assert run(parse_bytes(name, data, origin=str(path), max_chars=50)) == run(
        iter_documents(path, max_chars=50))


def test_parse_bytes_agrees_with_the_folder_walk(tmp_path):
    fixtures = {**format_fixtures(), "deck.pptx": b"x", "sub/b.txt": b"Nested."}
    for name, data in fixtures.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(data)
    expected = []
    for name in sorted(fixtures, key=lambda n: n.split("/")):
        origin = str(tmp_path / name)
        if input_format(name) is None:
            expected.append(unsupported_file(origin))
        else:
            expected += parse_bytes(name, fixtures[name], origin=origin, strict=False, max_chars=50)
    assert list(iter_documents(tmp_path, max_chars=50)) == expected
    assert {s.category for s in skipped(expected)} >= {"unsupported", "empty", "bad-header", "bad-file"}


def test_parse_jsonl_lines_and_parse_record_agree_with_the_file(tmp_path):
    data = format_fixtures()["feed.jsonl"]
    path = tmp_path / "feed.jsonl"
    path.write_bytes(data)
    want = list(iter_documents(path))
    assert list(parse_jsonl_lines(data.splitlines(keepends=True), str(path))) == want
    rec = json.loads(data.splitlines()[0][3:])
    assert list(parse_record(rec, f"{path}:1", where="line 1")) == want[:1]


@pytest.mark.parametrize("name, fmt", [
    ("a.txt", "txt"), ("A.HTM", "html"), ("x.html", "html"), ("d/f.jsonl", "jsonl"),
    ("f.NDJSON", "jsonl"), ("f.jsonl.gz", "jsonl"), ("f.csv", "csv"), ("f.parquet", "parquet"),
    ("f.csv.gz", None), ("f.pdf", None), ("README", None), ("f.json", None),
])
def test_input_format(name, fmt):
    assert input_format(name) == fmt


def test_parse_record_takes_arrow_values():
    from datetime import date
    from decimal import Decimal


    (doc,) = parse_record({"id": 1.0, "text": "Rain.", "date": date(2020, 5, 1),
                           "price": Decimal("1.50")}, "t.parquet:1", where="row 1")
    assert (doc.id, doc.date, doc.extra) == ("1", "2020-05-01", {"price": "1.50"})


def test_parse_bytes_refuses_an_unsupported_name_at_once():
    with pytest.raises(InputError, match="unsupported input type"):
        parse_bytes("deck.pptx", b"x")


# -- one bad record never costs another (issue 17) ---------------------------

def good_lines(n: int = 40) -> list[str]:
    return [json.dumps({"id": f"d{i}", "text": f"Story {i}: the council voted on harbour "
                        f"bridge plan number {i} after a long debate. " * 3}) for i in range(n)]


LONE = '"bad \\ud800 half"'  # the JSON escape of a lone high surrogate
SURROGATE_LINES = {
    "text": '{"id": "s-text", "text": %s}' % LONE,
    "id": '{"id": %s, "text": "Rain."}' % LONE,
    "source": '{"id": "s-source", "text": "Rain.", "source": %s}' % LONE,
    "title": '{"id": "s-title", "text": "Rain.", "title": %s}' % LONE,
    "extra": '{"id": "s-extra", "text": "Rain.", "tags": [%s]}' % LONE,
    "key": '{"id": "s-key", "text": "Rain.", %s: 1}' % LONE,
}


@pytest.mark.parametrize("field", list(SURROGATE_LINES))
def test_lone_surrogate_skips_the_record_only(tmp_path, field):
    path = write_jsonl(tmp_path / "f.jsonl", [good_lines(1)[0], SURROGATE_LINES[field],
                                              '{"id": "pair", "text": "ok \\ud83d\\ude00"}'])
    items = list(iter_documents(path))
    assert [d.id for d in docs(items)] == ["d0", "pair"]
    (bad,) = skipped(items)
    assert (bad.origin, bad.category) == (f"{path}:2", "bad-unicode")
    assert bad.reason.startswith("line 2") and "surrogate" in bad.reason and "re-export" in bad.reason
    bad.reason.encode("utf-8")  # the report itself must be storable


def test_scan_stores_every_good_document_despite_bad_records(tmp_path):
    from wiretrace.config import ScanConfig
    from wiretrace.engines.local import scan

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good = good_lines(40)
    bad = [*SURROGATE_LINES.values(), b'{"id": "u1", "text": "\xff\xfe\xfd\xfc\x80\x81\x82"}']
    write_jsonl(corpus / "feed.jsonl", good[:20] + bad + good[20:])
    (corpus / "loop.txt").symlink_to("loop.txt")
    summary = scan(str(corpus), str(tmp_path / "out"), config=ScanConfig(workers=1))
    assert summary.documents == 40
    rows = [json.loads(x) for x in (tmp_path / "out" / "skipped.jsonl").read_text().splitlines()]
    origins = {r["origin"]: r["category"] for r in rows}
    feed = corpus / "feed.jsonl"
    assert origins == {**{f"{feed}:{n}": "bad-unicode" for n in range(21, 27)},
                       f"{feed}:27": "bad-encoding", str(corpus / "loop.txt"): "unreadable"}


def test_file_symlink_loop_is_skipped_and_reading_goes_on(tmp_path):
    (tmp_path / "a.txt").symlink_to("b.txt")
    (tmp_path / "b.txt").symlink_to("a.txt")
    (tmp_path / "c.txt").write_text(STORY, encoding="utf-8")
    items = list(iter_documents(tmp_path))
    assert [d.id for d in docs(items)] == ["c.txt"]
    assert [(s.origin, s.category) for s in skipped(items)] == [
        (str(tmp_path / "a.txt"), "unreadable"), (str(tmp_path / "b.txt"), "unreadable")]
    assert "symbolic link" in skipped(items)[0].reason


def test_file_name_not_utf8_is_skipped(tmp_path):
    (tmp_path / "ok.txt").write_text(STORY, encoding="utf-8")
    with open(os.fsencode(tmp_path) + b"/caf\xe9.txt", "w") as f:
        f.write(STORY)
    items = list(iter_documents(tmp_path))
    assert [d.id for d in docs(items)] == ["ok.txt"]
    (bad,) = skipped(items)
    assert bad.category == "bad-name" and "rename" in bad.reason
    bad.origin.encode("utf-8")


@pytest.mark.parametrize("raw, how", [
    (b"caf\xe9 cr\xe8me at the school", "cp1252"),
    ("été – déjà ".encode() + b"caf\xe9", "replaced by U+FFFD"),
])
def test_jsonl_line_not_utf8_is_kept_with_a_note(tmp_path, raw, how):
    path = write_jsonl(tmp_path / "f.jsonl", [b'{"id": "x", "text": "' + raw + b'"}'])
    doc, note = list(iter_documents(path))
    assert isinstance(doc, Document) and doc.text.endswith(("crème at the school", "caf\ufffd"))
    assert (note.origin, note.category) == (f"{path}:1", "not-utf8")
    assert note.reason.startswith("line 1 (id 'x'): not valid UTF-8 (byte 0xE9")
    assert how in note.reason and "re-save the file as UTF-8" in note.reason


def test_jsonl_line_in_a_guessed_encoding_is_skipped_not_garbled(tmp_path):
    path = write_jsonl(tmp_path / "f.jsonl", [b'{"id": "x", "text": "\xcf\xf0\xe8\xe2\xe5\xf2"}',
                                              good_lines(1)[0]])
    bad, doc = list(iter_documents(path))
    assert isinstance(doc, Document) and (bad.origin, bad.category) == (f"{path}:1", "bad-encoding")
    assert "too little to tell" in bad.reason and "re-save the file as UTF-8" in bad.reason


def test_csv_row_not_utf8_gets_a_note(tmp_path):
    (tmp_path / "f.csv").write_bytes(b"id,text\n1,caf\xe9 story\n2,fine\n")
    items = list(iter_documents(tmp_path / "f.csv"))
    assert [type(x).__name__ for x in items] == ["Document", "Skipped", "Document"]
    assert items[0].text == "café story" and items[1].category == "not-utf8"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root reads files whatever their mode, so chmod 000 cannot make one unreadable")
def test_unreadable_file_is_skipped(tmp_path):
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(good_lines(1)[0], encoding="utf-8")
    (tmp_path / "b.jsonl").chmod(0)
    try:
        items = list(iter_documents(tmp_path))
    finally:
        (tmp_path / "b.jsonl").chmod(0o644)
    assert [d.id for d in docs(items)] == ["a.txt"]
    (bad,) = skipped(items)
    assert (bad.origin, bad.category) == (str(tmp_path / "b.jsonl"), "unreadable")
    assert "permission" in bad.reason.lower()


def test_new_messages_never_advise_deleting(tmp_path):
    path = write_jsonl(tmp_path / "f.jsonl", [*SURROGATE_LINES.values(), b'{"id": "x", "text": "caf\xe9"}',
                                              b'{"id": "y", "text": "\xcf\xf0\xe8\xe2\xe5\xf2"}'])
    (tmp_path / "loop.txt").symlink_to("loop.txt")
    for item in skipped(iter_documents(tmp_path)):
        assert not any(w in item.reason.lower() for w in ("delete", "remove", "drop")), item.reason
