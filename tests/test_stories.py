"""Stories: copies and story evidence, average linkage, nearest-neighbour agreement,
date windows, incremental grouping with seeds, story terms, provenance and headlines."""

from __future__ import annotations

import pytest

from wiretrace.stories import (Link, Node, group_stories, headline, is_reuse_link, is_story_link,
                               parse_when, provenance, story_id)
from wiretrace.storyterms import KIND_NAME, KIND_NUMBER, LEDE_WEIGHT, line_hash, story_terms

OPTS = dict(story_threshold=0.2, story_max_days=7)


def link(a, b, sim=0.9, rel="wholly-derived", source=None, ac=0.9, bc=0.9, exact=False):
    return Link(a, b, sim, rel, source, ac, bc, exact)


def soft(a, b, score, ra=0, rb=0):
    """A pair with story evidence only (never aligned)."""
    return Link(a, b, 0.0, "non-derived", story=score, a_rank=ra, b_rank=rb)


def groups(assign):
    out = {}
    for n, sid in assign.items():
        out.setdefault(sid, set()).add(n)
    return sorted(sorted(g) for g in out.values())


def test_related_documents_share_a_story_and_others_stand_alone():
    nodes = {1: Node("wire", "2024-03-01"), 2: Node("paper", "2024-03-02"),
             3: Node("other", "2024-03-02")}
    got = group_stories(nodes, [link(1, 2), link(1, 3, sim=0.1, rel="non-derived")], **OPTS)
    assert got[1] == got[2] != got[3]
    assert got[3] == story_id(["other"])


def test_story_link_rules():
    # copies are hard links; a shared background paragraph is not
    assert is_reuse_link(link(1, 2, rel="wholly-derived", ac=0.2, bc=0.3))
    assert is_reuse_link(link(1, 2, rel="partially-derived", ac=0.1, bc=0.6))
    assert not is_reuse_link(link(1, 2, rel="partially-derived", ac=0.1, bc=0.2))
    assert is_reuse_link(link(1, 2, sim=0.0, rel="non-derived", exact=True))
    # the compare similarity alone joins nothing; the story score does
    assert not is_story_link(link(1, 2, sim=0.9, rel="non-derived"), 0.2)
    assert is_story_link(soft(1, 2, 0.25), 0.2) and not is_story_link(soft(1, 2, 0.15), 0.2)


def test_story_ids_are_stable_whatever_the_order():
    nodes = {1: Node("b"), 2: Node("a"), 3: Node("c")}
    one = group_stories(nodes, [link(1, 2), link(2, 3)], **OPTS)
    two = group_stories(dict(reversed(nodes.items())), [link(2, 3), link(1, 2)], **OPTS)
    assert one == two
    assert set(one.values()) == {story_id(["a"])}
    assert story_id(["a"]).startswith("s") and len(story_id(["a"])) == 13
    links = [soft(1, 2, 0.5), soft(2, 3, 0.4), soft(1, 3, 0.3)]
    assert (group_stories(nodes, links, **OPTS)
            == group_stories(dict(reversed(nodes.items())), links[::-1], **OPTS))


def test_date_window_stops_chains_across_months():
    # a daily formula story links each day to the next; without a window this is one story
    nodes = {d: Node(f"day{d}", f"2024-03-{d:02d}") for d in range(1, 29)}
    links = [link(d, d + 1, sim=0.5, rel="partially-derived") for d in range(1, 28)]
    got = group_stories(nodes, links, **OPTS)
    sizes = {}
    for sid in got.values():
        sizes[sid] = sizes.get(sid, 0) + 1
    assert max(sizes.values()) <= 8
    assert len(sizes) >= 4
    # documents more than the window apart never join, even through an undated one
    nodes = {1: Node("a", "2024-01-01"), 2: Node("b"), 3: Node("c", "2024-02-01")}
    got = group_stories(nodes, [link(1, 2), link(2, 3)], **OPTS)
    assert got[1] != got[3]
    # story evidence obeys the window too
    got = group_stories(nodes, [soft(1, 3, 0.9)], **OPTS)
    assert got[1] != got[3]


def test_strongest_links_win_the_window():
    nodes = {1: Node("a", "2024-01-01"), 2: Node("b", "2024-01-07"), 3: Node("c", "2024-01-12")}
    # b-c is the stronger pair, so b joins c and a stays alone (a..c spans 11 days)
    got = group_stories(nodes, [link(1, 2, sim=0.5, rel="partially-derived", ac=0.6, bc=0.6),
                                link(2, 3, sim=0.95)], **OPTS)
    assert got[2] == got[3] != got[1]


