"""The comparing half of a query, split over processes.

A query's cost is in its candidates: each is fetched, tokenized, given the
lexical pass and, for the best, the full comparison (at 1M documents about
27 of 33 ms). :class:`Comparers` runs that share of the work in this process
and in helper processes, each owning the candidates it was given: it keeps
their tokens between the lexical and the full pass, so nothing is tokenized
twice or sent back and forth but passages and comparisons.

A helper is a new interpreter (``python -m``; DuckDB connections do not
survive a fork) with its own read-only connection to the index. One that is not ready yet,
or has died, is simply not used: its share falls back to this process, and
the answer is the same.
"""

from __future__ import annotations

import os
import pickle
import select
import subprocess
import sys
import time
from typing import Any

from ..compare import compare_tokens, lexical_passages
from ..config import ScanConfig
from ..dates import pair_dates
from ..index import Index
from ..normalize import Tokens, tokenize
from ..rank import literal_share
from ..records import Comparison
from .pool import worker_count


class Comparer:
    """Fetches, tokenizes and compares candidates of the current query in this process."""

    def __init__(self, ix: Index, cfg: ScanConfig):
        self.ix, self.cfg = ix, cfg
        self.ta: Tokens | None = None
        self.held: dict[int, tuple[tuple, Tokens, list]] = {}

    def begin(self, text: str, ta: Tokens | None = None) -> None:
        """Start a query: forget the last one's candidates."""
        self.ta = ta if ta is not None else tokenize(text, strip_boilerplate=self.cfg.compare.strip_boilerplate)
        self.held = {}

    def documents(self, docs: list[int]) -> dict[int, tuple]:
        """``{doc: (id, source, date, title, text, story)}``. A literal IN list: a
        few dozen documents are found by zonemap pruning, where a join with a
        registered table scans the whole documents table."""
        if not docs:
            return {}
        listed = ",".join(str(int(d)) for d in docs)
        con = self.ix.con
        stories = dict(con.execute(f"SELECT doc, story FROM doc_story WHERE doc IN ({listed})").fetchall())
        return {int(r[0]): (*r[1:], stories.get(r[0])) for r in con.execute(
            f"SELECT doc, id, source, date, title, text FROM documents WHERE doc IN ({listed})").fetchall()}

    def lexical(self, docs: list[int]) -> list[tuple[int, float, bool]]:
        """``(doc, literal share of the query, has passages)`` of each candidate after
        the lexical pass: the share the final order ranks on (:mod:`wiretrace.rank`),
        so the candidates compared in full are those that can top it."""
        cfg, ta = self.cfg.compare, self.ta
        fetched = self.documents([n for n in docs if n not in self.held])
        out = []
        for n in docs:
            if n not in self.held:
                row = fetched[n]
                tb = tokenize(row[4], strip_boilerplate=cfg.strip_boilerplate)
                self.held[n] = ((row[0], row[1], row[2], row[3], row[5]), tb,
                                lexical_passages(ta, tb, cfg))
            lex = self.held[n][2]
            out.append((n, literal_share(ta, lex) if lex else 0.0, bool(lex)))
        return out

    def full(self, date: str | None, docs: list[int]) -> list[tuple[int, tuple, Comparison]]:
        """``(doc, (id, source, date, title, story), comparison)`` of each candidate."""
        missing = [n for n in docs if n not in self.held]
        if missing:  # another process's share, taken over
            self.lexical(missing)
        out = []
        for n in docs:
            meta, tb, lex = self.held[n]
            a_date, b_date = pair_dates(date, meta[2])  # a year or a month decides nothing
            out.append((n, meta, compare_tokens(self.ta, tb, self.cfg.compare, a_date=a_date,
                                                b_date=b_date, lexical=lex)))
        return out


