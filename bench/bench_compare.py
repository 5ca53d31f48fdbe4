"""Speed and memory of ``wiretrace.compare``.

(a) the seed pair (000 vs 001): median of --runs interleaved runs of
    compare() and of a bare difflib baseline
        difflib.SequenceMatcher(None, re.findall(r"\\w+", a), re.findall(r"\\w+", b),
                                autojunk=False).get_matching_blocks()
    in the same process (tokenisation included in both); the ratio of the
    medians is what the issue bounds (<= 3). Repeated with semantic=False.
(b) scale: two documents of N words built from BBC articles (b = a with 30%
    of paragraphs shuffled, 10% dropped, 2% of words edited, plus 20% extra
    unrelated paragraphs); median of --repeats runs, peak RSS and tracemalloc
    peak, each size in a fresh subprocess so peaks do not carry over. --sizes
    run with semantic=False (the lexical path); --default-sizes also run with
    the default config (the embedding pass, when installed, is far slower).
    difflib is timed on the smallest size only, in a subprocess with a timeout.

    python bench/bench_compare.py
    python bench/bench_compare.py --runs 50 --sizes 10000,30000,100000,300000
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

WORD_RE = re.compile(r"\w+")


def difflib_blocks(a: str, b: str):
    from difflib import SequenceMatcher

    return SequenceMatcher(None, WORD_RE.findall(a), WORD_RE.findall(b), autojunk=False).get_matching_blocks()


# --------------------------------------------------------------------------- documents

def build_docs(n_words: int, seed: int = 11) -> tuple[str, str, dict]:
    """a: BBC paragraphs up to n_words; b: a reshuffled, trimmed, edited, padded."""
    rng = random.Random(seed)
    arts = C.bbc_articles()
    dup_second = {y["id"] for _, y in C.bbc_duplicate_pairs(arts)}
    arts = [x for x in arts if x["id"] not in dup_second]
    rng.shuffle(arts)
    a_paras: list[str] = []
    words = 0
    k = 0
    while words < n_words and k < len(arts):
        for p in C.bbc_paragraphs(arts[k]["text"])[1:]:  # skip the headline
            a_paras.append(p)
            words += len(p.split())
        k += 1
    if words < n_words:  # corpus exhausted (~850k words): repeat with a marker
        base = list(a_paras)
        rep = 1
        while words < n_words:
            for p in base:
                a_paras.append(f"[{rep}] {p}")
                words += len(p.split()) + 1
                if words >= n_words:
                    break
            rep += 1
    pool = [p for x in arts[k:] for p in C.bbc_paragraphs(x["text"])[1:]]
    if not pool:
        pool = [p for x in arts[: max(1, k // 10)] for p in C.bbc_paragraphs(x["text"])[1:]]

    b_paras = list(a_paras)
    # drop 10% of paragraphs
    drop = set(rng.sample(range(len(b_paras)), len(b_paras) // 10))
    b_paras = [p for i, p in enumerate(b_paras) if i not in drop]
    # shuffle 30% of paragraph positions among themselves
    pos = rng.sample(range(len(b_paras)), int(len(b_paras) * 0.3))
    moved = [b_paras[i] for i in pos]
    rng.shuffle(moved)
    for i, p in zip(pos, moved):
        b_paras[i] = p
    # edit 2% of words
    edited = 0
    for i, p in enumerate(b_paras):
        toks = p.split(" ")
        for j in range(len(toks)):
            if rng.random() < 0.02:
                toks[j] = rng.choice(("said", "told", "new", "the", "announced", "reported", "later"))
                edited += 1
        b_paras[i] = " ".join(toks)
    # add unrelated paragraphs worth 20% of n_words
    extra, added = 0, 0
    while extra < 0.2 * n_words:
        p = pool[added % len(pool)]
        b_paras.insert(rng.randrange(len(b_paras) + 1), p)
        extra += len(p.split())
        added += 1
    a, b = "\n\n".join(a_paras), "\n\n".join(b_paras)
    info = {"a_words": len(a.split()), "b_words": len(b.split()), "a_paragraphs": len(a_paras),
            "b_paragraphs": len(b_paras), "dropped": len(drop), "shuffled": len(pos),
            "edited_words": edited, "unrelated_paragraphs": added}
    return a, b, info


def rss_kb(field: str = "VmRSS") -> int:
    """Current (VmRSS) or peak (VmHWM) resident set of this process, in kB.

    VmHWM, unlike getrusage's ru_maxrss, starts afresh at exec: ru_maxrss of a
    child keeps the parent's high-water mark (here the parent may hold torch).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss if field == "VmHWM" else 0


# --------------------------------------------------------------------------- children