def test_undated_documents_group_freely():
    nodes = {1: Node("a"), 2: Node("b"), 3: Node("c")}
    got = group_stories(nodes, [link(1, 2), link(2, 3)], **OPTS)
    assert len(set(got.values())) == 1


def test_one_similar_pair_does_not_chain_two_stories():
    # two events of three reports each; one cross pair is as similar as the others
    nodes = {n: Node(f"d{n}") for n in range(1, 7)}
    inside = [soft(a, b, 0.6) for a, b in ((1, 2), (1, 3), (2, 3), (4, 5), (4, 6), (5, 6))]
    got = group_stories(nodes, [*inside, soft(3, 4, 0.6)], **OPTS)
    assert groups(got) == [[1, 2, 3], [4, 5, 6]]  # union-find would have made one story
    # a report close to the whole of a story joins it
    nodes[7] = Node("d7")
    got = group_stories(nodes, [*inside, soft(1, 7, 0.3), soft(2, 7, 0.3), soft(3, 7, 0.2)], **OPTS)
    assert groups(got) == [[1, 2, 3, 7], [4, 5, 6]]


def test_clusters_whose_neighbours_stay_home_do_not_merge():
    # two events of one kind: every cross pair scores like a weak inside pair, so the
    # mean passes the threshold, but each report's nearest neighbours are its own event's
    nodes = {n: Node(f"d{n}") for n in range(1, 7)}
    a, b = (1, 2, 3), (4, 5, 6)
    inside = [soft(x, y, 0.7, 1, 1) for grp in (a, b) for x in grp for y in grp if x < y]
    cross = [soft(x, y, 0.3, 5, 5) for x in a for y in b]
    assert groups(group_stories(nodes, inside + cross, **OPTS)) == [[1, 2, 3], [4, 5, 6]]
    # the same scores with nearest neighbours across: one story told in two ways
    cross = [soft(x, y, 0.3, 2, 2) for x in a for y in b]
    assert groups(group_stories(nodes, inside + cross, **OPTS)) == [[1, 2, 3, 4, 5, 6]]


def test_copies_join_whatever_the_story_scores():
    nodes = {1: Node("a"), 2: Node("b"), 3: Node("c")}
    got = group_stories(nodes, [link(1, 2), soft(2, 3, 0.05)], **OPTS)
    assert groups(got) == [[1, 2], [3]]


def test_a_new_document_joins_the_existing_story():
    nodes = {1: Node("old", "2024-03-01"), 2: Node("old2", "2024-03-02"), 10: Node("new", "2024-03-03")}
    got = group_stories(nodes, [link(1, 10)], seeds={1: "sOLD", 2: "sOLD"}, **OPTS)
    assert got == {1: "sOLD", 2: "sOLD", 10: "sOLD"}
    # too late for the story's window: a story of its own
    nodes[10] = Node("new", "2024-04-30")
    got = group_stories(nodes, [link(1, 10)], seeds={1: "sOLD", 2: "sOLD"}, **OPTS)
    assert got[10] == story_id(["new"]) and got[1] == got[2] == "sOLD"


def test_a_new_document_that_links_two_stories_merges_them():
    nodes = {1: Node("a", "2024-03-01"), 2: Node("b", "2024-03-01"), 3: Node("b2", "2024-03-01"),
             10: Node("new", "2024-03-02")}
    seeds = {1: "sA", 2: "sB", 3: "sB"}
    # the two stories tell one event (their documents score 0.3 as a story)
    links = [link(1, 10, rel="wholly-derived"), link(2, 10, rel="partially-derived", ac=0.7, bc=0.5),
             soft(1, 2, 0.3), soft(1, 3, 0.3)]
    got = group_stories(nodes, links, seeds=seeds, **OPTS)
    assert set(got.values()) == {"sB"}  # the larger story keeps its id
    # without the new document the two stories stay apart
    got = group_stories({n: nodes[n] for n in (1, 2, 3)}, [], seeds=seeds, **OPTS)
    assert got == seeds


