"""Story grouping on ECB+ (Cybulska & Vossen 2014): event-level clusters.

ECB+ has 43 topics; each holds documents about two different seminal events
of one kind (two earthquakes, two Oscar hosts): ``*ecb.xml`` documents tell
one, ``*ecbplus.xml`` documents the other. The gold story of a document is
``(topic, ecb|ecbplus)``. This script

1. converts the XML to JSONL: the text is rebuilt from the ``token`` elements
   (sentence by sentence, one sentence per line, usual detokenization); the
   annotation layers are not read. A first sentence that is a bare URL (most
   ``ecbplus`` documents start with their web address) goes to the ``url``
   field, not the text. The XML has no document dates, so there are none; the
   id is the file name and nothing else about it reaches the scan;
2. runs the real ``wiretrace.engines.local.scan`` with the default
   configuration (``-o key=value`` to try another);
3. scores the ``story`` of every document against the gold clusters: adjusted
   Rand index, homogeneity, completeness, V-measure, cluster counts, and the
   scan's time per stage.

    python bench/eval_ecb.py                       # every topic present
    python bench/eval_ecb.py --topics 1-35         # the dev range
    python bench/eval_ecb.py --topics 36-45 -o workers=2

The data folder is ``../shared/data/ecbplus`` (``--data`` to override).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

_TOKEN = re.compile(r'<token\b[^>]*\bsentence="(\d+)"[^>]*>([^<]*)</token>')
_DOC_NAME = re.compile(r"^(\d+)_(\d+)(ecbplus|ecb)\.xml$")
_URLISH = re.compile(r"^\s*(https?\s*:|www\s*\.)", re.I)
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}


def detokenize(tokens: list[str]) -> str:
    """Tokens of one sentence back to running text (PTB quotes, clitics, punctuation).

    >>> detokenize(["``", "Hi", ",", "''", "he", "did", "n't", "say", "."])
    '"Hi," he didn\\'t say.'
    """
    text = " ".join(tokens)
    text = text.replace("``", '"').replace("''", '"')
    text = re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)
    text = re.sub(r"\s+([,.;:!?%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{$])\s+", r"\1", text)
    # straight double quotes: open with the following word, close on the previous one
    out, open_q = [], False
    for part in re.split(r'(\s*"\s*)', text):
        if part.strip() == '"':
            out.append(' "' if not open_q else '" ')
            open_q = not open_q
        else:
            out.append(part)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _unescape(s: str) -> str:
    for k, v in _ENTITIES.items():
        s = s.replace(k, v)
    return s


def read_doc(path: Path) -> dict:
    """One ECB+ XML file as a JSONL record (``id``, ``text``, maybe ``url``)."""
    sents: dict[int, list[str]] = {}
    for sent, tok in _TOKEN.findall(path.read_text(encoding="utf-8")):
        sents.setdefault(int(sent), []).append(_unescape(tok))
    lines = [detokenize(sents[k]) for k in sorted(sents)]
    rec: dict = {"id": path.name}
    if lines and _URLISH.match(lines[0]):
        rec["url"] = re.sub(r"\s+", "", lines.pop(0))
    rec["text"] = "\n".join(lines)
    return rec


def parse_topics(spec: str | None) -> set[int] | None:
    """``"1-35,40"`` -> {1..35, 40}; None = all."""
    if not spec:
        return None
    out: set[int] = set()
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def load(root: Path, topics: set[int] | None) -> tuple[list[dict], dict[str, str]]:
    """Records (sorted by topic, then name) and the gold story of each id."""
    recs, gold = [], {}
    files = []
    for path in root.glob("*/*.xml"):
        m = _DOC_NAME.match(path.name)
        if m and (topics is None or int(m.group(1)) in topics):
            files.append((int(m.group(1)), int(m.group(2)), m.group(3), path))
    for topic, _, kind, path in sorted(files):
        rec = read_doc(path)
        recs.append(rec)
        gold[rec["id"]] = f"{topic}/{kind}"
    return recs, gold


# -- clustering scores (plain Python: no scikit-learn needed) -------------------

def _comb2(n: int) -> float:
    return n * (n - 1) / 2


def scores(gold: dict[str, str], pred: dict[str, str]) -> dict:
    """ARI, homogeneity, completeness and V-measure of ``pred`` against ``gold``.

    >>> s = scores({"a": "x", "b": "x", "c": "y"}, {"a": 1, "b": 1, "c": 2})
    >>> s["ari"], s["homogeneity"], s["completeness"]
    (1.0, 1.0, 1.0)
    """
    ids = sorted(gold)
    n = len(ids)
    cont = Counter((gold[i], pred[i]) for i in ids)
    g, p = Counter(gold[i] for i in ids), Counter(pred[i] for i in ids)
    sum_ij = sum(_comb2(v) for v in cont.values())
    sum_g, sum_p = sum(_comb2(v) for v in g.values()), sum(_comb2(v) for v in p.values())
    expected = sum_g * sum_p / _comb2(n) if n > 1 else 0.0
    top = (sum_g + sum_p) / 2 - expected
    ari = 1.0 if top == 0 else (sum_ij - expected) / top

    def entropy(counts: Counter) -> float:
        return -sum(v / n * math.log(v / n) for v in counts.values())

    def cond(given: Counter, first: bool) -> float:  # H(other | given)
        h = 0.0
        for (a, b), v in cont.items():
            k = a if first else b
            h -= v / n * math.log(v / given[k])
        return h

    hg, hp = entropy(g), entropy(p)
    homog = 1.0 if hg == 0 else 1 - cond(p, False) / hg
    compl = 1.0 if hp == 0 else 1 - cond(g, True) / hp
    v = 0.0 if homog + compl == 0 else 2 * homog * compl / (homog + compl)
    return {"ari": round(ari, 4), "homogeneity": round(homog, 4), "completeness": round(compl, 4),
            "v_measure": round(v, 4), "documents": n, "gold_stories": len(g),
            "stories": len(p), "multi_doc_stories": sum(1 for v in p.values() if v > 1)}


def errors(gold: dict[str, str], pred: dict[str, str], limit: int = 15) -> list[str]:
    """The worst mixes: predicted stories holding several gold stories, and
    gold stories split over several predicted ones."""
    by_pred: dict[str, Counter] = {}
    by_gold: dict[str, Counter] = {}
    for i, g in gold.items():
        by_pred.setdefault(pred[i], Counter())[g] += 1
        by_gold.setdefault(g, Counter())[pred[i]] += 1
    mixed = sorted((c for c in by_pred.values() if len(c) > 1), key=lambda c: -sum(c.values()))
    split = sorted(((g, c) for g, c in by_gold.items() if len(c) > 1), key=lambda x: -len(x[1]))
    out = [f"mixed story: {dict(c)}" for c in mixed[:limit]]
    out += [f"split gold {g}: sizes {sorted(c.values(), reverse=True)}" for g, c in split[:limit]]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(C.DATA / "ecbplus" / "ECB+"))
    ap.add_argument("--topics", help="topic numbers, e.g. 1-35 or 36-45 (default: all present)")
    ap.add_argument("--out", default=str(C.OUT / "eval_ecb"))
    ap.add_argument("--jsonl-only", action="store_true", help="write the JSONL and stop")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the worst clusters")
    ap.add_argument("-o", "--option", action="append", default=[], metavar="KEY=VALUE",
                    help="ScanConfig option, e.g. -o workers=2")
    args = ap.parse_args()
    root = Path(args.data)
    if not root.exists():
        C.require_shared("data", "ecbplus", "ECB+")
    recs, gold = load(root, parse_topics(args.topics))
    if not recs:
        print(f"no ECB+ documents for topics {args.topics!r} under {root}")
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    jsonl = out / "ecbplus.jsonl"
    with open(jsonl, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    topics = sorted({int(g.split("/")[0]) for g in gold.values()})
    print(f"{len(recs)} documents, {len(set(gold.values()))} gold stories, topics {topics} -> {jsonl}")
    if args.jsonl_only:
        return 0

    opts = C.scan_options(args.option)
    summary, wall, pred = C.scan_stories(jsonl, out / "scan", opts)
    res = scores(gold, pred)
    res.update({"seconds": round(wall, 2), "timings": summary.timings, "options": opts,
                "topics": topics, "pairs": summary.pairs, "candidates": summary.candidates})
    print(json.dumps(res, indent=1))
    if args.verbose:
        print("\n".join(errors(gold, pred)))
    C.write_json("eval_ecb", {"env": C.environment(), **res})
    return 0


if __name__ == "__main__":
    sys.exit(main())