def child_scale(n: int, repeats: int, options: dict) -> dict:
    import tracemalloc

    import wiretrace

    a, b, info = build_docs(n)
    wiretrace.compare("warm up the caches here.", "warm up the caches here.", **options)
    rss0 = rss_kb()
    times = []
    r = None
    for _ in range(repeats):
        t = time.perf_counter()
        r = wiretrace.compare(a, b, **options)
        times.append(time.perf_counter() - t)
    maxrss = rss_kb("VmHWM")
    tracemalloc.start()
    wiretrace.compare(a, b, **options)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"words": n, **info, "times_s": times, "median_s": float(np.median(times)),
            "rss_before_compare_mb": rss0 / 1024, "peak_rss_mb": maxrss / 1024,
            "peak_rss_delta_mb": (maxrss - rss0) / 1024, "tracemalloc_peak_mb": peak / 2**20,
            "passages": len(r.passages), "a_coverage": r.a_coverage, "b_coverage": r.b_coverage,
            "relation": r.relation, "mode": getattr(r, "mode", None)}


def child_difflib(n: int) -> dict:
    a, b, _ = build_docs(n)
    t = time.perf_counter()
    blocks = difflib_blocks(a, b)
    return {"words": n, "time_s": time.perf_counter() - t, "blocks": len(blocks),
            "peak_rss_mb": rss_kb("VmHWM") / 1024}


