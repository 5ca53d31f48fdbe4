"""Routes, error pages and security headers of the web viewer.

Every page answers as HTML at its path and as JSON at the same path plus
``.json``. Ids only ever key a lookup (never a path); templates autoescape;
the index is opened read-only; responses carry a strict Content-Security-
Policy (no inline script or style: CSS and JS are served under /static).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..dates import DateError, check_date, format_date
from ..engines.search import QueryHit
from ..errors import WiretraceError
from ..formats import MAX_CHARS as FORMAT_MAX_CHARS
from ..records import Conflict, json_finite
from ..report import reuse_line
from ..report.html import PAIR_CSS, PAIR_JS, pair_fragment, summary_html
from ..worddiff import word_changes
from . import check, lists, views
from .data import Corpus
from .permalinks import CheckStore, CheckStoreFull, checks_beside

log = logging.getLogger("wiretrace.web")

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY")]
MAX_UPLOAD = 8 * 1024 * 1024
MAX_CHARS = FORMAT_MAX_CHARS  # what a scan keeps of a document
RELOAD_EVERY = 2.0
_ERROR_500 = ("<!doctype html><html lang=en><head><meta charset=utf-8><title>Server error</title>"
              "<link rel=stylesheet href=/static/app.css></head><body><main><h1>Server error</h1>"
              "<p>Something went wrong while building this page. The details are in the server log."
              "</p><p><a href=/stories>Back to the stories</a></p></main></body></html>")


class _Guard:
    """ASGI middleware: refuse unknown Host headers (DNS rebinding), add security headers."""

    def __init__(self, app: Any, allowed_hosts: set[str] | None):
        self.app = app
        self.allowed = allowed_hosts

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.allowed is not None:
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()
            name = host[:host.find("]") + 1] if host.startswith("[") else host.split(":")[0]
            if name not in self.allowed:
                await Response("Invalid host header", status_code=400, media_type="text/plain",
                               headers={"x-content-type-options": "nosniff"})(scope, receive, send)
                return

        async def send_secured(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) + SECURITY_HEADERS}
            await send(message)

        await self.app(scope, receive, send_secured)


def _pct(value: Any) -> str:
    try:
        return f"{float(value):.0%}"
    except (TypeError, ValueError):
        return ""


def _when(value: Any, precision: str | None = None) -> str:
    """A date as every page prints it, with its precision (:func:`wiretrace.dates.format_date`)."""
    return format_date(value, precision)


def _int(value: str | None, default: int, lo: int, hi: int) -> int:
    try:
        return min(hi, max(lo, int(value or default)))
    except ValueError:
        return default


def _is_json(request: Request) -> bool:
    return request.url.path.endswith(".json")


def _public(data: Any) -> Any:
    """Drop the private ``_`` keys (objects kept for the template) before JSON."""
    if isinstance(data, dict):
        return {k: _public(v) for k, v in data.items() if not str(k).startswith("_")}
    if isinstance(data, list):
        return [_public(v) for v in data]
    return json_finite(data)  # JSON has no NaN or infinity


class Site:
    """The application state: one corpus, the templates and the options."""

    def __init__(self, corpus: Corpus, allow_add: bool, checks: CheckStore | None = None):
        self.corpus = corpus
        self.allow_add = allow_add
        self.checks = checks if checks is not None else CheckStore(checks_beside(corpus.index_path))
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
        self.env.filters["pct"] = _pct
        self.env.filters["when"] = _when
        self.env.globals.update(doc_url=views.doc_url, story_url=views.story_url, pair_url=views.pair_url)
        self._checked = time.monotonic()
        self._reload_lock = threading.Lock()

    def fresh(self) -> Corpus:
        """The corpus, reloaded when its files changed (checked every few seconds)."""
        now = time.monotonic()
        if now - self._checked > RELOAD_EVERY and self._reload_lock.acquire(blocking=False):
            try:
                self._checked = now
                self.corpus.reload_if_changed()
            finally:
                self._reload_lock.release()
        return self.corpus

    def render(self, request: Request, template: str, data: dict[str, Any], status: int = 200,
               json_url: str | None = None) -> Response:
        """The page as JSON (``.json`` paths) or HTML (linking its JSON twin ``json_url``)."""
        if _is_json(request):
            return JSONResponse(_public(data), status_code=status)
        html = self.env.get_template(template).render(
            {**data, "json_url": json_url, "allow_add": self.allow_add})
        return HTMLResponse(html, status_code=status)

    # -- pages ------------------------------------------------------------------

    def stories(self, request: Request) -> Response:
        qp = request.query_params
        data = views.stories_view(
            self.fresh(), q=qp.get("q", "")[:200], source=qp.get("source", "")[:200],
            date_from=qp.get("from", "")[:10], date_to=qp.get("to", "")[:10],
            min_docs=_int(qp.get("min_docs"), 2, 1, 10_000), sort=qp.get("sort", "size"),
            page=_int(qp.get("page"), 1, 1, 1_000_000))
        query = request.url.query
        return self.render(request, "stories.html", data, json_url="/stories.json" + ("?" + query if query else ""))

    def _lookup(self, request: Request, exists: Callable[[str], bool]) -> str:
        """The id a URL names (:func:`views.doc_url`): ``?id=`` exactly as given, else the
        path, its ``.json`` twin suffix removed; 404 if unknown."""
        if "id" not in request.path_params:
            raw = request.query_params.get("id", "")
            if exists(raw):
                return raw
        else:
            raw = request.path_params["id"]
            if _is_json_suffix(raw) and exists(raw[:-5]):
                return raw[:-5]
            if exists(raw) and not _is_json_suffix(raw):
                return raw
        raise HTTPException(404, "No such item in this scan.")

    def story(self, request: Request) -> Response:
        corpus = self.fresh()
        sid = self._lookup(request, lambda i: i in corpus.stories)
        data = views.story_view(corpus, sid)
        if data is None:
            raise HTTPException(404, "No such story in this scan.")
        data["conflicts"] = lists.story_conflicts(corpus, sid)
        return self.render(request, "story.html", data, json_url=views.story_url(sid, json=True))

    def document(self, request: Request) -> Response:
        corpus = self.fresh()
        did = self._lookup(request, lambda i: i in corpus.documents)
        data = views.document_view(corpus, did)
        if data is None:
            raise HTTPException(404, "No such document in this scan.")
        return self.render(request, "doc.html", data, json_url=views.doc_url(did, json=True))

    def pair(self, request: Request) -> Response:
        corpus = self.fresh()
        pm = corpus.pair(request.query_params.get("a", ""), request.query_params.get("b", ""))
        if pm is None:
            raise HTTPException(404, "These two documents are not a related pair in this scan.")
        data = views.pair_view(corpus, pm)
        if not _is_json(request):
            r = data["_comparison"]
            # an altered quote's changed words are marked by the fragment itself; a
            # trimmed one has no changed word, so the quote as a whole is underlined
            quotes = [Conflict(q["start"], q["end"], 0, 0, "quote " + q["status"], q["text"], "")
                      if q["side"] == "a" else Conflict(0, 0, q["start"], q["end"], "quote " + q["status"], "",
                                                        q["text"]) for q in data["quotes"]
                      if q["status"] == "trimmed"]
            shown = dataclasses.replace(r, conflicts=list(r.conflicts) + quotes)
            label = "{} · {} · {}"
            data["fragment"] = Markup(pair_fragment(
                data["a_text"], data["b_text"], shown,
                a_label=label.format("A", data["a"]["label"], _when(data["a"]["date"], data["a"]["date_precision"])),
                b_label=label.format("B", data["b"]["label"], _when(data["b"]["date"], data["b"]["date_precision"])),
                changes=data["_changes"]))
            data["summary_html"] = Markup(summary_html(r))
        return self.render(request, "pair.html", data,
                           json_url=views.pair_url(pm.a, pm.b).replace("/pair?", "/pair.json?", 1))

    def pairs(self, request: Request) -> Response:
        try:
            f, page = lists.pair_filter(request.query_params)
        except lists.BadQuery as exc:
            raise HTTPException(400, str(exc)) from None
        data = lists.pairs_view(self.fresh(), f, page)
        return self.render(request, "pairs.html", data, json_url=data["json"])

    def conflicts(self, request: Request) -> Response:
        corpus = self.fresh()
        try:
            f, page = lists.conflict_filter(request.query_params, corpus)
        except lists.BadQuery as exc:
            raise HTTPException(400, str(exc)) from None
        data = lists.conflicts_view(corpus, f, page)
        return self.render(request, "conflicts.html", data, json_url=data["json"])

    def stored_check(self, request: Request) -> Response:
        """A stored check, read-only, at its permalink ``/check/KEY`` (``.json``)."""
        key = request.path_params["key"]
        key = key[:-5] if key.endswith(".json") else key
        rec = self.checks.load(key)
        if rec is None:
            raise HTTPException(404, "No stored check has this address: check the article again "
                                     "on the check page.")
        form = rec.get("form") if isinstance(rec.get("form"), dict) else {}
        data = {"allow_add": self.allow_add, "form": form, "hits": rec.get("hits") or [], "search": "index",
                "notes": rec.get("notes") or [], "added": rec.get("added"), "characters": rec.get("characters"),
                "checked_at": rec.get("checked_at"), "permalink": f"/check/{key}", "stored": True,
                "text": rec.get("text") or "", "_text": rec.get("text") or ""}
        return self.render(request, "check.html", data, json_url=f"/check/{key}.json")

    def check_form(self, request: Request) -> Response:
        data = {"allow_add": self.allow_add, "fields": ["text", "file", "title", "date", "source"]
                + (["add"] if self.allow_add else []), "form": {}, "hits": None}
        return self.render(request, "check.html", data, json_url="/check.json")

    @staticmethod
    async def _posted(request: Request) -> Any:
        """The form of a same-site POST of at most :data:`MAX_UPLOAD` bytes."""
        if not _same_origin(request):
            raise HTTPException(403, "Cross-site form posts are refused.")
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            raise HTTPException(400, "Bad Content-Length header.") from None
        too_big = HTTPException(413, f"The upload is over {MAX_UPLOAD // 2**20} MB.")
        if length > MAX_UPLOAD:
            raise too_big
        # counted as it arrives: a chunked upload has no Content-Length to check
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_UPLOAD:
                raise too_big
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        return await Request(request.scope, replay).form(max_files=1, max_fields=20,
                                                          max_part_size=MAX_UPLOAD)

    async def check_submit(self, request: Request) -> Response:
        form = await self._posted(request)
        fields = {k: str(form.get(k) or "")[:200] for k in ("title", "date", "source")}
        text = _posted_text(form.get("text"))
        upload = form.get("file")
        notes: list[str] = []
        if isinstance(upload, UploadFile) and upload.filename:
            blob = await upload.read(MAX_UPLOAD + 1)
            try:
                text, found_title = check.extract_upload(blob[:MAX_UPLOAD], upload.filename)
                text = _posted_text(text)
            except WiretraceError as exc:
                return self._check_error(request, fields, f"Cannot read the uploaded file: {exc}")
            fields["title"] = fields["title"] or (found_title or "")[:200]
            notes.append(f"Text extracted from {upload.filename} ({len(text):,} characters).")
        if not text.strip():
            return self._check_error(request, fields, "Paste an article's text or upload a saved page.")
        if len(text) > MAX_CHARS:  # a scan's limit and note (wiretrace.formats.MAX_CHARS)
            notes.append(f"The text has {len(text):,} characters, over max_chars={MAX_CHARS:,}; "
                         f"kept the first {MAX_CHARS:,}: split the article or raise max_chars.")
            text = text[:MAX_CHARS]
        try:
            check_date(fields["date"], "The date")
        except DateError as exc:  # a bad date is an error, never silently dropped
            return self._check_error(request, fields, str(exc))
        corpus = self.fresh()
        try:
            hits = await run_in_threadpool(check.query, corpus, text, title=fields["title"] or None,
                                           date=fields["date"] or None, limit=20)
        except WiretraceError as exc:  # the index is gone, busy or unreadable: say so, and what to do
            return self._check_error(request, fields, f"Cannot search the index: {exc}", 503)
        added = None
        if self.allow_add and form.get("add"):
            try:
                added = await run_in_threadpool(check.add, corpus, text, title=fields["title"] or None,
                                                date=fields["date"] or None, source=fields["source"] or None)
                notes.append(f"Added to the index as {added}.")
            except WiretraceError as exc:
                notes.append(f"Not added: {exc}")
            except Exception:  # noqa: BLE001 - the results still show; the log has the details
                log.exception("engines.local.add failed")
                notes.append("Not added: the index could not be updated (see the server log).")
        elif form.get("add"):
            notes.append("Not added: the server was started without --allow-add.")
        results = [self._hit(corpus, h, text, i < 3) for i, h in enumerate(hits)]
        # "_text" fills the form each hit's "side by side" button posts;
        # "search" stays for JSON clients written when another search could answer
        data = {"allow_add": self.allow_add, "form": fields, "hits": results, "search": "index",
                "notes": notes, "added": added, "characters": len(text), "_text": text}
        data["permalink"] = await run_in_threadpool(self._keep, corpus, fields, text, data)
        return self.render(request, "check.html", data)

    def _keep(self, corpus: Corpus, fields: dict[str, str], text: str, data: dict[str, Any]) -> str | None:
        """Store a check for its permalink; None (and a note on the page) when it cannot be."""
        record = {"form": fields, "text": text, "hits": _public(data["hits"]), "notes": list(data["notes"]),
                  "added": data["added"], "characters": data["characters"],
                  "checked_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        try:
            key = self.checks.save(record, salt=repr(corpus.index_identity()),
                                   key_of={"form": fields, "text": text})
        except CheckStoreFull as exc:
            data["notes"].append(f"No permalink: {exc}")
            return None
        except OSError as exc:
            log.warning("cannot store a check in %s: %s", self.checks.folder, exc)
            data["notes"].append(f"No permalink: the check store {self.checks.folder} cannot be written.")
            return None
        return f"/check/{key}"

    async def check_pair(self, request: Request) -> Response:
        """One hit of the check page side by side with the checked article: the page
        posts the article again with the hit's id, and the comparison is redone
        exactly as the check made it (:func:`check.compare_one`)."""
        form = await self._posted(request)
        text = _posted_text(form.get("text"))[:MAX_CHARS]
        doc_id = str(form.get("doc") or "")
        date = str(form.get("date") or "")[:200]
        if not text.strip() or not doc_id:
            raise HTTPException(400, "A side-by-side view needs the checked text and a document id: "
                                     "open it with a hit's \"side by side\" button on the check page.")
        try:
            check_date(date or None, "The date")
        except DateError as exc:  # as on the check page: a bad date is an error, never dropped
            raise HTTPException(400, str(exc)) from None
        corpus = self.fresh()
        try:
            h = await run_in_threadpool(check.compare_one, corpus, text, doc_id, date=date or None)
        except WiretraceError as exc:
            raise HTTPException(503, f"Cannot search the index: {exc}") from None
        if h is None:
            raise HTTPException(404, "No such document in this scan.")
        data = self._hit(corpus, h, text, False)
        other = corpus.text(h.id) or ""
        changes = word_changes(text, other, h.comparison)
        data["comparison"] = h.comparison.to_dict(changes)
        if not _is_json(request):
            data["_fragment"] = Markup(pair_fragment(text, other, h.comparison, a_label="Checked article",
                                                     b_label=f"{h.source or h.id} · {_when(h.date)}",
                                                     changes=changes))
            data["_summary"] = Markup(summary_html(h.comparison, text, other, changes))
        return self.render(request, "check_pair.html", data)

    def _check_error(self, request: Request, fields: dict[str, str], message: str,
                     status: int = 400) -> Response:
        data = {"allow_add": self.allow_add, "form": fields, "hits": None, "error": message}
        return self.render(request, "check.html", data, status=status)

    @staticmethod
    def _hit(corpus: Corpus, h: QueryHit, text: str, with_pair: bool) -> dict[str, Any]:
        r = h.comparison
        direction = {"b": "the article copies it", "a": "it copies the article"}.get(
            r.source or "", "shares text with the article")
        if r.relation == "non-derived":
            direction = ("quotes the same words as the article (shared quotations only, not reuse)"
                         if r.evidence is not None and r.evidence.shared_quotes
                         else "tells the same story, no reuse" if not r.passages
                         else "shares text with the article")
        out: dict[str, Any] = {
            "id": h.id, "url": views.doc_url(h.id), "source": h.source, "date": h.date, "title": h.title,
            "story": h.story, "story_url": views.story_url(h.story) if h.story else None,
            "direction": direction, "relation": r.relation, "likely_source": r.source,
            "article_coverage": r.a_coverage, "document_coverage": r.b_coverage,
            "similarity": r.similarity, "passages": len(r.passages), "conflicts": len(r.conflicts),
            "explains": h.explains, "reuse": reuse_line(r),
            "source_of": [{"id": i, "url": views.doc_url(i), "evidence": e} for i, e in h.source_of],
            "snippets": [text[p.a_start:p.a_end][:300] for p in r.passages[:3]]}
        other = corpus.text(h.id) if with_pair else None
        if other is not None and h.id in corpus.documents:
            out["_fragment"] = Markup(pair_fragment(text, other, r, a_label="Checked article",
                                                    b_label=f"{h.source or h.id} · {_when(h.date)}"))
        return out


def _posted_text(value: Any) -> str:
    """A posted text field with the browser's CRLF line breaks back to LF, so that
    the text a hit's side-by-side button posts again is the text that was checked."""
    text = value if isinstance(value, str) else ""
    # and NUL as the HTML parser reads it back out of the page's form (U+FFFD)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")


