"""The viewer over HTTP on an index (in process, Starlette TestClient): its start,
then each list page and the largest story's page once.

    PYTHONPATH=src python bench/bench_viewer_http.py INDEX.duckdb CHECKS_DIR
"""

from __future__ import annotations

import sys
import time

from starlette.testclient import TestClient

from wiretrace.web import create_app, views


def main(path: str, checks: str) -> None:
    t = time.perf_counter()
    app = create_app(path, checks_dir=checks)
    print(f"{'create_app (loads summaries, pairs, stories)':44s} {time.perf_counter() - t:7.2f}s")
    c = TestClient(app)
    corpus = app.state.site.corpus
    sid = max(corpus.stories, key=lambda s: len(corpus.stories[s].documents))
    for url in ["/pairs", "/pairs?page=2", "/pairs?relation=wholly-derived&conflicts=yes", "/pairs?q=wheat",
                "/pairs?q=wheat&page=2", "/conflicts", "/conflicts?page=500", views.story_url(sid)]:
        t = time.perf_counter()
        r = c.get(url)
        dt = time.perf_counter() - t
        print(f"GET {url[:40]:40s} {dt:7.2f}s  {r.status_code} {len(r.content):,} bytes")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
