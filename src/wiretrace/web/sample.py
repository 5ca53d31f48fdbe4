"""Write a small scan-shaped directory by comparing every pair of documents.

For demos, tests and benchmarks of the viewer on a few documents, and as a
stand-in where the corpus engine (:mod:`wiretrace.engines.local`) is not
installed. Quadratic in the number of documents: use ``wiretrace scan`` for
real corpora. The files follow the scan's documented format
(``documents.jsonl``, ``pairs.jsonl``, ``stories.jsonl``, ``config.json``).
"""

from __future__ import annotations

import json
import os
from itertools import combinations
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..compare import compare

#: pairs at or above this similarity (and not non-derived) join one story
STORY_SIMILARITY = 0.35


def _components(ids: list[str], links: list[tuple[str, str]]) -> list[list[str]]:
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for i in ids:
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def write_sample_scan(documents: Iterable[Mapping[str, Any]], out: str | os.PathLike[str], *,
                      index: bool = True) -> Path:
    """Compare all pairs of ``documents`` (dicts with ``id``, ``text`` and optional
    ``source``, ``date``, ``title``, ``url``) and write a scan directory to ``out``.

    With ``index`` the texts go to a DuckDB ``index.duckdb`` (tables ``documents``,
    ``pairs``, ``stories``) and documents.jsonl keeps only the metadata, as the
    scan does; without it documents.jsonl carries the texts. Returns the directory.
    Pairs with no passage are left out, as a scan does.
    """
    docs = [dict(d) for d in documents]
    for d in docs:
        d["id"] = str(d["id"])
    by_id = {d["id"]: d for d in docs}
    pairs: list[dict[str, Any]] = []
    links: list[tuple[str, str]] = []
    for x, y in combinations(docs, 2):
        r = compare(x["text"], y["text"], a_date=x.get("date"), b_date=y.get("date"))
        if not r.passages:
            continue
        pairs.append({"a": x["id"], "b": y["id"], **r.to_dict()})
        if r.relation != "non-derived" or r.similarity >= STORY_SIMILARITY:
            links.append((x["id"], y["id"]))
    stories = []
    for n, members in enumerate(sorted(_components(list(by_id), links),
                                       key=lambda m: min(by_id[i].get("date") or "" for i in m))):
        members.sort(key=lambda i: (by_id[i].get("date") or "9999", i))
        sid = f"s{n + 1}"
        for i in members:
            by_id[i]["story"] = sid
        member_set = set(members)
        edges = []
        for p in pairs:
            if p["a"] in member_set and p["b"] in member_set and p["source"] and \
                    p["relation"] != "non-derived":
                src, dst = (p["a"], p["b"]) if p["source"] == "a" else (p["b"], p["a"])
                edges.append({"from": src, "to": dst, "relation": p["relation"]})
        stories.append({"story": sid, "documents": members, "earliest": members[0],
                        "headline": next((by_id[i].get("title") for i in members if by_id[i].get("title")), None),
                        "edges": edges})
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)

    def dump(name: str, rows: list[dict[str, Any]]) -> None:
        with open(root / name, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")

    dump("documents.jsonl", [{k: v for k, v in d.items() if k != "text"} for d in docs] if index else docs)
    if index:
        _write_index(root / "index.duckdb", docs, pairs, stories)
    dump("pairs.jsonl", pairs)
    dump("stories.jsonl", stories)
    (root / "config.json").write_text(json.dumps({"engine": "web.sample", "documents": len(docs)}),
                                      encoding="utf-8")
    return root


def _write_index(path: Path, docs: list[dict[str, Any]], pairs: list[dict[str, Any]],
                 stories: list[dict[str, Any]]) -> None:
    import duckdb

    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE TABLE documents (id VARCHAR PRIMARY KEY, source VARCHAR, date VARCHAR, "
                    "title VARCHAR, url VARCHAR, story VARCHAR, text VARCHAR)")
        con.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [[d["id"], d.get("source"), d.get("date"), d.get("title"), d.get("url"),
                          d.get("story"), d["text"]] for d in docs])
        con.execute("CREATE TABLE pairs (a VARCHAR, b VARCHAR, relation VARCHAR, source VARCHAR, "
                    "similarity DOUBLE, a_coverage DOUBLE, b_coverage DOUBLE, comparison VARCHAR)")
        con.executemany("INSERT INTO pairs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [[p["a"], p["b"], p["relation"], p["source"], p["similarity"], p["a_coverage"],
                          p["b_coverage"], json.dumps(p)] for p in pairs])
        con.execute("CREATE TABLE stories (story VARCHAR, documents VARCHAR[], earliest VARCHAR, "
                    "headline VARCHAR)")
        con.executemany("INSERT INTO stories VALUES (?, ?, ?, ?)",
                        [[s["story"], s["documents"], s["earliest"], s["headline"]] for s in stories])
    finally:
        con.close()
