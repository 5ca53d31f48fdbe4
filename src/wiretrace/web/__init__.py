"""Browse a scan in the browser: stories, documents, pairs, and a check form.

    wiretrace serve DIR_OR_INDEX [--host 127.0.0.1] [--port 8000] [--allow-add] [--checks-dir DIR]

Needs the ``web`` extra (starlette, jinja2, uvicorn, python-multipart).
:func:`create_app` gives the ASGI app (for tests or another server);
:func:`serve` runs it with uvicorn, bound to loopback by default.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from typing import Any

from ..errors import MissingExtraError

__all__ = ["create_app", "serve"]

log = logging.getLogger("wiretrace.web")
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "[::1]", "::1"}


def _require() -> None:
    try:
        import jinja2  # noqa: F401
        import multipart  # noqa: F401  (python-multipart)
        import starlette  # noqa: F401
    except ImportError:
        raise MissingExtraError("web", "wiretrace serve") from None


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def create_app(path: str | os.PathLike[str], *, allow_add: bool = False,
               allowed_hosts: set[str] | None = None, checks_dir: str | os.PathLike[str] | None = None) -> Any:
    """The Starlette app serving the scan at ``path`` (output DIR or index file).

    ``allow_add`` lets the check page store submitted articles in the index.
    ``allowed_hosts``: Host header names to accept (None: any).
    ``checks_dir``: where each check's results are kept for its permalink
    (default: ``INDEX.checks`` beside the index).
    """
    _require()
    from .app import create_app as _create

    return _create(str(path), allow_add=allow_add, allowed_hosts=allowed_hosts,
                   checks_dir=str(checks_dir) if checks_dir else None)


def serve(path: str | os.PathLike[str], *, host: str = "127.0.0.1", port: int = 8000,
          allow_add: bool = False, checks_dir: str | os.PathLike[str] | None = None) -> None:
    """Serve the scan at ``path`` with uvicorn until interrupted.

    On a loopback address only requests naming a loopback host are answered
    (a guard against DNS rebinding); another address serves anyone who can reach it.
    """
    _require()
    try:
        import uvicorn
    except ImportError:
        raise MissingExtraError("web", "wiretrace serve") from None
    hosts = (LOOPBACK_NAMES | {host.lower()}) if _is_loopback(host) else None
    if hosts is None:
        log.warning("serving on %s: anyone who can reach this address can browse the scan", host)
    app = create_app(path, allow_add=allow_add, allowed_hosts=hosts, checks_dir=checks_dir)
    uvicorn.run(app, host=host, port=port, log_level="info")