@pytest.mark.parametrize("cross", [0.0, 0.05])
def test_a_roundup_of_two_stories_and_its_copies_do_not_weld_them(cross):
    # two wire stories with two copies each; a roundup holding most of both (a
    # partial copy of each), and a trimmed copy of the roundup keeping the
    # second story's part: each link is a copy, yet the events are unrelated
    nodes = {n: Node(f"d{n}", "2024-03-01") for n in (1, 2, 3, 4, 5, 6, 7, 8)}
    links = [link(1, 2), link(1, 3), link(2, 3), link(4, 5), link(4, 6), link(5, 6),
             link(1, 7, rel="partially-derived", source="a", ac=0.95, bc=0.6),
             link(4, 7, rel="partially-derived", source="a", ac=0.95, bc=0.55),
             link(7, 8, rel="wholly-derived", source="a", ac=0.5, bc=1.0),
             link(4, 8, rel="partially-derived", source="a", ac=0.9, bc=0.95),
             soft(1, 7, 0.5), soft(4, 7, 0.45), soft(4, 8, 0.7), soft(7, 8, 0.6),
             *[soft(a, b, cross) for a in (1, 2, 3) for b in (4, 5, 6) if cross]]
    got = group_stories(nodes, links, **OPTS)
    assert got[1] == got[2] == got[3] != got[4] == got[5] == got[6]
    assert got[7] in (got[1], got[4])  # the roundup goes with one of them
    assert got[8] == got[4]  # its trimmed copy holds the second story's part


def test_seed_stories_are_never_split():
    nodes = {1: Node("a", "2024-01-01"), 2: Node("b", "2024-03-01")}
    got = group_stories(nodes, [], seeds={1: "sA", 2: "sA"}, **OPTS)
    assert got == {1: "sA", 2: "sA"}


def test_story_terms_find_names_numbers_and_the_lede():
    t = story_terms("A 5.9 magnitude quake hit Qeshm island on Sunday, officials said.\n"
                    "Officials in Tehran said the quake killed 10 people on Qeshm.\n\n"
                    "Follow us on Twitter.", title="Quake kills 10 on Qeshm")
    counts, kinds = t.counts(), dict(zip(t.words, t.kind.tolist()))
    assert kinds["qeshm"] == KIND_NAME and kinds["tehran"] == KIND_NAME
    assert kinds["5.9"] == KIND_NUMBER and kinds["10"] == KIND_NUMBER
    assert kinds["quake"] != KIND_NAME  # capitalized at a sentence start only
    assert "officials" not in counts and "official" in counts and kinds["official"] != KIND_NAME
    assert "sunday" not in counts and "said" not in counts and "on" not in counts
    assert counts["qeshm"] == 3 * LEDE_WEIGHT  # title and lede words count extra
    # one row per term and paragraph: the footer paragraph can be dropped as a unit
    assert set(t.lines.tolist()) >= {line_hash("Follow us on Twitter.")}
    assert story_terms("").terms.size == 0


def test_exact_duplicates_share_a_story_whatever_their_dates():
    nodes = {1: Node("notice", "2024-01-01"), 2: Node("repeat", "2024-03-01")}
    got = group_stories(nodes, [link(1, 2, sim=1.0, exact=True)], **OPTS)
    assert got[1] == got[2]
    got = group_stories(nodes, [link(1, 2, sim=1.0, exact=True)], seeds={1: "sA"}, **OPTS)
    assert got == {1: "sA", 2: "sA"}


def test_provenance_orients_by_date_then_source_then_containment():
    nodes = {1: Node("wire", "2024-01-01"), 2: Node("paper", "2024-01-02")}
    # dates beat a contrary Comparison.source
    prov = provenance(nodes, [link(1, 2, source="b")])
    assert [(e.source, e.derived, e.by) for e in prov.edges] == [("wire", "paper", "date")]
    undated = {1: Node("wire"), 2: Node("paper")}
    prov = provenance(undated, [link(1, 2, source="b", ac=0.4, bc=0.9)])
    assert [(e.source, e.derived, e.by) for e in prov.edges] == [("paper", "wire", "compare")]
    prov = provenance(undated, [link(1, 2, source=None, ac=0.9, bc=0.3)])
    assert [(e.source, e.derived, e.by) for e in prov.edges] == [("paper", "wire", "containment")]
    assert provenance(undated, [link(1, 2, source=None, ac=0.5, bc=0.5)]).edges == []
    assert provenance(undated, [link(1, 2, rel="non-derived", sim=0.5)]).edges == []


def test_chain_and_earliest_witness():
    nodes = {1: Node("A", "2024-01-01"), 2: Node("B", "2024-01-02"), 3: Node("C", "2024-01-03"),
             4: Node("D", "2024-01-03")}
    links = [link(1, 2, ac=0.95, bc=0.9), link(2, 3, ac=0.9, bc=0.92), link(1, 3, ac=0.8, bc=0.7),
             link(1, 4, rel="partially-derived", ac=0.4, bc=0.3)]
    prov = provenance(nodes, links)
    assert prov.chains[0] == ["A", "B", "C"]
    assert ["A", "D"] in prov.chains
    assert prov.earliest == "A"
    primary = {e.derived: e.source for e in prov.edges if e.primary}
    assert primary == {"B": "A", "C": "B", "D": "A"}
    assert any(not e.primary and e.derived == "C" and e.source == "A" for e in prov.edges)
    assert prov.edges[0].to_dict()["source"] in {"A", "B"}


