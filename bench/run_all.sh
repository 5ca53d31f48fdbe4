#!/usr/bin/env bash
# Runs every benchmark against the WORKING TREE, each capped at 8 minutes; logs in bench/out/*.log.
# (bench/run_baseline.sh runs the same against the committed HEAD.)
# The full-data runs use semantic=False (the lexical path); the default config (with the
# sentence-embedding pass when wiretrace[semantic] is installed) runs on subsets that fit the cap.
set -u
cd "$(dirname "$0")/.." || exit 1
mkdir -p bench/out
run() {  # name, command...
  local name=$1; shift
  echo "=== $name: $*" | tee "bench/out/$name.log"
  local t0=$SECONDS
  timeout 480 "$@" >>"bench/out/$name.log" 2>&1
  echo "=== exit $? after $((SECONDS - t0)) s" >>"bench/out/$name.log"
}
run eval_pan               python bench/eval_pan.py -o semantic=false
run eval_relation          python bench/eval_relation.py -o semantic=false
run eval_similarity        python bench/eval_similarity.py -o semantic=false
run bench_compare          python bench/bench_compare.py
run eval_pan_semantic      python bench/eval_pan.py --limit 40 --negatives 10 --out eval_pan_semantic
run eval_similarity_semantic_msrp python bench/eval_similarity.py --skip-semeval --limit 400 --out eval_similarity_semantic_msrp
run eval_similarity_semantic_en   python bench/eval_similarity.py --skip-msrp --langs en-en --out eval_similarity_semantic_en
run eval_relation_semantic python bench/eval_relation.py --n 25 --limit 25 --out eval_relation_semantic
bench/run_grid.sh
