"""Shared helpers for the bench/ scripts (data loading, options, statistics).

Nothing here ships in the package. Every loader reads from ``../shared`` (the
folder next to the repository), or from ``$WIRETRACE_SHARED`` when set.
"""

from __future__ import annotations

import glob
import html
import json
import os
import platform
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
SHARED = Path(os.environ.get("WIRETRACE_SHARED", REPO.parent / "shared"))
DATA = SHARED / "data"


# --------------------------------------------------------------------------- setup

def require_shared(*parts: str) -> Path:
    """The path under ../shared, or exit(0) with a message when it is missing."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        print(f"skipped: {p} not found (these benchmarks need ../shared; set WIRETRACE_SHARED to override)")
        sys.exit(0)
    return p


def add_option_arg(parser) -> None:
    parser.add_argument("--option", "-o", action="append", default=[], metavar="KEY=VALUE",
                        help="CompareConfig override, repeatable (e.g. -o min_passage_words=5)")


def parse_options(items: list[str]) -> dict:
    """``["max_gap=12", "semantic=false"]`` -> typed CompareConfig overrides."""
    from wiretrace.config import CompareConfig

    defaults = CompareConfig().to_dict()
    out = {}
    for item in items:
        if "=" not in item:
            raise SystemExit(f"--option wants KEY=VALUE, got {item!r}")
        key, val = item.split("=", 1)
        key = key.strip()
        if key not in defaults:
            raise SystemExit(f"unknown CompareConfig option {key!r}; valid: {sorted(defaults)}")
        cur = defaults[key]
        if isinstance(cur, bool):
            out[key] = val.strip().lower() in ("1", "true", "yes", "on")
        elif isinstance(cur, int):
            out[key] = int(val)
        elif isinstance(cur, float):
            out[key] = float(val)
        else:
            out[key] = val
    return out


def scan_options(items: list[str]) -> dict:
    """``["workers=2", "memory_limit=4GB"]`` -> ScanConfig keyword values: JSON
    where the value parses as JSON (numbers, true/false, null, lists), else the
    string itself."""
    out = {}
    for item in items:
        key, sep, val = item.partition("=")
        if not sep or not key.strip():
            raise SystemExit(f"--option wants KEY=VALUE, got {item!r}")
        try:
            out[key.strip()] = json.loads(val)
        except json.JSONDecodeError:
            out[key.strip()] = val
    return out


def scan_stories(corpus: Path, out: Path, options: dict) -> tuple:
    """Scan ``corpus`` into ``out`` (from scratch, no progress bars) with ScanConfig
    ``options``: ``(summary, wall seconds, {document id: story id})``."""
    from wiretrace import ScanConfig
    from wiretrace.engines.local import scan

    t = time.perf_counter()
    summary = scan(str(corpus), str(out), config=ScanConfig(**options), force=True)
    wall = time.perf_counter() - t
    story = {}
    with open(out / "documents.jsonl", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            story[d["id"]] = d["story"]
    return summary, wall, story


def environment() -> dict:
    import wiretrace

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "wiretrace": getattr(wiretrace, "__version__", "?"),
        "wiretrace_path": str(Path(wiretrace.__file__).parent),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "git": _git_state(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def _git_state() -> str:
    """HEAD commit and whether src/ has uncommitted changes (others edit the tree concurrently)."""
    import subprocess

    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=REPO, capture_output=True,
                               text=True, timeout=10).stdout.strip()
        return head + ("+dirty-src" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "?"


def write_json(name: str, payload: dict) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False, default=_jsonable))
    return path


def _jsonable(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def read_text(path, encoding: str = "utf-8") -> str:
    with open(path, encoding=encoding, errors="replace") as fh:
        return fh.read()


# --------------------------------------------------------------------------- statistics

def dist(values) -> dict:
    """min/p5/p50/p95/max (and n, mean) of a sequence, rounded."""
    v = np.asarray(list(values), dtype=float)
    if len(v) == 0:
        return {"n": 0}
    q = np.percentile(v, [0, 5, 50, 95, 100])
    return {"n": int(len(v)), "min": round(q[0], 4), "p5": round(q[1], 4), "p50": round(q[2], 4),
            "p95": round(q[3], 4), "max": round(q[4], 4), "mean": round(float(v.mean()), 4)}


def rankdata(x) -> np.ndarray:
    """Average ranks (1-based), ties share their mean rank."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    ranks = np.empty(len(x), dtype=float)
    brk = np.r_[True, xs[1:] != xs[:-1], True]
    idx = np.flatnonzero(brk)
    for s, e in zip(idx[:-1], idx[1:]):
        ranks[order[s:e]] = (s + e - 1) / 2.0 + 1.0
    return ranks


