"""What a scan does, independent of any engine. Each stage takes the index (or
a batch of records) and the options, and says what comes out:

* :mod:`.plan`      the stages, their hashes, the options a scan runs with,
  progress reporting and the run summary;
* :mod:`.tasks`     per-batch work: ingest (text in; counts, hashes, n-grams and
  story terms out) and align (candidate pairs and their texts in; ``pairs`` and
  ``passages`` rows out);
* :mod:`.stories`   story terms, story pairs and stories over an index;
* :mod:`.outputs`   the scan's files, written from a finished index;
* :mod:`.snapshot`  the gram snapshot queries read beside the index.

Engines (:mod:`wiretrace.engines`) only orchestrate these: where batches run,
and where tables live.
"""
