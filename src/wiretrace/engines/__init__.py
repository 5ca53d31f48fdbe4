"""Corpus engines: thin adapters that run :mod:`wiretrace.pipeline` somewhere.

* :mod:`.local`   a scan or add on one machine (DuckDB + a process pool, :mod:`.pool`);
* :mod:`.search`  queries against a built index (helpers in :mod:`.search_pool`);
* :mod:`.spark`   the same scan on Apache Spark (:mod:`.spark_stages`,
  :mod:`.spark_stories`, :mod:`.spark_work`).

Engines never import each other.
"""