def run_child(args: list[str], timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout_s": timeout}
    if p.returncode != 0:
        return {"error": p.stderr.strip()[-2000:]}
    return json.loads(p.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- seed pair

def seed_bench(runs: int, options: dict) -> dict:
    import wiretrace
    from wiretrace.config import CompareConfig

    a, b = C.seeds()
    t = time.perf_counter()
    first = wiretrace.compare(a, b, **options)
    cold = time.perf_counter() - t
    difflib_blocks(a, b)
    variants = {"default": dict(options)}
    if "semantic" in CompareConfig().to_dict():
        variants["semantic=False"] = {**options, "semantic": False}
    times = {k: [] for k in variants}
    times["difflib"] = []
    times["difflib_no_tokenize"] = []
    wa, wb = WORD_RE.findall(a), WORD_RE.findall(b)
    from difflib import SequenceMatcher

    cpu = {k: [] for k in times}

    def timed(name, fn):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times[name].append(time.perf_counter() - t)
        cpu[name].append(time.process_time() - c)

    # The embedding backend caches sentence vectors, so repeated runs on one pair
    # are warm; a cold-cache variant clears that cache (outside the timing).
    cache = None
    if first.mode == "semantic":
        try:
            from wiretrace.meaning import embed as _embed

            cache = getattr(_embed, "_cache", None)
        except ImportError:
            cache = None
    if cache is not None:
        variants["default, embedding cache cleared"] = dict(options)
        times["default, embedding cache cleared"] = []
        cpu["default, embedding cache cleared"] = []
    for _ in range(runs):
        for name, opts in variants.items():
            if name.endswith("cache cleared"):
                cache.clear()
            timed(name, lambda: wiretrace.compare(a, b, **opts))
        timed("difflib", lambda: difflib_blocks(a, b))
        timed("difflib_no_tokenize", lambda: SequenceMatcher(None, wa, wb, autojunk=False).get_matching_blocks())
    med = {k: float(np.median(v)) for k, v in times.items()}
    mins = {k: float(np.min(v)) for k, v in times.items()}
    return {"runs": runs, "a_words": len(a.split()), "b_words": len(b.split()),
            "cold_first_call_s": cold, "median_s": med,
            "ratio_vs_difflib": {k: med[k] / med["difflib"] for k in variants},
            "ratio_vs_difflib_no_tokenize": {k: med[k] / med["difflib_no_tokenize"] for k in variants},
            "min_s": mins, "ratio_of_mins_vs_difflib": {k: mins[k] / mins["difflib"] for k in variants},
            "ratio_per_run": {k: float(np.median(np.asarray(times[k]) / np.asarray(times["difflib"])))
                              for k in variants},
            "cpu_median_s": {k: float(np.median(v)) for k, v in cpu.items()},
            "cpu_ratio_vs_difflib": {k: float(np.median(cpu[k]) / np.median(cpu["difflib"])) for k in variants},
            "result": {"passages": len(first.passages), "a_coverage": first.a_coverage,
                       "b_coverage": first.b_coverage, "relation": first.relation,
                       "source": first.source, "similarity": first.similarity,
                       "mode": getattr(first, "mode", None)},
            "times_s": times}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=31, help="interleaved runs on the seed pair")
    ap.add_argument("--sizes", default="10000,30000,100000",
                    help="words per document for the scale test with semantic=False (lexical path)")
    ap.add_argument("--default-sizes", default="10000",
                    help="sizes also run with the default config (semantic pass when installed); '' = none")
    ap.add_argument("--repeats", type=int, default=3, help="runs per size (median)")
    ap.add_argument("--default-repeats", type=int, default=1, help="runs per size for the default-config scale test")
    ap.add_argument("--difflib-timeout", type=float, default=300.0, help="seconds for difflib on the smallest size")
    ap.add_argument("--size-timeout", type=float, default=480.0, help="seconds per size subprocess")
    ap.add_argument("--no-scale", action="store_true", help="seed pair only")
    ap.add_argument("--child-scale", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--child-difflib", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--out", default="bench_compare", help="name of the JSON under bench/out/")
    C.add_option_arg(ap)
    args = ap.parse_args(argv)
    C.require_shared("seeds")
    options = C.parse_options(args.option)
    if args.child_scale:
        print(json.dumps(child_scale(args.child_scale, args.repeats, options)))
        return 0
    if args.child_difflib:
        print(json.dumps(child_difflib(args.child_difflib)))
        return 0

    out = {"options": options, "env": C.environment()}
    s = seed_bench(args.runs, options)
    out["seed"] = s
    m = s["median_s"]
    print(f"seed pair 000 vs 001 ({s['a_words']} / {s['b_words']} words), median of {s['runs']} interleaved runs "
          f"(mode {s['result']['mode']}; cold first call {s['cold_first_call_s']*1000:.1f} ms)")
    print(f"  difflib baseline        {m['difflib']*1000:8.2f} ms   (without tokenising {m['difflib_no_tokenize']*1000:.2f} ms)")
    for k, ratio in s["ratio_vs_difflib"].items():
        print(f"  compare {k:15s} {m[k]*1000:8.2f} ms   ratio of medians {ratio:.2f} (limit 3); "
              f"median per-run ratio {s['ratio_per_run'][k]:.2f}; ratio of minima {s['ratio_of_mins_vs_difflib'][k]:.2f}; "
              f"CPU-time ratio {s['cpu_ratio_vs_difflib'][k]:.2f}")
    print(f"  load average {out['env']['loadavg']} on {out['env']['cpus']} CPUs (timings are noisy when loaded)")

    if not args.no_scale:
        C.require_shared("data", "bbc_news_greene2006")
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
        default_sizes = [int(x) for x in args.default_sizes.split(",") if x.strip()]
        user = [f"--option={o}" for o in args.option]
        out["scale"] = {}
        for variant, vsizes, extra, reps in (("semantic=False", sizes, user + ["--option=semantic=false"], args.repeats),
                                             ("default", default_sizes, user, args.default_repeats)):
            if not vsizes:
                continue
            scale = []
            print(f"\nscale, {variant} (median of {reps}; each size in a fresh process)")
            print(f"  {'words':>8s} {'median s':>9s} {'ms/1k w':>8s} {'peak RSS':>9s} {'RSS delta':>10s} "
                  f"{'tracemalloc':>12s} {'passages':>9s} {'mode':>9s}")
            for n in vsizes:
                r = run_child(["--child-scale", str(n), "--repeats", str(reps), *extra], args.size_timeout)
                r.setdefault("words", n)
                scale.append(r)
                if "median_s" in r:
                    print(f"  {n:8d} {r['median_s']:9.3f} {r['median_s']/n*1e6:8.2f} {r['peak_rss_mb']:7.0f}MB "
                          f"{r['peak_rss_delta_mb']:8.0f}MB {r['tracemalloc_peak_mb']:10.0f}MB {r['passages']:9d} "
                          f"{str(r['mode']):>9s}")
                else:
                    print(f"  {n:8d} failed: {r}")
            ok = [r for r in scale if "median_s" in r]
            block = {"runs": scale}
            if len(ok) >= 2:
                x = np.log([r["words"] for r in ok])
                exp_t = float(np.polyfit(x, np.log([r["median_s"] for r in ok]), 1)[0])
                exp_m = float(np.polyfit(x, np.log([max(r["tracemalloc_peak_mb"], 1e-3) for r in ok]), 1)[0])
                block["exponent_time"] = exp_t
                block["exponent_tracemalloc"] = exp_m
                print(f"  growth exponent (log-log fit): time {exp_t:.2f}, tracemalloc peak {exp_m:.2f} "
                      f"(1 = linear, 2 = quadratic)")
            out["scale"][variant] = block
        lex = [r for r in out["scale"].get("semantic=False", {}).get("runs", []) if "median_s" in r]
        if sizes:
            d = run_child(["--child-difflib", str(sizes[0])], args.difflib_timeout)
            out["difflib_smallest"] = d
            if "time_s" in d:
                base = lex[0]["median_s"] if lex else float("nan")
                print(f"\n  difflib on {sizes[0]} words: {d['time_s']:.2f} s (compare semantic=False {base:.3f} s, "
                      f"difflib/compare {d['time_s']/base:.1f}x)")
            else:
                print(f"\n  difflib on {sizes[0]} words: {d}")
    print(f"wrote {C.write_json(args.out, out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