def pearson(x, y) -> float:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) < 2:
        return float("nan")
    xm, ym = x - x.mean(), y - y.mean()
    den = np.sqrt((xm @ xm) * (ym @ ym))
    return float(xm @ ym / den) if den > 0 else float("nan")


def spearman(x, y) -> float:
    return pearson(rankdata(x), rankdata(y))


def fisher_ci(r: float, n: int, z: float = 1.96) -> tuple[float, float]:
    if n < 4 or not np.isfinite(r) or abs(r) >= 1:
        return (float("nan"), float("nan"))
    f = np.arctanh(r)
    se = 1.0 / np.sqrt(n - 3)
    return (float(np.tanh(f - z * se)), float(np.tanh(f + z * se)))


def roc_auc(scores, labels) -> float:
    """Mann-Whitney AUC: P(score_pos > score_neg) + 0.5 P(tie)."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels).astype(bool)
    npos, nneg = int(y.sum()), int((~y).sum())
    if npos == 0 or nneg == 0:
        return float("nan")
    r = rankdata(s)
    return float((r[y].sum() - npos * (npos + 1) / 2.0) / (npos * nneg))


def median_time(fn, repeats: int) -> tuple[float, list[float]]:
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts)), ts


# --------------------------------------------------------------------------- corpora

def ws_norm(text: str) -> str:
    return " ".join(text.split())


def seeds() -> tuple[str, str]:
    d = require_shared("seeds")
    a = sorted(glob.glob(str(d / "000_*.txt")))
    b = sorted(glob.glob(str(d / "001_*.txt")))
    if not a or not b:
        print(f"skipped: seed files 000_*/001_* not found in {d}")
        sys.exit(0)
    return read_text(a[0]), read_text(b[0])


def bbc_articles() -> list[dict]:
    """All BBC articles: id ('business/001'), category, text (UTF-8, errors replaced)."""
    root = require_shared("data", "bbc_news_greene2006", "bbc")
    out = []
    for path in sorted(glob.glob(str(root / "*" / "*.txt"))):
        p = Path(path)
        out.append({"id": f"{p.parent.name}/{p.stem}", "category": p.parent.name,
                    "text": read_text(p)})
    return out


def bbc_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def bbc_duplicate_pairs(articles: list[dict]) -> list[tuple[dict, dict]]:
    groups = defaultdict(list)
    for art in articles:
        groups[ws_norm(art["text"])].append(art)
    pairs = []
    for g in groups.values():
        for k in range(1, len(g)):
            pairs.append((g[0], g[k]))
    return pairs


_REUTERS_RE = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_NEWID_RE = re.compile(r'NEWID="(\d+)"')
_BODY_RE = re.compile(r"<BODY>(.*?)</BODY>", re.S)
_TOPICS_RE = re.compile(r"<TOPICS>(.*?)</TOPICS>", re.S)
_D_RE = re.compile(r"<D>(.*?)</D>", re.S)
_TITLE_RE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)


def reuters_docs() -> list[dict]:
    """Reuters-21578 records that have a <BODY>: newid, topics, title, body (latin-1, unescaped)."""
    root = require_shared("data", "reuters21578")
    docs = []
    for path in sorted(glob.glob(str(root / "reut2-*.sgm"))):
        raw = Path(path).read_bytes().decode("latin-1")
        for m in _REUTERS_RE.finditer(raw):
            attrs, inner = m.group(1), m.group(2)
            body = _BODY_RE.search(inner)
            if not body:
                continue
            nid = _NEWID_RE.search(attrs)
            topics = _TOPICS_RE.search(inner)
            title = _TITLE_RE.search(inner)
            docs.append({
                "id": int(nid.group(1)) if nid else len(docs),
                "topics": _D_RE.findall(topics.group(1)) if topics else [],
                "title": html.unescape(title.group(1)) if title else "",
                "text": html.unescape(body.group(1)),
            })
    return docs


def reuters_duplicate_groups(docs: list[dict]) -> list[list[dict]]:
    groups = defaultdict(list)
    for d in docs:
        groups[ws_norm(d["text"])].append(d)
    return [g for g in groups.values() if len(g) > 1]
