"""Shared official formulae in unrelated Chinese articles must not make a pair derived.

Chinese has no capitals to tell names and stock phrases from a writer's own
words, so a long official formula shared by two independent reports looks
like a copied run. Takes distinct zh articles of the SemEval 2022 sample,
pairs them up unrelated, inserts one of three formulae (25-41 characters)
into both texts of each of 15 pairs, and counts the pairs judged derived (lexical).

    python bench/eval_zh_formula.py
"""

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from wiretrace import compare  # noqa: E402

FORMULAE = ["中华人民共和国外交部发言人华春莹在例行记者会上表示，",
            "国家统计局新闻发言人在国务院新闻办公室举行的新闻发布会上表示，",
            "据新华社报道，国务院总理李克强主持召开国务院常务会议，部署进一步做好稳就业工作。"]


def main() -> None:
    csv.field_size_limit(1 << 30)
    path = ROOT.parent / "shared" / "data" / "semeval2022_task8" / "training_set.csv"
    if not path.exists():
        sys.exit(f"{path} is missing: this benchmark needs ../shared beside the checkout")
    rows = [r for r in csv.DictReader(path.open(encoding="utf-8")) if r["lang1"] == "zh" and r["lang2"] == "zh"]
    arts, seen = [], set()
    for r in rows:
        for t in (r["text1"], r["text2"]):
            if t[:50] not in seen and len(t) > 300:
                seen.add(t[:50])
                arts.append(t)
    n = derived = 0
    for k in range(15):
        a, b = arts[2 * k], arts[2 * k + 41]
        f = FORMULAE[k % 3]
        pa, pb = a.split("\n"), b.split("\n")
        a2 = "\n".join(pa[:1] + [f + pa[1] if len(pa) > 1 else f] + pa[2:])
        b2 = "\n".join(pb[:2] + [f + "相关情况如下。"] + pb[2:])
        r = compare(a2, b2, semantic=False)
        n += 1
        derived += r.evidence.derived
        if r.evidence.derived:
            print(k, r.evidence.notes)
    print("formula pairs derived", derived, "of", n)


if __name__ == "__main__":
    main()
