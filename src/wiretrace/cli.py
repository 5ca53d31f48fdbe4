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
    from .read import read_article

    # read as a scan reads a file: HTML reduced to the article, empty input refused
    a_doc, b_doc = read_article(args.a), read_article(args.b)
    a_text, b_text = a_doc.text, b_doc.text
    options = _parse_options(args.option)
    if args.no_semantic:
        options["semantic"] = False
    # a date given wins; else the page's publication date or the dateline, as in a scan
    status = _loading_status(options)
    try:
        r = compare(a_text, b_text, a_date=args.a_date or a_doc.date, b_date=args.b_date or b_doc.date,
                    **options)
    finally:
        if status:  # wipe the status line
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
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
        from .worddiff import word_changes

        # the word ops need both texts, so only the CLI (which has them) adds them
        d = {"a_file": os.path.abspath(args.a), "b_file": os.path.abspath(args.b),
             **r.to_dict(word_changes(a_text, b_text, r))}
        print(json.dumps(d, ensure_ascii=False, indent=2 if args.pretty else None))
    else:
        from .report.terminal import print_comparison

        _semantic_notice(options)
        print_comparison(a_text, b_text, r, a_label=os.path.basename(args.a),
                         b_label=os.path.basename(args.b), color=args.color)
        if args.html:
            print(f"wrote {args.html}", file=sys.stderr)
    return 0


def _loading_status(options: dict[str, Any]) -> bool:
    """On a terminal, say that the embedding model is loading (the first seconds of
    a cold compare); True when a status line was written."""
    if options.get("semantic", True) is False or not sys.stderr.isatty():
        return False
    from .meaning import embed

    model = options.get("embed_model")
    try:
        if not embed.installed(model) or embed.loaded(model):
            return False
        name = embed.backend(model).name
    except Exception:  # an unknown model: compare() reports it
        return False
    sys.stderr.write(f"semantic pass: loading {name} model…")
    sys.stderr.flush()
    return True


def _semantic_notice(options: dict[str, Any]) -> None:
    if options.get("semantic", True) is False:
        return
    try:
        from .meaning import backend_notice
    except ImportError:
        return
    notice = backend_notice(options.get("embed_model"))
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
        with _Bars(not args.no_progress and not args.json) as bars:
            summary = spark_scan(args.input, args.out, config=cfg, master=args.master, conf=conf,
                                 force=args.force, on_progress=bars.on_progress, on_note=_note,
                                 wait=args.wait, on_wait=_note)
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
        self.tasks: dict[str, tuple[Any, float, list[Any]]] = {}
        self.started = False
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
        # the display's refresh thread starts with the first report, not here: the
        # scan makes its worker pool first, and a process is forked safely only
        # while it runs no other thread (see engines/pool.py)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.p is not None and self.started:
            self.p.stop()

    def on_progress(self, stage: str, n: int, total: int | None) -> None:
        import time

        if self.p is None:
            return
        if not self.started:
            self.started = True
            self.p.start()
        if stage not in self.tasks:
            self.tasks[stage] = (self.p.add_task(stage, total=total, rate=""), time.perf_counter(),
                                 [0, total])
        tid, start, count = self.tasks[stage]
        if total != count[1]:  # Spark's total grows as its jobs start
            count[1] = total
            self.p.update(tid, total=total)
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


def _print_summary(summary: Any, as_json: bool, verb: str = "scan") -> None:
    d = summary.to_dict() if hasattr(summary, "to_dict") else dict(summary)
    if as_json:
        print(json.dumps(d, ensure_ascii=False, default=str))
        return
    for line in _summary_lines(d, verb):
        print(line)


def _plural(n: int, word: str) -> str:
    """A count and its noun.

    >>> _plural(2, "story"), _plural(1, "pair")
    ('2 stories', '1 pair')
    """
    many = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{n:,} {word if n == 1 else many}"


