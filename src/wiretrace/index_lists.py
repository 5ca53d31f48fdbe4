"""The index's paginated lists (read methods of :class:`wiretrace.index.Index`,
kept in their own module for size): related pairs with facets and passage-text
search, and every conflict of the corpus or of one story.

Each list is one page (``LIMIT``/``OFFSET``) of a SQL query; facet counts are
``GROUP BY`` queries, each under every filter but its own. A text search
(``ILIKE`` on passage or conflict text) runs only when a query is given: it reads
the text of every pair the other filters keep, the one cost that grows with the
corpus's text rather than its pair count.

    >>> from wiretrace.index import Index
    >>> with Index.open(":memory:") as ix:
    ...     ix.pair_list(PairFilter(), limit=10, offset=0)["total"]
    0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["PairFilter", "ConflictFilter", "ListReads", "like_pattern"]

_CONFLICTS = "coalesce(json_array_length(p.result, '$.conflicts'), 0)"
_PAIR_DATE = "least(da.date, db.date)"
_PAIRS_FROM = ("FROM pairs p JOIN documents da ON da.doc = p.a JOIN documents db ON db.doc = p.b "
               "WHERE p.related")
_BRIEF = ("da.id, db.id, p.relation, p.source, p.similarity, p.a_coverage, p.b_coverage, "
          "p.n_passages, da.source, db.source, da.date, db.date, da.date_precision, "
          "db.date_precision, da.title, db.title")
_BRIEF_KEYS = ("a", "b", "relation", "source", "similarity", "a_coverage", "b_coverage", "passages",
               "a_outlet", "b_outlet", "a_date", "b_date", "a_date_precision", "b_date_precision",
               "a_title", "b_title")


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
    """The SQL conditions of ``f`` (``AND``-joined, each prefixed) and their
    parameters, leaving out the facet ``skip``."""
    sql, args = [], []
    if f.relation and skip != "relation":
        sql.append("p.relation = ?")
        args.append(f.relation)
    if f.kind and skip != "kind":
        sql.append("EXISTS (SELECT 1 FROM passages s WHERE s.a = p.a AND s.b = p.b AND s.kind = ?)")
        args.append(f.kind)
    if f.conflicts and skip != "conflicts":
        sql.append(f"{_CONFLICTS} {'>' if f.conflicts == 'yes' else '='} 0")
    if f.outlet and skip != "outlet":
        sql.append("(da.source = ? OR db.source = ?)")
        args += [f.outlet, f.outlet]
    if f.date_from and skip != "date":
        sql.append(f"{_PAIR_DATE} >= ?")
        args.append(f.date_from)
    if f.date_to and skip != "date":
        sql.append(f"substr({_PAIR_DATE}, 1, {len(f.date_to)}) <= ?")
        args.append(f.date_to)
    if f.q:
        sql.append("EXISTS (SELECT 1 FROM passages s WHERE s.a = p.a AND s.b = p.b AND "
                   "substr(da.text, s.a_start + 1, s.a_end - s.a_start) ILIKE ? ESCAPE '\\')")
        args.append(like_pattern(f.q))
    return "".join(" AND " + s for s in sql), args


class ListReads:
    """Paginated list queries; mixed into :class:`wiretrace.index.Index`
    (``self.con`` is its connection)."""

    con: Any

    def _all(self, sql: str, args: list[Any]) -> list[tuple]:
        return self.con.execute(sql, args).fetchall()

    def pair_list(self, f: PairFilter, *, limit: int, offset: int) -> dict[str, Any]:
        """One page of related pairs kept by ``f`` (most similar first), the total
        and the facet counts (``relation``, ``kind``, ``conflicts``, ``outlet`` (top
        50), ``month`` of the earlier date); with ``f.q``, each pair's first
        three matching passages."""
        where, args = _pair_where(f)
        total = self._all(f"SELECT count(*) {_PAIRS_FROM}{where}", args)[0][0]
        rows = self._all(
            f"SELECT {_BRIEF}, {_CONFLICTS}, p.a, p.b {_PAIRS_FROM}{where} "
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
        for name, expr in (("relation", "p.relation"), ("month", f"substr({_PAIR_DATE}, 1, 7)"),
                           ("conflicts", f"CASE WHEN {_CONFLICTS} > 0 THEN 'yes' ELSE 'no' END")):
            where, args = _pair_where(f, "date" if name == "month" else name)
            out[name] = {k if k is not None else "": int(n) for k, n in self._all(
                f"SELECT {expr} AS k, count(*) {_PAIRS_FROM}{where} GROUP BY k ORDER BY k", args)}
        where, args = _pair_where(f, "kind")
        out["kind"] = {k: int(n) for k, n in self._all(
            "SELECT s.kind, count(*) FROM (SELECT DISTINCT s.a, s.b, s.kind FROM passages s JOIN "
            f"(SELECT p.a, p.b {_PAIRS_FROM}{where}) k ON k.a = s.a AND k.b = s.b) s "
            "GROUP BY s.kind ORDER BY s.kind", args)}
        where, args = _pair_where(f, "outlet")
        out["outlet"] = {k: int(n) for k, n in self._all(
            f"SELECT o, count(*) AS n FROM (SELECT da.source AS o {_PAIRS_FROM}{where} UNION ALL "
            f"SELECT db.source {_PAIRS_FROM}{where} AND db.source IS DISTINCT FROM da.source) "
            "WHERE o IS NOT NULL GROUP BY o ORDER BY n DESC, o LIMIT 50", args + args)}
        return out

    def conflict_list(self, f: ConflictFilter, *, limit: int, offset: int,
                      context: int = 80) -> dict[str, Any]:
        """One page of the conflicts of related pairs kept by ``f`` (in pair order,
        then by offset in ``a``), each with both fragments, ``context`` characters
        of each document around it and the pair's documents; the total and the
        counts per ``kind``."""
        cond, args = [], []
        if f.story:
            cond.append("p.a IN (SELECT doc FROM doc_story WHERE story = ?) AND "
                        "p.b IN (SELECT doc FROM doc_story WHERE story = ?)")
            args += [f.story, f.story]
        if f.outlet:
            cond.append("(da.source = ? OR db.source = ?)")
            args += [f.outlet, f.outlet]
        base = ("SELECT p.a AS pa, p.b AS pb, unnest(json_extract(p.result, '$.conflicts[*]')) AS c "
                f"{_PAIRS_FROM} AND {_CONFLICTS} > 0" + "".join(" AND " + c for c in cond))
        cwhere, cargs = [], []
        if f.kind:
            cwhere.append("c ->> 'kind' = ?")
            cargs.append(f.kind)
        if f.q:
            cwhere.append("((c ->> 'a_text') ILIKE ? ESCAPE '\\' OR (c ->> 'b_text') ILIKE ? ESCAPE '\\')")
            cargs += [like_pattern(f.q)] * 2
        kept = " WHERE " + " AND ".join(cwhere) if cwhere else ""
        total = self._all(f"SELECT count(*) FROM ({base}) x{kept}", args + cargs)[0][0]
        kwhere = " WHERE " + " AND ".join(w for w in cwhere if "kind" not in w) if f.q else ""
        kinds = {k: int(n) for k, n in self._all(
            f"SELECT c ->> 'kind' AS k, count(*) FROM ({base}) x{kwhere} GROUP BY k ORDER BY k",
            args + (cargs[-2:] if f.q else []))}
        rows = self._all(
            f"SELECT {_BRIEF}, c ->> 'kind', (c ->> 'a_start')::BIGINT AS s1, (c ->> 'a_end')::BIGINT AS e1, "
            "(c ->> 'b_start')::BIGINT AS s2, (c ->> 'b_end')::BIGINT AS e2, c ->> 'a_text', c ->> 'b_text', "
            "c ->> 'note', "
            "substr(da.text, greatest(1, s1 + 1 - ?), least(s1, ?)), substr(da.text, e1 + 1, ?), "
            "substr(db.text, greatest(1, s2 + 1 - ?), least(s2, ?)), substr(db.text, e2 + 1, ?) "
            f"FROM (SELECT * FROM ({base}) x{kept} ORDER BY pa, pb, (c ->> 'a_start')::BIGINT, "
            "(c ->> 'b_start')::BIGINT LIMIT ? OFFSET ?) x "
            "JOIN pairs p ON p.a = x.pa AND p.b = x.pb JOIN documents da ON da.doc = p.a "
            "JOIN documents db ON db.doc = p.b ORDER BY p.a, p.b, s1, s2",
            [context] * 6 + args + cargs + [limit, offset])
        keys = _BRIEF_KEYS + ("kind", "a_start", "a_end", "b_start", "b_end", "a_text", "b_text", "note",
                              "a_before", "a_after", "b_before", "b_after")
        return {"total": int(total), "conflicts": [dict(zip(keys, r)) for r in rows], "kinds": kinds}
