"""The index's paginated lists (read methods of :class:`wiretrace.index.Index`,
kept in their own module for size): related pairs with facets and passage-text
search, and every conflict of the corpus or of one story.

A pair's comparison is a JSON text (``pairs.result``, a couple of kilobytes), and
reading it is what costs: on a million-document index a single pass over it
takes seconds. So the first list query of a connection makes two narrow
tables in the reader's private in-memory database (``TEMP``: the index file is
never written) and every later one reads them: ``wt_pair_facts``, one row per
related pair with both documents' ids, outlets, dates, titles, the passage
kinds and the number of passages and conflicts (:meth:`ListReads.related_pairs`
makes it, the viewer's start reads it), and ``wt_conflicts``, one row per conflict.
A reader sees the file it opened, so the tables are made once per connection;
a read-write connection makes them again for each query.

Each list is one page (``LIMIT``/``OFFSET``) of a query on them; facet counts
are ``GROUP BY`` queries, each under every filter but its own. A passage-text
search (``ILIKE``) runs only when a query is given: it reads the text of every
passage's document, the one cost that grows with the corpus's text.

    >>> from wiretrace.index import Index
    >>> with Index.open(":memory:") as ix:
    ...     ix.pair_list(PairFilter(), limit=10, offset=0)["total"]
    0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["PairFilter", "ConflictFilter", "ListReads", "like_pattern"]

_FACTS_SQL = """
SELECT p.a, p.b, da.id AS a_id, db.id AS b_id, p.relation, p.source, p.similarity, p.a_coverage,
       p.b_coverage, p.n[1] AS n_passages, coalesce(p.n[2], 0) AS n_conflicts,
       da.source AS a_outlet, db.source AS b_outlet, da.date AS a_date, db.date AS b_date,
       da.date_precision AS a_date_precision, db.date_precision AS b_date_precision,
       da.title AS a_title, db.title AS b_title, least(da.date, db.date) AS pair_date,
       coalesce(k.kinds, []) AS kinds
FROM (SELECT a, b, relation, source, similarity, a_coverage, b_coverage,
             json_array_length(result, ['$.passages', '$.conflicts']) AS n
      FROM pairs WHERE related) p
JOIN documents da ON da.doc = p.a JOIN documents db ON db.doc = p.b
LEFT JOIN (SELECT a, b, list(DISTINCT kind ORDER BY kind) AS kinds FROM passages GROUP BY a, b) k
       ON k.a = p.a AND k.b = p.b"""
_CONFLICTS_SQL = """
SELECT x.a, x.b, x.c ->> 'kind' AS kind, (x.c ->> 'a_start')::BIGINT AS a_start,
       (x.c ->> 'a_end')::BIGINT AS a_end, (x.c ->> 'b_start')::BIGINT AS b_start,
       (x.c ->> 'b_end')::BIGINT AS b_end, x.c ->> 'a_text' AS a_text, x.c ->> 'b_text' AS b_text,
       x.c ->> 'note' AS note
FROM (SELECT p.a, p.b, unnest(json_extract(p.result, '$.conflicts[*]')) AS c FROM pairs p
      SEMI JOIN temp.wt_pair_facts f ON f.a = p.a AND f.b = p.b AND f.n_conflicts > 0
      WHERE p.related) x"""
_BRIEF = ("p.a_id, p.b_id, p.relation, p.source, p.similarity, p.a_coverage, p.b_coverage, "
          "p.n_passages, p.a_outlet, p.b_outlet, p.a_date, p.b_date, p.a_date_precision, "
          "p.b_date_precision, p.a_title, p.b_title")
_BRIEF_KEYS = ("a", "b", "relation", "source", "similarity", "a_coverage", "b_coverage", "passages",
               "a_outlet", "b_outlet", "a_date", "b_date", "a_date_precision", "b_date_precision",
               "a_title", "b_title")
_FACTS = " FROM temp.wt_pair_facts p WHERE TRUE"
_SEARCH_SQL = ("SELECT DISTINCT s.a, s.b FROM passages s JOIN documents d ON d.doc = s.a "
               "WHERE substr(d.text, s.a_start + 1, s.a_end - s.a_start) ILIKE ? ESCAPE '\\'")


def like_pattern(text: str) -> str:
    """``text`` as an ILIKE pattern matching it anywhere, its wildcards escaped
    (with ``ESCAPE '\\'``).

    >>> like_pattern("50%_off")
    '%50\\\\%\\\\_off%'
    """
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True, slots=True)
class PairFilter:
    """What :meth:`ListReads.pair_list` keeps; empty fields filter nothing.
    ``conflicts`` is ``"yes"`` or ``"no"``; dates compare as ISO text against the
    pair's earlier document date; ``q`` is searched in passage text (side ``a``)."""

    relation: str = ""
    kind: str = ""
    conflicts: str = ""
    outlet: str = ""
    date_from: str = ""
    date_to: str = ""
    q: str = ""