def _summary_lines(d: dict[str, Any], verb: str) -> list[str]:
    """The run summary a person reads: what the index holds, what was skipped and
    where, where the report is."""
    out_dir = d.get("out_dir")
    head = (f"added {_plural(d.get('added', 0), 'document')}; the index now holds "
            if verb == "add" else "scanned: ")
    lines = [head + f"{_plural(d['documents'], 'document')}, {_plural(d['pairs'], 'related pair')} "
             f"({_plural(d['passages'], 'passage')}), {_plural(d['stories'], 'story')} "
             f"({d.get('multi_doc_stories', 0):,} with 2+ documents) in {d.get('seconds', 0):.1f}s"]
    skipped = d.get("skipped") or {}
    if skipped:
        what = ", ".join(f"{n:,} {cat}" for cat, n in sorted(skipped.items(), key=lambda kv: -kv[1]))
        where = os.path.join(out_dir, "skipped.jsonl") if out_dir else "the index (table skipped)"
        lines.append(f"skipped {_plural(sum(skipped.values()), 'record')} ({what}): file:line and "
                     f"reason in {where}")
    if d.get("resumed"):
        lines.append(f"resumed: {', '.join(d['resumed'])} had finished with the same options")
    stale = d.get("stale_outputs")
    if out_dir:
        lines.append(f"report: {os.path.join(out_dir, 'report.html')}  (outputs in {out_dir})")
    elif stale:
        where = "config.json there says so" if stale.get("marked") else "config.json could not be marked"
        lines.append(f"outputs in {stale['folder']} are stale: they show the index before this add "
                     f"({stale['reason']}; {where}); to refresh them, run: {stale['refresh']}")
    elif verb == "add":
        lines.append(f"outputs not rewritten: no scan folder names {d['index_path']} (moved or "
                     "never written); rerun `wiretrace scan` with its --out and --index to write them")
    return lines


def _cmd_add(args: argparse.Namespace) -> int:
    from .engines.local import add
    from .pipeline.folder import locate_index

    index = locate_index(args.index)
    with _Bars(not args.no_progress and not args.json) as bars:
        summary = add(index, args.input, config=_scan_config(args), on_progress=bars.on_progress,
                      wait=args.wait, on_wait=_note)
    _print_summary(summary, args.json, "add")
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    from .engines.search import query
    from .pipeline.folder import locate_index
    from .read import read_text_file

    index = locate_index(args.index)
    text = read_text_file(args.file)
    hits = query(index, text, title=args.title, date=args.date, limit=args.limit)
    if args.json:
        print(json.dumps([h.to_dict() if hasattr(h, "to_dict") else h for h in hits],
                         ensure_ascii=False, default=str))
        return 0
    if not hits:
        print("no related documents in the index")
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .report.terminal import plain

    # ids, sources and the file name are data: Text, never rich markup, and no control
    # character reaches the terminal ("[/closing]" is an id, not a closing tag)
    t = Table(title=plain(f"documents related to {args.file}, the hit explaining most of it first"))
    # ids are printed whole (BBC ids share their first characters); other columns wrap
    t.add_column("id", no_wrap=True, min_width=max(len(plain(str(h.id))) for h in hits), overflow="fold")
    for col in ("source", "date", "relation", "source?", "explains", "coverage (file / doc)",
                "similarity"):
        t.add_column(col, overflow="fold")
    for h in hits:
        c = h.comparison
        src = {"a": "this file", "b": "indexed doc", None: "?"}[c.source]
        rel = c.relation + (" (shared quotes)" if c.evidence is not None
                            and c.evidence.shared_quotes else "")
        t.add_row(plain(h.id), plain(h.source or ""), plain(h.date or ""), Text(rel), Text(src),
                  Text(f"{h.explains:.0%}"), Text(f"{c.a_coverage:.0%} / {c.b_coverage:.0%}"),
                  Text(f"{c.similarity:.2f}"))
    console = Console()
    console.print(t)
    console.print("explains: share of the file inside the document's passages, each word counted "
                  "at 1 - the passage's edit rate", markup=False)
    for h in hits:  # why a source sits above hits that explain more of the file
        for copy, why in h.source_of:
            console.print(plain(f"{h.id} ranks above {copy} as its likelier source: {why}"))
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .pipeline.folder import locate_index
    from .web import serve

    locate_index(args.path)  # a scan output or another file: say what to give instead
    _check_port(args.host, args.port)
    serve(args.path, host=args.host, port=args.port, allow_add=args.allow_add, checks_dir=args.checks_dir)
    return 0


def _check_port(host: str, port: int) -> None:
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise WiretraceError(f"--host {host}: {exc.strerror}; give an address such as 127.0.0.1") from None
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError as exc:
            raise WiretraceError(f"cannot listen on {host}:{port} ({exc.strerror}); another program "
                                 "may be using the port: choose another with --port") from None


