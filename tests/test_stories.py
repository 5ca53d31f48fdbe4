"""Stories: grouping, date windows, incremental joins, provenance and headlines."""

from __future__ import annotations

from wiretrace.stories import (Link, Node, group_stories, headline, is_story_link, join_stories,
                               parse_when, provenance, story_id)

OPTS = dict(story_similarity=0.35, story_max_days=7)


def link(a, b, sim=0.9, rel="wholly-derived", source=None, ac=0.9, bc=0.9, exact=False):
    return Link(a, b, sim, rel, source, ac, bc, exact)


def test_related_documents_share_a_story_and_others_stand_alone():
    nodes = {1: Node("wire", "2024-03-01"), 2: Node("paper", "2024-03-02"),
             3: Node("other", "2024-03-02")}
    got = group_stories(nodes, [link(1, 2), link(1, 3, sim=0.1, rel="non-derived")], **OPTS)
    assert got[1] == got[2] != got[3]
    assert got[3] == story_id(["other"])


def test_story_link_rules():
    assert is_story_link(link(1, 2, sim=0.1, rel="partially-derived"), 0.35)
    assert is_story_link(link(1, 2, sim=0.4, rel="non-derived"), 0.35)
    assert is_story_link(link(1, 2, sim=0.0, rel="non-derived", exact=True), 0.35)
    assert not is_story_link(link(1, 2, sim=0.2, rel="non-derived"), 0.35)


def test_story_ids_are_stable_whatever_the_order():
    nodes = {1: Node("b"), 2: Node("a"), 3: Node("c")}
    one = group_stories(nodes, [link(1, 2), link(2, 3)], **OPTS)
    two = group_stories(dict(reversed(nodes.items())), [link(2, 3), link(1, 2)], **OPTS)
    assert one == two
    assert set(one.values()) == {story_id(["a"])}
    assert story_id(["a"]).startswith("s") and len(story_id(["a"])) == 13


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


def test_strongest_links_win_the_window():
    nodes = {1: Node("a", "2024-01-01"), 2: Node("b", "2024-01-07"), 3: Node("c", "2024-01-12")}
    # b-c is the stronger pair, so b joins c and a stays alone (a..c spans 11 days)
    got = group_stories(nodes, [link(1, 2, sim=0.5, rel="partially-derived"), link(2, 3, sim=0.95)],
                        **OPTS)
    assert got[2] == got[3] != got[1]


def test_undated_documents_group_freely():
    nodes = {1: Node("a"), 2: Node("b"), 3: Node("c")}
    got = group_stories(nodes, [link(1, 2), link(2, 3)], **OPTS)
    assert len(set(got.values())) == 1


def test_new_document_joins_the_existing_story():
    new = {10: Node("new", "2024-03-03")}
    got = join_stories(new, [link(1, 10)], {1: "sOLD"}, {"sOLD": ("2024-03-01", "2024-03-02")},
                       **OPTS)
    assert got == {10: "sOLD"}
    # too late for the story's window: a story of its own
    late = {10: Node("new", "2024-04-30")}
    got = join_stories(late, [link(1, 10)], {1: "sOLD"}, {"sOLD": ("2024-03-01", "2024-03-02")},
                       **OPTS)
    assert got == {10: story_id(["new"])}


def test_incremental_join_never_merges_existing_stories():
    new = {10: Node("new", "2024-03-02"), 11: Node("newer", "2024-03-02")}
    links = [link(1, 10, sim=0.95), link(2, 10, sim=0.6, rel="partially-derived"), link(10, 11)]
    got = join_stories(new, links, {1: "sA", 2: "sB"},
                       {"sA": ("2024-03-01", "2024-03-01"), "sB": ("2024-03-01", "2024-03-01")}, **OPTS)
    assert got == {10: "sA", 11: "sA"}  # strongest link first; sB stays apart


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
    assert prov.earliest in {"a", "b", "c"}


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


def test_exact_duplicates_share_a_story_whatever_their_dates():
    nodes = {1: Node("notice", "2024-01-01"), 2: Node("repeat", "2024-03-01")}
    got = group_stories(nodes, [link(1, 2, sim=1.0, exact=True)], **OPTS)
    assert got[1] == got[2]
    got = join_stories({2: Node("repeat", "2024-03-01")}, [link(1, 2, sim=1.0, exact=True)], {1: "sA"},
                       {"sA": ("2024-01-01", "2024-01-01")}, **OPTS)
    assert got == {2: "sA"}