@dataclass(frozen=True, slots=True)
class ConflictFilter:
    """What :meth:`ListReads.conflict_list` keeps; ``q`` is searched in both
    sides' fragments, ``story`` keeps the pairs whose two documents are in it."""

    kind: str = ""
    outlet: str = ""
    q: str = ""
    story: str = ""


def _pair_where(f: PairFilter, skip: str = "") -> tuple[str, list[Any]]:
    """The SQL conditions of ``f`` on ``wt_pair_facts p`` (``AND``-joined, each
    prefixed) and their parameters, leaving out the facet ``skip``."""
    sql, args = [], []
    if f.relation and skip != "relation":
        sql.append("p.relation = ?")
        args.append(f.relation)
    if f.kind and skip != "kind":
        sql.append("list_contains(p.kinds, ?)")
        args.append(f.kind)
    if f.conflicts and skip != "conflicts":
        sql.append(f"p.n_conflicts {'>' if f.conflicts == 'yes' else '='} 0")
    if f.outlet and skip != "outlet":
        sql.append("(p.a_outlet = ? OR p.b_outlet = ?)")
        args += [f.outlet, f.outlet]
    if f.date_from and skip != "date":
        sql.append("p.pair_date >= ?")
        args.append(f.date_from)
    if f.date_to and skip != "date":
        sql.append(f"substr(p.pair_date, 1, {len(f.date_to)}) <= ?")
        args.append(f.date_to)
    if f.q:  # the pairs a passage of which holds it: ListReads._search made them
        sql.append("(p.a, p.b) IN (SELECT (a, b) FROM temp.wt_q_pairs)")
    return "".join(" AND " + s for s in sql), args