def test_exact_duplicates_point_to_the_earlier_copy():
    nodes = {1: Node("first", "2024-01-01T09:00"), 2: Node("second", "2024-01-01T09:05"),
             3: Node("paper", "2024-01-02")}
    links = [link(1, 2, sim=1.0, ac=1.0, bc=1.0, exact=True), link(1, 3, ac=0.6, bc=0.8),
             link(2, 3, ac=0.6, bc=0.8)]
    primary = {e.derived: e.source for e in provenance(nodes, links).edges if e.primary}
    assert primary == {"second": "first", "paper": "first"}


def test_undated_cycles_do_not_loop():
    nodes = {1: Node("a"), 2: Node("b"), 3: Node("c")}
    links = [link(1, 2, source="a"), link(2, 3, source="a"), link(1, 3, source="b")]
    prov = provenance(nodes, links)
    assert all(len(c) == len(set(c)) for c in prov.chains)
    assert prov.earliest is None and prov.earliest_by is None  # a cycle orders nothing


def test_headline_prefers_title_then_first_sentence():
    assert headline("  Kerry   in Rome ", "x") == "Kerry in Rome"
    assert headline(None, "Talks began in Rome on Monday. They ended.") == "Talks began in Rome on Monday."
    assert headline("", "A line without a stop\n\nSecond paragraph.") == "A line without a stop"
    long = headline(None, "word " * 100)
    assert len(long) <= 160 and long.endswith("…")
    assert headline(None, None) == ""


def test_parse_when_normalises_timezones_and_rejects_junk():
    assert parse_when("2024-03-01T10:00:00Z") == parse_when("2024-03-01T11:00:00+01:00")
    assert parse_when("2024-03-01").day == 1
    assert parse_when("yesterday") is None and parse_when(None) is None


@pytest.mark.parametrize("a_cov, b_cov, source, hard", [
    (0.45, 0.95, "b", False),  # a roundup: most of b, but b is under half of it
    (0.95, 0.45, "b", True),   # a trimmed copy of b: nearly all of it comes from b
    (0.55, 0.30, "b", True),
    (0.30, 0.95, None, True),  # no source known: the more covered side is the copy
])
def test_partial_copy_is_a_hard_link_when_the_copy_is_mostly_the_source(a_cov, b_cov, source, hard):
    link = Link(1, 2, 0.5, "partially-derived", source=source, a_coverage=a_cov, b_coverage=b_cov)
    assert is_reuse_link(link) is hard


@pytest.mark.parametrize("text", [
    "By Jo Bloggs\nTalks began in Rome on Tuesday.\n\nSubscribe to the Bugle for more.",
    "ROME (Reuters) - Talks began.\n\n(Reporting by Jo Bloggs; Editing by Ann Lee)",
    "No packaging at all, one plain paragraph.",
    "",
])
@pytest.mark.parametrize("strip", [True, False])
def test_content_text_from_known_spans_is_the_same(text, strip):
    # ingest hands tokenize's boilerplate spans to the story terms instead of finding them twice
    from wiretrace.pipeline.stories import content_text
    from wiretrace.normalize import tokenize

    t = tokenize(text, strip_boilerplate=strip)
    assert content_text(text, strip, t.boilerplate) == content_text(text, strip)


def test_chinese_story_terms_are_character_bigrams_shared_by_reports_of_one_event():
    a = story_terms("国务院常务会议星期二审议通过了一项支持农村基础设施建设的新计划。")
    b = story_terms("新华社电 国务院星期二通过支持农村基础设施建设计划。")
    c = story_terms("上海队在主场以三比一战胜北京队，继续保持积分榜首位。")
    assert {"国务", "农村", "基础", "设施"} <= set(a.words) & set(b.words)
    assert not set(a.words) & set(c.words)
    assert all(len(w) == 2 for w in a.words)


@pytest.mark.parametrize("text, dropped, kept", [
    ("Die Regierung hat am Dienstag ein neues Programm für die Gemeinden beschlossen, sagte der Minister.",
     {"die", "der", "dienstag", "hat"}, {"regierung", "programm", "gemeinden"}),
    ("Two die in crash as the die is cast in the final round of the cup.", set(), {"die", "crash"}),
])
def test_story_terms_drop_the_function_words_of_the_text_own_language(text, dropped, kept):
    words = set(story_terms(text).words)
    assert not dropped & words and kept <= words
