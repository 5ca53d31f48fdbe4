"""The one command line: ``wiretrace <verb>``. Each verb is a thin wrapper
over a library function; only this module prints and sets exit codes."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Sequence

from . import __version__
from .errors import WiretraceError

EXIT_ERROR = 2
EXIT_INTERNAL = 3


def _parse_options(pairs: Sequence[str] | None) -> dict[str, Any]:
    """``["max_gap=10", "semantic=false"]`` → typed dict (JSON literals, else str)."""
    from .errors import ConfigError

    out: dict[str, Any] = {}
    for item in pairs or []:
        if "=" not in item:
            raise ConfigError(f"--option needs KEY=VALUE, got {item!r}")
        k, v = item.split("=", 1)
        try:
            out[k.strip()] = json.loads(v)
        except json.JSONDecodeError:
            out[k.strip()] = v
    return out


def _cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare
    from .read import read_text_file

    a_text = read_text_file(args.a)
    b_text = read_text_file(args.b)
    options = _parse_options(args.option)
    if args.no_semantic:
        options["semantic"] = False
    r = compare(a_text, b_text, a_date=args.a_date, b_date=args.b_date, **options)
    if args.html:
        from .report.html import render_html

        page = render_html(a_text, b_text, r, a_label=args.a, b_label=args.b,
                           title=f"wiretrace: {os.path.basename(args.a)} vs {os.path.basename(args.b)}")
        try:
            with open(args.html, "w", encoding="utf-8") as fh:
                fh.write(page)
        except OSError as exc:
            raise WiretraceError(f"cannot write {args.html}: {exc.strerror}; choose a writable path") from exc
    if args.json:
        print(json.dumps(r.to_dict(), ensure_ascii=False, indent=2 if args.pretty else None))
    else:
        from .report.terminal import print_comparison

        _semantic_notice(options)
        print_comparison(a_text, b_text, r, a_label=os.path.basename(args.a),
                         b_label=os.path.basename(args.b))
        if args.html:
            print(f"wrote {args.html}", file=sys.stderr)
    return 0


def _semantic_notice(options: dict[str, Any]) -> None:
    if options.get("semantic", True) is False:
        return
    try:
        from .meaning import backend_notice
    except ImportError:
        return
    notice = backend_notice()
    # only the fallback is news; a working semantic pass needs no line on every run
    if notice and notice.startswith("semantic pass off"):
        print(notice, file=sys.stderr)


def _scan_config(args: argparse.Namespace):
    from .config import CompareConfig, ScanConfig

    opts = _parse_options(getattr(args, "option", None))
    # a name both configs know (ngram, semantic) belongs to the scan
    scan_fields = set(ScanConfig.__dataclass_fields__) - {"compare"}
    scan_opts = {k: v for k, v in opts.items() if k in scan_fields}
    cmp_opts = {k: v for k, v in opts.items() if k not in scan_fields}
    if getattr(args, "workers", None) is not None:
        scan_opts["workers"] = args.workers
    return ScanConfig(compare=CompareConfig().replace(**cmp_opts), **scan_opts)


def _cmd_scan(args: argparse.Namespace) -> int:
    cfg = _scan_config(args)
    if args.engine == "spark":
        from .engines.spark import scan as spark_scan

        conf = dict(_kv(c) for c in args.conf or [])
        summary = spark_scan(args.input, args.out, config=cfg, master=args.master, conf=conf,
                             force=args.force)
    else:
        from .engines.local import scan

        with _Bars(not args.no_progress and not args.json) as bars:
            summary = scan(args.input, args.out, config=cfg, index_path=args.index,
                           force=args.force, on_progress=bars.on_progress, wait=args.wait,
                           on_wait=_note)
    _print_summary(summary, args.json)
    return 0


class _Bars:
    """rich progress bars on stderr for a scan's ``on_progress`` reports (one bar a
    stage, with its rate); silent when disabled."""

    def __init__(self, enabled: bool):
        self.p = None
        self.tasks: dict[str, tuple[Any, float, list[int]]] = {}
        if enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.p = Progress(TextColumn("{task.description:<11}"), BarColumn(), MofNCompleteColumn(),
                              TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                              TimeRemainingColumn(), console=Console(stderr=True), transient=False)

    def __enter__(self) -> "_Bars":
        if self.p is not None:
            self.p.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.p is not None:
            self.p.stop()

    def on_progress(self, stage: str, n: int, total: int | None) -> None:
        import time

        if self.p is None:
            return
        if stage not in self.tasks:
            self.tasks[stage] = (self.p.add_task(stage, total=total, rate=""), time.perf_counter(), [0])
        tid, start, count = self.tasks[stage]
        if n:
            count[0] += n
            rate = count[0] / max(time.perf_counter() - start, 1e-6)
            self.p.update(tid, advance=n, rate=f"{rate:,.0f}/s")


def _note(message: str) -> None:
    print(f"wiretrace: {message}", file=sys.stderr, flush=True)


def _kv(item: str) -> tuple[str, str]:
    from .errors import ConfigError

    if "=" not in item:
        raise ConfigError(f"--conf needs KEY=VALUE, got {item!r}")
    k, v = item.split("=", 1)
    return k, v


def _print_summary(summary: Any, as_json: bool) -> None:
    d = summary.to_dict() if hasattr(summary, "to_dict") else dict(summary)
    if as_json:
        print(json.dumps(d, ensure_ascii=False, default=str))
        return
    for k, v in d.items():
        print(f"{k:>12}: {v}")


def _cmd_add(args: argparse.Namespace) -> int:
    from .engines.local import add

    with _Bars(not args.no_progress and not args.json) as bars:
        summary = add(args.index, args.input, config=_scan_config(args), on_progress=bars.on_progress,
                      wait=args.wait, on_wait=_note)
    _print_summary(summary, args.json)
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    from .engines.search import query
    from .read import read_text_file

    text = read_text_file(args.file)
    hits = query(args.index, text, title=args.title, date=args.date, limit=args.limit)
    if args.json:
        print(json.dumps([h.to_dict() if hasattr(h, "to_dict") else h for h in hits],
                         ensure_ascii=False, default=str))
        return 0
    if not hits:
        print("no related documents in the index")
        return 0
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"documents related to {args.file}, the hit explaining most of it first")
    for col in ("id", "source", "date", "relation", "source?", "explains", "coverage (file / doc)",
                "similarity"):
        t.add_column(col)
    for h in hits:
        c = h.comparison
        src = {"a": "this file", "b": "indexed doc", None: "?"}[c.source]
        rel = c.relation + (" (shared quotes)" if c.evidence is not None
                            and c.evidence.shared_quotes else "")
        t.add_row(str(h.id), str(h.source or ""), str(h.date or ""), rel, src,
                  f"{h.explains:.0%}", f"{c.a_coverage:.0%} / {c.b_coverage:.0%}", f"{c.similarity:.2f}")
    console = Console()
    console.print(t)
    console.print("explains: share of the file inside the document's passages, each word counted "
                  "at 1 - the passage's edit rate", markup=False)
    for h in hits:  # why a source sits above hits that explain more of the file
        for copy, why in h.source_of:
            console.print(f"{h.id} ranks above {copy} as its likelier source: {why}", markup=False,
                          highlight=False)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .web import serve

    serve(args.path, host=args.host, port=args.port, allow_add=args.allow_add)
    return 0


def _corpus_flags(p: argparse.ArgumentParser) -> None:
    """Flags shared by the verbs that ingest a corpus (scan, add)."""
    p.add_argument("--workers", type=int, help="alignment processes (default: all cores)")
    p.add_argument("--option", "-o", action="append", metavar="KEY=VALUE",
                   help="override a ScanConfig or CompareConfig field")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--wait", type=float, metavar="SECONDS",
                   help="how long to wait for another writer of the index (default: "
                        "$WIRETRACE_WRITE_WAIT, else 600)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="wiretrace",
        description="Find where news text comes from: reused passages, derivation, source, stories.",
    )
    p.add_argument("--version", action="version", version=f"wiretrace {__version__}")
    sub = p.add_subparsers(dest="verb", metavar="VERB")

    c = sub.add_parser("compare", help="compare two articles",
                       description="Align the passages A reuses from B (and back), say how A stands "
                                   "to B (METER: wholly/partially/non-derived) and which is the likelier source.")
    c.add_argument("a", metavar="A.txt")
    c.add_argument("b", metavar="B.txt")
    c.add_argument("--json", action="store_true", help="print the result as JSON (contract fields)")
    c.add_argument("--pretty", action="store_true", help="indent the JSON")
    c.add_argument("--html", metavar="FILE", help="also write a self-contained side-by-side HTML page")
    c.add_argument("--a-date", help="publication date of A (ISO 8601)")
    c.add_argument("--b-date", help="publication date of B (ISO 8601)")
    c.add_argument("--no-semantic", action="store_true", help="lexical pass only")
    c.add_argument("--option", "-o", action="append", metavar="KEY=VALUE",
                   help="override a CompareConfig field, e.g. -o min_passage_words=8")
    c.set_defaults(func=_cmd_compare)

    s = sub.add_parser("scan", help="scan a corpus for reuse and stories",
                       description="Scan a corpus (folder of .txt/.html, .jsonl, .csv, .parquet) and "
                                   "write documents.jsonl, pairs.jsonl, passages.parquet, stories.jsonl "
                                   "and report.html to DIR.")
    s.add_argument("input", metavar="INPUT")
    s.add_argument("--out", required=True, metavar="DIR")
    s.add_argument("--index", metavar="PATH", help="DuckDB index file (default: DIR/index.duckdb)")
    s.add_argument("--force", action="store_true", help="redo every stage even if finished")
    s.add_argument("--engine", choices=("local", "spark"), default="local")
    s.add_argument("--master", help="Spark master URL (engine spark), default local[*]")
    s.add_argument("--conf", action="append", metavar="KEY=VALUE", help="Spark configuration (engine spark)")
    _corpus_flags(s)
    s.set_defaults(func=_cmd_scan)

    a = sub.add_parser("add", help="add articles to an existing index",
                       description="Ingest new articles into INDEX without a rebuild and link them to "
                                   "existing documents and stories.")
    a.add_argument("index", metavar="INDEX")
    a.add_argument("input", metavar="INPUT")
    _corpus_flags(a)
    a.set_defaults(func=_cmd_add)

    q = sub.add_parser("query", help="which indexed documents does this article reuse, or reuse it?",
                       description="Compare one article against the index and list related documents.")
    q.add_argument("index", metavar="INDEX")
    q.add_argument("file", metavar="FILE")
    q.add_argument("--title")
    q.add_argument("--date", help="publication date of FILE (ISO 8601)")
    q.add_argument("--limit", type=int, default=20)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_cmd_query)

    v = sub.add_parser("serve", help="browse a scan or index in the browser",
                       description="Serve the web viewer over a scan output directory or index.")
    v.add_argument("path", metavar="DIR_OR_INDEX")
    v.add_argument("--host", default="127.0.0.1")
    v.add_argument("--port", type=int, default=8000)
    v.add_argument("--allow-add", action="store_true", help="let the check page store submitted articles")
    v.set_defaults(func=_cmd_serve)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wiretrace`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_ERROR
    try:
        return int(args.func(args) or 0)
    except WiretraceError as exc:
        print(f"wiretrace: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("wiretrace: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
        if os.environ.get("WIRETRACE_DEBUG"):
            raise
        print(f"wiretrace: internal error: {type(exc).__name__}: {exc}\n"
              "Set WIRETRACE_DEBUG=1 for a traceback and please report it.", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