def _serve(index_path: str) -> None:
    """A helper's loop over pickles on stdin: the config, then ``("begin", text)``,
    ``("lexical", docs)``, ``("full", date, docs)``; answers go to stdout."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not corrupt the answers
    inp = sys.stdin.buffer

    def send(msg: tuple) -> None:
        pickle.dump(msg, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        cfg = pickle.load(inp)
        ix = Index.open(index_path, read_only=True)
    except BaseException as exc:  # the parent then works alone
        send(("error", repr(exc)))
        return
    comparer = Comparer(ix, cfg)
    send(("ready", None))
    try:
        while True:
            msg = pickle.load(inp)
            if msg[0] == "stop":
                break
            if msg[0] == "begin":
                try:
                    if ix.stale():  # a writer published a newer index: read that one
                        ix.close()
                        ix = comparer.ix = Index.open(index_path, read_only=True)
                    comparer.begin(msg[1])
                except Exception:  # noqa: BLE001 - no reply to a begin: the next request fails
                    comparer.ta = None
                continue
            try:
                got = comparer.lexical(msg[1]) if msg[0] == "lexical" else comparer.full(msg[1], msg[2])
                send(("ok", got))
            except Exception as exc:  # noqa: BLE001 - reported, the parent redoes the share
                send(("error", repr(exc)))
    except (EOFError, OSError, KeyboardInterrupt):
        pass
    finally:
        ix.close()


class _Helper:
    """A helper process started as ``python -m`` (never by re-running the caller's
    script, as multiprocessing's spawn does), talking pickles over its pipes."""

    def __init__(self, index_path: str, cfg: ScanConfig):
        self.proc = subprocess.Popen([sys.executable, "-m", __name__, index_path],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.state = "starting"
        self.send(cfg)

    def usable(self, wait: float = 0.0) -> bool:
        if self.state == "starting":
            try:
                if select.select([self.proc.stdout], [], [], wait)[0]:
                    self.state = "ready" if pickle.load(self.proc.stdout)[0] == "ready" else "dead"
            except (EOFError, OSError, pickle.UnpicklingError):
                self.state = "dead"
        return self.state == "ready"

    def send(self, msg: Any) -> bool:
        try:
            pickle.dump(msg, self.proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.proc.stdin.flush()
            return True
        except (OSError, ValueError):
            self.state = "dead"
            return False

    def answer(self) -> list | None:
        try:
            kind, got = pickle.load(self.proc.stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            self.state = "dead"
            return None
        return got if kind == "ok" else None

    def close(self) -> None:
        if self.state != "dead":
            self.send(("stop",))
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


def helpers_for(workers: int) -> int:
    """How many helper processes a searcher with ``workers`` (0 = all cores) starts."""
    return worker_count(workers) - 1


class Comparers:
    """This process's :class:`Comparer` and ``helpers`` helper processes, used as one:
    a batch of candidates is dealt round-robin, each answer comes back in batch order."""

    def __init__(self, ix: Index, index_path: str, cfg: ScanConfig, helpers: int):
        self.local = Comparer(ix, cfg)
        self.helpers = [_Helper(index_path, cfg) for _ in range(helpers)] if index_path != ":memory:" else []
        self.active: list[_Helper] = []
        self.owner: dict[int, int] = {}

    def wait_ready(self, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for the helpers to start; how many are ready."""
        deadline = time.monotonic() + timeout
        return sum(h.usable(max(0.0, deadline - time.monotonic())) for h in self.helpers)

    def begin(self, text: str, ta: Tokens) -> None:
        # helpers tokenize the query while this process looks up the candidates
        self.active = [h for h in self.helpers if h.usable() and h.send(("begin", text))]
        self.local.begin(text, ta)
        self.owner = {}

    def _run(self, shares: dict[int, list[int]], local: Any, remote: tuple) -> dict[int, Any]:
        sent = {k: self.active[k - 1].send((*remote, docs)) for k, docs in shares.items() if k and docs}
        got = {n: r for n, *r in local(shares.get(0, []))}
        for k, ok in sent.items():
            answer = self.active[k - 1].answer() if ok else None
            if answer is None:  # a dead or failing helper: its share is done here
                answer = local(shares[k])
                for n in shares[k]:
                    self.owner[n] = 0
            got.update({n: r for n, *r in answer})
        return got

    def lexical(self, docs: list[int]) -> list[tuple[int, float, bool]]:
        shares: dict[int, list[int]] = {}
        for i, n in enumerate(docs):
            k = self.owner.setdefault(n, i % (len(self.active) + 1))
            shares.setdefault(k, []).append(n)
        got = self._run(shares, self.local.lexical, ("lexical",))
        return [(n, *got[n]) for n in docs]

    def full(self, date: str | None, docs: list[int]) -> list[tuple[int, tuple, Comparison]]:
        shares: dict[int, list[int]] = {}
        for n in docs:
            shares.setdefault(self.owner.get(n, 0), []).append(n)
        got = self._run(shares, lambda d: self.local.full(date, d), ("full", date))
        return [(n, *got[n]) for n in docs]

    def close(self) -> None:
        for h in self.helpers:
            h.close()


if __name__ == "__main__":
    _serve(sys.argv[1])