def _is_json_suffix(raw: str) -> bool:
    return raw.endswith(".json") and len(raw) > 5


def _same_origin(request: Request) -> bool:
    """Refuse a POST from another site (CSRF). Browsers send Sec-Fetch-Site; without
    it, an Origin header must name this host (clients that send neither, like curl,
    are not browsers and cannot be made to post by another site)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


def _static_text(body: str, media_type: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return Response(body, media_type=media_type, headers={"cache-control": "max-age=3600"})
    return endpoint


def create_app(path: str, *, allow_add: bool = False, allowed_hosts: set[str] | None = None,
               checks_dir: str | None = None) -> Starlette:
    """The viewer as an ASGI app over a scan directory or index file.

    ``allowed_hosts`` (lower-case host names) makes every other Host header a 400,
    which guards a loopback server against DNS rebinding; None accepts any.
    ``checks_dir`` keeps the checks' permalinks (default: ``INDEX.checks/`` beside the index).
    Raises :class:`~wiretrace.web.data.CorpusError` when ``path`` is not a scan.
    """
    site = Site(Corpus.open(path), allow_add, CheckStore(Path(checks_dir)) if checks_dir else None)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = exc.detail if isinstance(exc.detail, str) else "Error"
        if exc.status_code == 404 and message == "Not Found":
            message = "There is no page at this address."
        if _is_json(request):
            return JSONResponse({"error": message, "status": exc.status_code},
                                status_code=exc.status_code, headers=exc.headers)
        html = site.env.get_template("error.html").render(status=exc.status_code, message=message)
        return HTMLResponse(html, status_code=exc.status_code, headers=exc.headers)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("error serving %s", request.url.path, exc_info=exc)
        if _is_json(request):
            return JSONResponse({"error": "server error", "status": 500}, status_code=500)
        return HTMLResponse(_ERROR_500, status_code=500)

    async def home(request: Request) -> Response:
        return RedirectResponse("/stories", status_code=302)

    def inline(page: Callable[[Request], Response]) -> Callable[[Request], Awaitable[Response]]:
        """Run a page on the event loop: these read memory and small cached file
        pieces, so a thread hop would cost more than the work."""
        async def endpoint(request: Request) -> Response:
            return page(request)
        return endpoint

    def threaded(page: Callable[[Request], Response]) -> Callable[[Request], Awaitable[Response]]:
        """Run a page that asks the index a list query off the event loop."""
        async def endpoint(request: Request) -> Response:
            return await run_in_threadpool(page, request)
        return endpoint

    async def stories(request: Request) -> Response:
        if request.query_params.get("q"):  # a text search may scan the index: off the loop
            return await run_in_threadpool(site.stories, request)
        return site.stories(request)

    routes = [
        Route("/", home),
        Route("/stories", stories), Route("/stories.json", stories),
        Route("/story/{id:path}", threaded(site.story)),
        Route("/story", threaded(site.story)), Route("/story.json", threaded(site.story)),
        Route("/pairs", threaded(site.pairs)), Route("/pairs.json", threaded(site.pairs)),
        Route("/conflicts", threaded(site.conflicts)), Route("/conflicts.json", threaded(site.conflicts)),
        Route("/doc/{id:path}", inline(site.document)),
        Route("/doc", inline(site.document)), Route("/doc.json", inline(site.document)),
        Route("/pair", inline(site.pair)), Route("/pair.json", inline(site.pair)),
        Route("/check", inline(site.check_form), methods=["GET"]),
        Route("/check.json", inline(site.check_form), methods=["GET"]),
        Route("/check", site.check_submit, methods=["POST"]),
        Route("/check.json", site.check_submit, methods=["POST"]),
        Route("/check/pair", site.check_pair, methods=["POST"]),
        Route("/check/pair.json", site.check_pair, methods=["POST"]),
        Route("/check/{key}", threaded(site.stored_check), methods=["GET"]),
        Route("/static/pair.css", _static_text(PAIR_CSS, "text/css")),
        Route("/static/pair.js", _static_text(PAIR_JS, "text/javascript")),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error})
    app.add_middleware(_Guard, allowed_hosts=allowed_hosts)
    app.state.site = site
    return app
