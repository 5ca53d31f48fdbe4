#!/usr/bin/env bash
# The PAN parameter grid (min_passage_words x max_gap x ngram) in three runs of
# 12 settings, one per ngram, so that each stays under 8 minutes.
set -u
cd "$(dirname "$0")/.." || exit 1
mkdir -p bench/out
for ng in 3 4 5; do
  echo "=== grid ngram=$ng" | tee "bench/out/grid_pan_ng$ng.log"
  timeout 480 python bench/grid_pan.py -o semantic=false --ngram "$ng" --out "grid_pan_ng$ng" \
    >>"bench/out/grid_pan_ng$ng.log" 2>&1
  echo "=== exit $?" >>"bench/out/grid_pan_ng$ng.log"
done