class ListReads:
    """Paginated list queries; mixed into :class:`wiretrace.index.Index`
    (``self.con`` is its connection, ``self.read_only`` its mode)."""

    con: Any
    read_only: bool

    def _all(self, sql: str, args: list[Any]) -> list[tuple]:
        return self.con.execute(sql, args).fetchall()

    def _temp(self, name: str, sql: str) -> None:
        """Make the TEMP table ``name`` from ``sql`` unless this reader made it already."""
        made: set[str] = self.__dict__.setdefault("_wt_temp", set())
        if name in made and self.read_only:
            return
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        made.add(name)

    def _search(self, q: str) -> None:
        """Make ``wt_q_pairs``: the pairs with a passage (side ``a``) holding ``q``. One
        pass over the passages' text, kept for the next query with the same ``q``
        (a page and its facets, the next page)."""
        if self.__dict__.get("_wt_q") == q and self.read_only:
            return
        self.__dict__.pop("_wt_q", None)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE wt_q_pairs AS {_SEARCH_SQL}", [like_pattern(q)])
        self.__dict__["_wt_q"] = q

    def prepare_lists(self) -> None:
        """Make this reader's list tables now (a server's start) rather than on the
        first list page or story page that needs them."""
        self._temp("wt_pair_facts", _FACTS_SQL)
        self._temp("wt_conflicts", _CONFLICTS_SQL)

    def related_pairs(self) -> list[dict[str, Any]]:
        """Each related pair as ids, with its judgement and how many passages and
        conflicts it holds (the comparison itself: :meth:`pair_record`), in stored order."""
        self._temp("wt_pair_facts", _FACTS_SQL)
        rows = self._all("SELECT a_id, b_id, relation, source, similarity, a_coverage, b_coverage, "
                         "n_passages, n_conflicts FROM temp.wt_pair_facts ORDER BY a, b", [])
        keys = ("a", "b", "relation", "source", "similarity", "a_coverage", "b_coverage", "passages",
                "conflicts")
        return [dict(zip(keys, r)) for r in rows]

    def pair_list(self, f: PairFilter, *, limit: int, offset: int) -> dict[str, Any]:
        """One page of related pairs kept by ``f`` (most similar first), the total
        and the facet counts (``relation``, ``kind``, ``conflicts``, ``outlet`` (top
        50), ``month`` of the earlier date); with ``f.q``, each pair's first
        three matching passages."""
        self._temp("wt_pair_facts", _FACTS_SQL)
        if f.q:
            self._search(f.q)
        where, args = _pair_where(f)
        total = self._all(f"SELECT count(*){_FACTS}{where}", args)[0][0]
        rows = self._all(f"SELECT {_BRIEF}, p.n_conflicts, p.a, p.b{_FACTS}{where} "
                         "ORDER BY p.similarity DESC, p.a, p.b LIMIT ? OFFSET ?", args + [limit, offset])
        pairs = [dict(zip(_BRIEF_KEYS + ("conflicts",), r[:-2])) for r in rows]
        if f.q and rows:
            hits: dict[tuple[int, int], list[dict[str, Any]]] = {}
            for a, b, kind, start, end, text in self._all(
                    "SELECT s.a, s.b, s.kind, s.a_start, s.a_end, substr(d.text, s.a_start + 1, "
                    "least(s.a_end - s.a_start, 600)) FROM passages s JOIN documents d ON d.doc = s.a "
                    "WHERE s.a IN (SELECT unnest(?::INTEGER[])) AND s.b IN (SELECT unnest(?::INTEGER[])) "
                    "AND substr(d.text, s.a_start + 1, s.a_end - s.a_start) ILIKE ? ESCAPE '\\' "
                    "ORDER BY s.a, s.b, s.a_start",
                    [[r[-2] for r in rows], [r[-1] for r in rows], like_pattern(f.q)]):
                hits.setdefault((a, b), []).append({"kind": kind, "a_start": start, "a_end": end,
                                                    "text": text})
            for pair, r in zip(pairs, rows):
                pair["matches"] = hits.get((r[-2], r[-1]), [])[:3]
        return {"total": int(total), "pairs": pairs, "facets": self._pair_facets(f)}

    def _pair_facets(self, f: PairFilter) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for name, expr in (("relation", "p.relation"), ("month", "substr(p.pair_date, 1, 7)"),
                           ("conflicts", "CASE WHEN p.n_conflicts > 0 THEN 'yes' ELSE 'no' END")):
            where, args = _pair_where(f, "date" if name == "month" else name)
            out[name] = {k if k is not None else "": int(n) for k, n in self._all(
                f"SELECT {expr} AS k, count(*){_FACTS}{where} GROUP BY k ORDER BY k", args)}
        where, args = _pair_where(f, "kind")
        out["kind"] = {k: int(n) for k, n in self._all(
            f"SELECT k, count(*) FROM (SELECT unnest(p.kinds) AS k{_FACTS}{where}) GROUP BY k ORDER BY k", args)}
        where, args = _pair_where(f, "outlet")
        out["outlet"] = {k: int(n) for k, n in self._all(
            f"SELECT o, count(*) AS n FROM (SELECT p.a_outlet AS o{_FACTS}{where} UNION ALL "
            f"SELECT p.b_outlet{_FACTS}{where} AND p.b_outlet IS DISTINCT FROM p.a_outlet) "
            "WHERE o IS NOT NULL GROUP BY o ORDER BY n DESC, o LIMIT 50", args + args)}
        return out

    def conflict_list(self, f: ConflictFilter, *, limit: int, offset: int,
                      context: int = 80) -> dict[str, Any]:
        """One page of the conflicts of related pairs kept by ``f`` (in pair order,
        then by offset in ``a``), each with both fragments, ``context`` characters
        of each document around it and the pair's documents; the total and the
        counts per ``kind``."""
        self._temp("wt_pair_facts", _FACTS_SQL)
        self._temp("wt_conflicts", _CONFLICTS_SQL)
        # conditions on the conflict rows alone; the pair's facts are joined to the page only
        cond, args = [], []
        if f.story:
            cond.append("x.a IN (SELECT doc FROM doc_story WHERE story = ?) AND "
                        "x.b IN (SELECT doc FROM doc_story WHERE story = ?)")
            args += [f.story, f.story]
        if f.outlet:
            cond.append("(x.a, x.b) IN (SELECT (p.a, p.b) FROM temp.wt_pair_facts p "
                        "WHERE p.a_outlet = ? OR p.b_outlet = ?)")
            args += [f.outlet, f.outlet]
        if f.q:
            cond.append("(x.a_text ILIKE ? ESCAPE '\\' OR x.b_text ILIKE ? ESCAPE '\\')")
            args += [like_pattern(f.q)] * 2
        base = "FROM temp.wt_conflicts x WHERE TRUE" + "".join(" AND " + c for c in cond)
        kind, kind_arg = (" AND x.kind = ?", [f.kind]) if f.kind else ("", [])
        total = self._all(f"SELECT count(*) {base}{kind}", args + kind_arg)[0][0]
        kinds = {k: int(n) for k, n in self._all(
            f"SELECT x.kind, count(*) {base} GROUP BY x.kind ORDER BY x.kind", args)}
        rows = self._all(
            f"SELECT {_BRIEF}, x.kind, x.a_start, x.a_end, x.b_start, x.b_end, x.a_text, x.b_text, x.note, "
            "substr(da.text, greatest(1, x.a_start + 1 - ?), least(x.a_start, ?)), substr(da.text, x.a_end + 1, ?), "
            "substr(db.text, greatest(1, x.b_start + 1 - ?), least(x.b_start, ?)), substr(db.text, x.b_end + 1, ?) "
            f"FROM (SELECT x.* {base}{kind} ORDER BY x.a, x.b, x.a_start, x.b_start LIMIT ? OFFSET ?) x "
            "JOIN temp.wt_pair_facts p ON p.a = x.a AND p.b = x.b "
            "JOIN documents da ON da.doc = x.a JOIN documents db ON db.doc = x.b "
            "ORDER BY x.a, x.b, x.a_start, x.b_start",
            [context] * 6 + args + kind_arg + [limit, offset])
        keys = _BRIEF_KEYS + ("kind", "a_start", "a_end", "b_start", "b_end", "a_text", "b_text", "note",
                              "a_before", "a_after", "b_before", "b_after")
        return {"total": int(total), "conflicts": [dict(zip(keys, r)) for r in rows], "kinds": kinds}