def _corpus_flags(p: argparse.ArgumentParser) -> None:
    """Flags shared by the verbs that ingest a corpus (scan, add)."""
    p.add_argument("--workers", type=int,
                   help="worker processes for tokenizing and aligning (default: all cores)")
    p.add_argument("--option", "-o", action="append", metavar="KEY=VALUE",
                   help="set a ScanConfig or CompareConfig option, e.g. -o story_threshold=0.25; "
                        "repeatable; values are JSON literals, else strings (default: none; the "
                        "options and their defaults are in wiretrace/config.py)")
    p.add_argument("--json", action="store_true",
                   help="print the run summary as one JSON object instead of the readable "
                        "summary (default: off)")
    p.add_argument("--no-progress", action="store_true",
                   help="draw no progress bars on stderr (default: bars on)")
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
    c.add_argument("a", metavar="A", help="the first article: a text file, or an .html/.htm page "
                                           "(its article text is extracted, as scan does)")
    c.add_argument("b", metavar="B", help="the second article, read like A")
    c.add_argument("--json", action="store_true",
                   help="print the result as JSON, with a_file and b_file naming the inputs "
                        "(default: a terminal view)")
    c.add_argument("--pretty", action="store_true", help="indent the JSON (default: one line)")
    c.add_argument("--html", metavar="FILE",
                   help="also write a self-contained side-by-side HTML page to FILE (default: none)")
    c.add_argument("--a-date", help="publication date of A, ISO 8601 such as 2016-01-12; an invalid "
                                    "date is an error (default: the page's publication date or the "
                                    "text's dateline, as scan reads them, else none)")
    c.add_argument("--b-date", help="publication date of B, like --a-date (default: as for A)")
    c.add_argument("--no-semantic", action="store_true",
                   help="skip the sentence-embedding pass: lexical passages only (default: the "
                        "pass runs when the semantic extra is installed)")
    c.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour in the terminal view: auto (default) colours a terminal and marks "
                        "passages and changed words with plain brackets when the output is piped; "
                        "never always uses the brackets")
    c.add_argument("--option", "-o", action="append", metavar="KEY=VALUE",
                   help="set a CompareConfig option, e.g. -o min_passage_words=8; repeatable "
                        "(default: none)")
    c.set_defaults(func=_cmd_compare)

    s = sub.add_parser("scan", help="scan a corpus for reuse and stories",
                       description="Scan a corpus (folder of .txt/.html, .jsonl, .csv, .parquet) and "
                                   "write documents.jsonl, pairs.jsonl, passages.parquet, stories.jsonl "
                                   "and report.html to DIR.")
    s.add_argument("input", metavar="INPUT",
                   help="a folder of .txt/.html/.jsonl/.csv/.parquet files, or one such file")
    s.add_argument("--out", required=True, metavar="DIR",
                   help="the folder for the outputs and the index: new, empty, or an earlier scan "
                        "of the same INPUT (the scan resumes there); required")
    s.add_argument("--index", metavar="PATH", help="DuckDB index file (default: DIR/index.duckdb)")
    s.add_argument("--force", action="store_true",
                   help="redo every stage even if finished, and write into a DIR holding another "
                        "scan (replaced) or other files (kept beside the outputs) (default: off)")
    s.add_argument("--engine", choices=("local", "spark"), default="local",
                   help="where the work runs: this machine, or Spark (default: local)")
    s.add_argument("--master", help="Spark master URL, engine spark only (default: local[*])")
    s.add_argument("--conf", action="append", metavar="KEY=VALUE",
                   help="a Spark configuration setting, engine spark only; repeatable (default: none)")
    _corpus_flags(s)
    s.set_defaults(func=_cmd_scan)

    a = sub.add_parser("add", help="add articles to an existing index",
                       description="Ingest new articles into INDEX without a rebuild and link them to "
                                   "existing documents and stories.")
    a.add_argument("index", metavar="INDEX",
                   help="a scan folder or its index.duckdb; the folder's outputs are rewritten")
    a.add_argument("input", metavar="INPUT", help="the new articles, in any format scan reads")
    _corpus_flags(a)
    a.set_defaults(func=_cmd_add)

    q = sub.add_parser("query", help="which indexed documents does this article reuse, or reuse it?",
                       description="Compare one article against the index and list related documents.")
    q.add_argument("index", metavar="INDEX", help="a scan folder or its index.duckdb")
    q.add_argument("file", metavar="FILE", help="the article to look up, a text file")
    q.add_argument("--title", help="the article's title, used to find its story (default: none)")
    q.add_argument("--date", help="publication date of FILE, ISO 8601 (default: none)")
    q.add_argument("--limit", type=int, default=20, help="most documents listed (default: 20)")
    q.add_argument("--json", action="store_true", help="print the hits as JSON (default: a table)")
    q.set_defaults(func=_cmd_query)

    v = sub.add_parser("serve", help="browse a scan or index in the browser",
                       description="Serve the web viewer over a scan output directory or index.")
    v.add_argument("path", metavar="DIR_OR_INDEX", help="a scan folder or its index.duckdb")
    v.add_argument("--host", default="127.0.0.1",
                   help="address to listen on; another than loopback serves anyone who can reach "
                        "it (default: 127.0.0.1)")
    v.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    v.add_argument("--allow-add", action="store_true",
                   help="let the check page store submitted articles in the index (default: off)")
    v.add_argument("--checks-dir", metavar="DIR", default=None,
                   help="folder keeping each check's results for its permalink (default: "
                        "INDEX.checks beside the index)")
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
