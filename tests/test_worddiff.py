"""Word-level differences (wiretrace.worddiff): runs of changed words inside
passages and altered quotes, as offsets into the caller's original texts."""

from __future__ import annotations

import json

from wiretrace import compare
from wiretrace.cli import main
from wiretrace.normalize import tokenize
from wiretrace.records import Comparison, Passage
from wiretrace.worddiff import passage_ops, span_ops, word_changes


def _pairs(a: str, b: str, ops) -> list[tuple[str, str, str]]:
    return [(o.op, a[o.a_start:o.a_end], b[o.b_start:o.b_end]) for o in ops]


def test_seed_pair_changed_words(seed_pair):
    a, b = seed_pair
    r = compare(a, b)
    ch = word_changes(a, b, r)
    assert len(ch.passages) == len(r.passages)
    found = {(x, y) for p, ops in zip(r.passages, ch.passages) for _, x, y in _pairs(a, b, ops or ())}
    assert {("IS", "Islamic State"), ("are", "met"), ("takes", "took"), ("IS", "Daesh")} <= found
    quoted = {(x, y) for ops in ch.a_quotes + ch.b_quotes for _, x, y in _pairs(a, b, ops or ())}
    assert ("IS", "Daesh") in quoted
    # quotes that are not altered, and paraphrases, have no word alignment
    assert all((ops is None) == (q.status != "altered") for q, ops in zip(r.a_quotes, ch.a_quotes))
    assert all((ops is None) == (p.kind == "paraphrase") for p, ops in zip(r.passages, ch.passages))


def test_offsets_point_into_original_text_with_crlf_and_accents():
    a = "Le ministre a dit:\r\n\r\nLes négociations à Genève   ont repris lundi après une pause de deux mois."
    b = "Les négociations à Genève avaient repris mardi après une pause de deux mois, dit-il."
    ta, tb = tokenize(a), tokenize(b)
    s = a.index("Les")
    ops = span_ops(ta, tb, s, len(a) - 1, 0, b.index(", dit"))
    assert _pairs(a, b, ops) == [("replace", "ont", "avaient"), ("replace", "lundi", "mardi")]


def test_insert_and_delete_are_zero_width_on_the_other_side():
    a = "Officials from 23 countries met in Rome to review the fight against the militants."
    b = "Officials from 23 countries met on Tuesday in Rome to review the fight against militants."
    ops = passage_ops(a, b, Passage(0, len(a), 0, len(b), "edited", 0.8))
    assert _pairs(a, b, ops) == [("insert", "", "on Tuesday"), ("delete", "the", "")]
    ins, dele = ops
    assert ins.a_start == ins.a_end == a.index(" in Rome") and dele.b_start == dele.b_end
    assert passage_ops(a, b, Passage(0, len(a), 0, len(b), "paraphrase", 0.5)) is None


def test_same_forms_are_no_change():
    a = "The U.S. economy grew 40 per cent in the colour trade."
    b = "The U.S economy grew 40 percent in the color trade."
    assert passage_ops(a, b, Passage(0, len(a), 0, len(b), "verbatim", 1.0)) == []


def test_json_carries_ops_and_still_round_trips(wire_pair, tmp_path, capsys):
    a, b = wire_pair
    pa, pb = tmp_path / "a.txt", tmp_path / "b.txt"
    pa.write_text(a, encoding="utf-8")
    pb.write_text(b, encoding="utf-8")
    assert main(["compare", str(pa), str(pb), "--json", "--no-semantic"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert all("ops" in p for p in d["passages"]) and all("ops" in q for q in d["a_quotes"])
    edited = [p for p in d["passages"] if p["kind"] == "edited"]
    assert edited and all(p["ops"] for p in edited)
    for p in edited:
        for op in p["ops"]:
            assert set(op) == {"op", "a_start", "a_end", "b_start", "b_end"}
            assert p["a_start"] <= op["a_start"] <= op["a_end"] <= p["a_end"]
            assert p["b_start"] <= op["b_start"] <= op["b_end"] <= p["b_end"]
            assert op["op"] in ("replace", "insert", "delete")
            assert (op["a_start"] == op["a_end"]) == (op["op"] == "insert")
    r = compare(a, b, semantic=False)
    assert Comparison.from_dict(d) == r == Comparison.from_dict(r.to_dict())
