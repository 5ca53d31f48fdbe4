#!/usr/bin/env bash
# Runs the benchmarks against the COMMITTED source tree (git archive HEAD src), so
# figures do not move while others edit src/ in the working tree. Outputs *_head.json.
#   bench/run_baseline.sh            # extracts HEAD into /tmp/wiretrace_head
set -u
cd "$(dirname "$0")/.." || exit 1
dest=${WT_HEAD_DIR:-/tmp/wiretrace_head}
rm -rf "$dest" && mkdir -p "$dest" && git archive HEAD src | tar -x -C "$dest" || exit 1
rev=$(git rev-parse --short HEAD)
export PYTHONPATH="$dest/src"
mkdir -p bench/out
run() {  # name, command...
  local name=$1; shift
  echo "=== $name (HEAD $rev, PYTHONPATH=$PYTHONPATH): $*" | tee "bench/out/$name.log"
  local t0=$SECONDS
  timeout 480 "$@" >>"bench/out/$name.log" 2>&1
  echo "=== exit $? after $((SECONDS - t0)) s" >>"bench/out/$name.log"
}
run eval_pan_head        python bench/eval_pan.py --out eval_pan_head
run eval_relation_head   python bench/eval_relation.py --out eval_relation_head
run eval_similarity_head python bench/eval_similarity.py --out eval_similarity_head
for ng in 3 4 5; do
  run grid_pan_head_ng$ng python bench/grid_pan.py --ngram "$ng" --out "grid_pan_head_ng$ng"
done
run bench_compare_head   python bench/bench_compare.py --out bench_compare_head
