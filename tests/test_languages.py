"""Reuse, boilerplate, quotes and numbers in the languages of the dev data (issue 15).

Fixtures (tests/fixtures/languages.json) are short news paragraphs we wrote, one
set per language; the dev-data test at the end builds copies of real SemEval
articles and skips without ../shared.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, SHARED
from wiretrace import compare
from wiretrace.compare import script_config
from wiretrace.config import CompareConfig
from wiretrace.meaning.facts import quantities_and_dates
from wiretrace.meaning.quotes import extract
from wiretrace.normalize import _TOKEN_RE, _TOKEN_RE_ASCII, _token_regex, tokenize

LANG = json.loads((FIXTURES / "languages.json").read_text(encoding="utf-8"))
LANGS = sorted(LANG)


def _derived(lang: str) -> tuple[str, str, int]:
    """(derived, source, offset in derived of the source's second paragraph): a dateline,
    the first paragraph with one word edited, the second verbatim, an unrelated paragraph."""
    f = LANG[lang]
    p0, p1 = f["source"]
    old, new = f["edit"]
    assert old in p0
    head = f["dateline"] + p0.replace(old, new, 1) + "\n\n"
    return head + p1 + "\n\n" + f["unrelated"], p0 + "\n\n" + p1, len(head)


@pytest.mark.parametrize("lang", LANGS)
def test_copied_passages_found_with_exact_offsets(lang):
    derived, source, at = _derived(lang)
    f = LANG[lang]
    r = compare(derived, source, semantic=False)
    assert r.relation != "non-derived"
    for p in r.passages:
        if p.kind == "verbatim":
            assert derived[p.a_start:p.a_end] == source[p.b_start:p.b_end]
    # the edited first paragraph: starts right after the dateline, at the source's start
    first = min(r.passages, key=lambda p: p.a_start)
    assert (first.a_start, first.b_start) == (len(f["dateline"]), 0)
    assert first.kind == "edited"
    # the verbatim second paragraph: same characters, offsets shifted by the edit and dateline
    p1_src = source.index(f["source"][1])
    last_src = tokenize(source)
    end_src = int(last_src.ends[-1])
    hit = [p for p in r.passages if p.b_start == p1_src]
    assert len(hit) == 1 and hit[0].a_start == at and hit[0].b_end == end_src
    assert derived[hit[0].a_start:hit[0].a_end] == source[hit[0].b_start:hit[0].b_end]
    # the dateline is packaging, the merged unrelated paragraph is not reuse
    assert r.a_boilerplate[0] == (0, len(f["dateline"]))
    assert all(p.a_end <= derived.index(f["unrelated"]) for p in r.passages)


@pytest.mark.parametrize("lang", LANGS)
def test_unrelated_same_language_article_is_not_derived(lang):
    f = LANG[lang]
    r = compare("\n\n".join(f["source"]), f["unrelated"], semantic=False)
    assert r.relation == "non-derived"
    assert r.passages == []


@pytest.mark.parametrize("lang", LANGS)
def test_quote_marks(lang):
    text = LANG[lang]["quote"]
    quotes = extract(tokenize(text))
    assert len(quotes) == 1
    q = quotes[0]
    assert text[q.start:q.end] == q.text
    inner = re.search(r"[„“«»‚「『]\s*(.+?)\s*[“”»«‘」』]", text).group(1)
    assert q.text.rstrip(".。") == inner.rstrip(".。")


@pytest.mark.parametrize("lang, x, y", [
    ("de", "5,5", "6,5"), ("es", "1.200,5", "1.300,5"), ("fr", "3,2", "4,2"), ("it", "3,5", "4,5"),
    ("pl", "4,2", "5,2"), ("ru", "150,5", "160,5"), ("tr", "12,5", "13,5"), ("ar", "٣٫٥", "٤٫٥"),
    ("zh", "3万", "5万"), ("en", "1,200.5", "1,300.5"),
])
def test_changed_number_in_local_format_is_a_conflict(lang, x, y):
    base = "\n\n".join(LANG[lang]["source"]) if lang in LANG else (
        "The government on Tuesday approved a new plan to support farmers hit by the drought "
        "across the south of the country, which ministers said would reach the smallest farms "
        "before the winter and keep the regional cooperatives running until the spring harvest.")
    spaced = " " in base[:200]
    mid = base.index(" ", len(base) // 3) if spaced else len(base) // 3
    sep = " " if spaced else ""
    a = base[:mid] + sep + x + base[mid:]
    b = base[:mid] + sep + y + base[mid:]
    r = compare(a, b, semantic=False)
    nums = [c for c in r.conflicts if c.kind == "number"]
    assert nums, r.conflicts
    c = nums[0]
    assert x in a[c.a_start:c.a_end] and y in b[c.b_start:c.b_end]
    assert a[c.a_start:c.a_end] == c.a_text


@pytest.mark.parametrize("text, value", [
    ("1.000,5 Euro", 1000.5), ("5,5 Prozent", 5.5), ("1.000.000 Menschen", 1_000_000),
    ("١٬٠٠٠٫٥ دولار", 1000.5), ("۲۰۲۰ نفر", 2020), ("3万人", 30_000), ("1千万元", 10_000_000),
    ("2,3 Milliarden Euro", 2.3e9), ("3,5 тыс человек", 3500), ("10,000 people", 10_000),
])
def test_numbers_in_local_formats(text, value):
    t = tokenize(text)
    facts = quantities_and_dates(t, 0, len(t))
    assert facts and facts[0].value == pytest.approx(value)


@pytest.mark.parametrize("a, b", [
    ("İSTANBUL", "istanbul"), ("ılık", "ILIK"), ("Straße", "STRASSE"), ("Ёлка", "елка"),
    ("العَرَبِيَّة", "العربية"), ("أحمد", "احمد"), ("إسلام", "اسلام"), ("مستشفى", "مستشفي"),
    ("كـتـاب", "كتاب"), ("٢٠٢٠", "2020"), ("۱۳۹۹", "1399"), ("ＡＢＣ", "abc"),
    (unicodedata.normalize("NFD", "résumé"), "résumé"),
])
def test_language_folds_share_a_form(a, b):
    ta, tb = tokenize(a), tokenize(b)
    assert ta.forms == tb.forms and len(ta) == 1


@pytest.mark.parametrize("text, pieces", [
    ("中国经济增长", ["中", "国", "经", "济", "增", "长"]),
    ("東京でラーメンを食べた", ["東", "京", "で", "ラ", "ー", "メ", "ン", "を", "食", "べ", "た"]),
    ("قالَ الوزيرُ إنَّ", ["قالَ", "الوزيرُ", "إنَّ"]),
    ("नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),
    ("GDP增长5.5%", ["GDP", "增", "长", "5.5", "%"]),
])
def test_words_of_every_script(text, pieces):
    t = tokenize(text)
    assert [text[s:e] for s, e in zip(t.starts, t.ends)] == pieces


_ALPHABET = st.sampled_from(list("ab Zé中国語かなアラقالَُِـ٣٫٬ёЁİı.,%-\n") + ["\u0301", "  "])


@given(st.lists(_ALPHABET, max_size=60).map("".join))
@settings(max_examples=200, deadline=None)
def test_tokens_are_ordered_slices_of_the_original(text):
    t = tokenize(text)
    spans = list(zip(t.starts.tolist(), t.ends.tolist()))
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:]))
    assert len(t.forms) == len(spans)


@given(st.text(alphabet=st.characters(max_codepoint=0x2FF, blacklist_categories=("Mn", "Cs")), max_size=80))
@settings(max_examples=200, deadline=None)
def test_text_without_cjk_or_marks_keeps_the_fast_regex(text):
    # the fast pattern (compiled with re.ASCII when the text is ASCII), never the wide one
    assert _token_regex(text) is (_TOKEN_RE_ASCII if text.isascii() else _TOKEN_RE)


def test_cjk_pairs_count_word_options_in_characters():
    zh, en = tokenize("中国经济今年增长很快"), tokenize("The economy grew fast this year")
    cfg = CompareConfig()
    assert script_config(en, en, cfg) is cfg
    assert script_config(zh, zh, cfg).min_passage_words == 2 * cfg.min_passage_words


@pytest.mark.parametrize("text, expected", [
    ("Von Max Müller und Anna Schmidt\n\nDie Regierung hat beschlossen.", "Von Max Müller und Anna Schmidt"),
    ("Por Juan Pérez\n\nEl Gobierno ha decidido.", "Por Juan Pérez"),
    ("Par Jean Dupont\n\nLe gouvernement a décidé.", "Par Jean Dupont"),
    ("Di Mario Rossi\n\nIl governo è caduto.", "Di Mario Rossi"),
    ("Autor: Jan Kowalski\n\nRząd zdecydował.", "Autor: Jan Kowalski"),
    ("Автор: Иван Петров\n\nПравительство решило.", "Автор: Иван Петров"),
    ("بقلم محمد علي\n\nقررت الحكومة.", "بقلم محمد علي"),
    ("记者 张三\n\n政府作出了决定。", "记者 张三"),
    ("Die Regierung hat beschlossen. (Reporter: Max Müller; redigiert von Anna Schmidt)",
     "(Reporter: Max Müller; redigiert von Anna Schmidt)"),
    ("El Gobierno ha decidido. (Información de Juan Pérez; editado por Ana López)",
     "(Información de Juan Pérez; editado por Ana López)"),
    ("政府作出了决定。（编辑：张三）", "（编辑：张三）"),
    ("Le texte.\n\nTous droits réservés 2020 Le Monde", "Tous droits réservés 2020 Le Monde"),
    ("Правительство решило.\n\nЧитайте также: новости экономики", "Читайте также: новости экономики"),
])
def test_bylines_credits_and_mastheads(text, expected):
    t = tokenize(text)
    assert [text[s:e] for s, e in t.boilerplate] == [expected]


@pytest.mark.parametrize("text", [
    "Kerry - who was there - said the talks went well.",
    "Di Maria scored twice on Sunday.",
    "Par for the course, he said.",
])
def test_ordinary_sentences_are_not_boilerplate(text):
    assert tokenize(text).boilerplate == []


# --------------------------------------------------------------------------- dev data

DEV = SHARED / "data" / "semeval2022_task8" / "training_set.csv"


def _dev_articles() -> dict[str, list[str]]:
    import csv

    out: dict[str, list[str]] = {}
    seen: set[str] = set()
    with DEV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for lang, text in ((row["lang1"], row["text1"]), (row["lang2"], row["text2"])):
                key = " ".join(text.split())[:300]
                if len(text) >= 400 and key not in seen:
                    seen.add(key)
                    out.setdefault(lang, []).append(text)
    return out


@pytest.mark.slow
@pytest.mark.skipif(not DEV.exists(), reason="../shared/data/semeval2022_task8 is not present")
@pytest.mark.parametrize("lang", ["en", "de", "es", "fr", "it", "pl", "ru", "tr", "ar", "zh"])
def test_dev_articles_copied_and_merged(lang):
    """Real articles: a trimmed copy with one word in ~12 replaced, merged with another
    article, is derived; its verbatim stretches keep exact offsets; an unrelated article is not."""
    arts = _dev_articles()[lang][:18]
    rng = random.Random(15)
    recalled = copied = 0
    for k in range(6):
        a, other, unrelated = arts[k], arts[6 + k], arts[12 + k]
        cut = a[len(a) // 10:]
        units = list(re.finditer(r"[\u4e00-\u9fff]{4}" if lang == "zh" else r"\w{2,}", cut))
        edits = sorted(rng.sample(units, max(1, len(units) // 12)), key=lambda m: m.start())
        b, pos, keep = [], 0, []  # keep: (offset in b, offset in a, length) of verbatim pieces
        for m in edits:
            keep.append((sum(map(len, b)), len(a) // 10 + pos, m.start() - pos))
            b += [cut[pos:m.start()], "X" if lang == "zh" else "xyz"]
            pos = m.end()
        keep.append((sum(map(len, b)), len(a) // 10 + pos, len(cut) - pos))
        b.append(cut[pos:])
        derived = "".join(b) + "\n\n" + other
        r = compare(derived, a, semantic=False)
        assert r.relation != "non-derived"
        for p in r.passages:
            if p.kind == "verbatim":
                assert derived[p.a_start:p.a_end] == a[p.b_start:p.b_end]
            # a passage never maps a copied word to somewhere else in the source (boilerplate
            # of the source, such as a closing "dpa", is outside every passage there)
            for ob, oa, n in keep:
                for i in range(max(p.a_start, ob), min(p.a_end, ob + n)):
                    j = oa + i - ob
                    if a[j].isalnum() and not any(s <= j < e for s, e in r.b_boilerplate):
                        assert p.b_start <= j < p.b_end
        covered: set[int] = set()
        for p in r.passages:
            covered.update(range(p.b_start, p.b_end))
        for _, oa, n in keep:
            idx = [i for i in range(oa, oa + n) if a[i].isalnum()]
            copied += len(idx)
            recalled += sum(i in covered for i in idx)
        assert compare(a, unrelated, semantic=False).relation == "non-derived"
    assert recalled >= 0.9 * copied


# --------------------------------------------------------------------------- corpus scan

@pytest.mark.slow
def test_scan_finds_the_copy_in_every_language(tmp_path):
    """A local scan (real DuckDB index) over each language's source, derived copy and
    unrelated article pairs exactly the copy with the texts it holds, with offsets
    into the original texts."""
    from wiretrace import ScanConfig
    from wiretrace.engines.local import scan

    texts = {}
    for lang in LANGS:
        derived, source, _ = _derived(lang)
        texts[f"{lang}-copy"], texts[f"{lang}-source"] = derived, source
        texts[f"{lang}-other"] = LANG[lang]["unrelated"]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"id": k, "text": v}, ensure_ascii=False) + "\n"
                              for k, v in texts.items()), encoding="utf-8")
    scan(str(corpus), str(tmp_path / "out"), config=ScanConfig(workers=1))
    pairs = [json.loads(line) for line in (tmp_path / "out" / "pairs.jsonl").read_text(encoding="utf-8").splitlines()]
    derived_pairs = {frozenset((p["a"], p["b"])) for p in pairs if p["relation"] != "non-derived"}
    # the copy also holds the unrelated article (merged in): derived from both, and
    # the source and the unrelated article are not paired
    assert derived_pairs == {frozenset((f"{lang}-copy", f"{lang}-{x}")) for lang in LANGS
                             for x in ("source", "other")}
    for p in pairs:
        for x in p["passages"]:
            if x["kind"] == "verbatim":
                assert texts[p["a"]][x["a_start"]:x["a_end"]] == texts[p["b"]][x["b_start"]:x["b_end"]]


def test_shared_chinese_formula_is_not_reuse():
    """An official formula opens many independent reports; with no capitals to mark
    it, only a much longer shared run counts as copying in CJK text."""
    from wiretrace import compare

    formula = "中华人民共和国外交部发言人华春莹在例行记者会上表示，"
    a = (formula + "中方欢迎双方通过对话协商解决分歧，希望各方保持冷静克制。\n"
         "她还说，中方愿继续为地区和平稳定发挥建设性作用，并同有关国家保持密切沟通，"
         "推动有关问题早日得到妥善解决。")
    b = ("今年以来，多个省份加快推进新能源汽车充电设施建设，农村地区覆盖率明显提高。\n"
         + formula + "有关报道不符合事实，中方对此坚决反对，已向对方提出严正交涉。")
    r = compare(a, b, semantic=False)
    assert not r.evidence.derived, r.evidence.notes
    # the same texts with a real copied paragraph (49 characters) are derived
    copied = b + "\n她还说，中方愿继续为地区和平稳定发挥建设性作用，并同有关国家保持密切沟通，推动有关问题早日得到妥善解决。"
    assert compare(a, copied, semantic=False).evidence.derived
