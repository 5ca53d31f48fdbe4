"""Corpus engines. :mod:`wiretrace.engines.local` runs a scan on one machine
(DuckDB + a process pool); a Spark engine runs the same relational plan
(:mod:`wiretrace.candidates`) on a cluster."""
