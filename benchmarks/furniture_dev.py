"""Page furniture on real lines: the development set, by language and category.

    .venv/bin/python benchmarks/furniture_dev.py [--documents 2000] [--seed 1]

1. The dev set (``tests/unit/boilerplate_dev.jsonl``: real lines of real news pages,
   furniture and body sentences that use furniture words). Each furniture line is
   inserted into a generated article (``benchmarks/news_corpus.py``) at its
   ``position`` (start, middle, end) and counts as found when a finding of the
   boilerplate checks covers it; each body sentence is inserted at all three positions
   and is a false alarm when any finding covers it at any of them. Two columns:
   *before* (the English pattern lists — the entries without ``lang`` — and the glued
   header, as before this change) and *after* (the en/de/fr/es lists plus the
   furniture classifier; ``possible_furniture`` counted apart).
2. Throughput of ``find_document_boilerplate`` on N generated articles, without and
   with the classifier, in the same run (docs/s and the ratio).

Not a timed test: figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from news_corpus import document  # noqa: E402

from corpus_qa.checks import boilerplate as bp  # noqa: E402
from corpus_qa.checks import furniture as fu  # noqa: E402

DEV = ROOT / "tests" / "unit" / "boilerplate_dev.jsonl"
POSITIONS = ("start", "middle", "end")


def insert(article: str, line: str, position: str) -> tuple[str, tuple[int, int]]:
    """``article`` with ``line`` as a paragraph of its own at ``position``; the line's span."""
    paragraphs = article.strip("\n").split("\n\n")
    at = {"start": 0, "end": len(paragraphs), "middle": len(paragraphs) // 2}[position]
    before = "\n\n".join(paragraphs[:at])
    start = len(before) + (2 if before else 0)
    text = "\n\n".join([*paragraphs[:at], line, *paragraphs[at:]]) + "\n"
    return text, (start, start + len(line))


def main_patterns() -> bp.PatternSet:
    """The pattern lists as they were before this change: the entries without ``lang``."""
    return bp.PatternSet(p for p in bp.load_default_patterns() if not p.lang)


def findings(text: str, *, classifier: bool) -> list:
    if not classifier:
        return bp.find_document_boilerplate(text, main_patterns())
    patterns = bp.load_default_patterns()
    cues = fu.load_default_cues()
    hits = bp.find_document_boilerplate(text, patterns, furniture=cues)
    taken = [h.span for h in hits]
    return hits + [h for h in cues.find(text, skip=taken) if h.reason == "possible_furniture"]


def covering(hits: list, span: tuple[int, int]) -> list:
    return [h for h in hits if h.span[0] < span[1] and span[0] < h.span[1]]


def judge(text: str, position: str, seed: int, *, classifier: bool) -> set[str]:
    article = document(random.Random(seed))
    doc, span = insert(article, text, position)
    return {h.reason for h in covering(findings(doc, classifier=classifier), span)}


def dev_table(seed: int, lines: int | None = None) -> None:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()[:lines]]
    found: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    alarms: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    misses = []
    for i, row in enumerate(rows):
        if row["label"] == "boilerplate":
            before = judge(row["text"], row["position"], seed + i, classifier=False)
            after = judge(row["text"], row["position"], seed + i, classifier=True)
            sure = bool(after - {"possible_furniture"})
            for key in (("lang", row["lang"]), ("category", row["category"]),
                        ("all", "all")):
                cell = found[key]
                cell[0] += 1
                cell[1] += bool(before)
                cell[2] += sure
                cell[3] += bool(after) and not sure
            if not after:
                misses.append(row)
        else:
            flagged_before = any(judge(row["text"], p, seed + i, classifier=False)
                                 for p in POSITIONS)
            reasons: set[str] = set()
            for p in POSITIONS:
                reasons |= judge(row["text"], p, seed + i, classifier=True)
            for key in (row["lang"], "all"):
                cell = alarms[key]
                cell[0] += 1
                cell[1] += flagged_before
                cell[2] += bool(reasons - {"possible_furniture"})
                cell[3] += reasons == {"possible_furniture"}
            if reasons:
                print(f"  false alarm {sorted(reasons)}: {row['text'][:90]}")
    print("\nFurniture lines found (dev set), before -> after "
          "(after = page_furniture + possible_furniture):\n")
    print("| by | group | lines | before | after: sure | + possible | after total |")
    print("|---|---|---|---|---|---|---|")
    for (kind, group), (n, b, s, p) in sorted(found.items(), key=lambda kv: (
            ["lang", "category", "all"].index(kv[0][0]), -kv[1][0], kv[0][1])):
        print(f"| {kind} | {group} | {n} | {b}/{n} | {s}/{n} | {p} | {s + p}/{n} "
              f"({100 * (s + p) / n:.0f} %) |")
    print("\nBody sentences flagged (each inserted at start, middle and end):\n")
    print("| lang | sentences | before | after: sure | after: possible only |")
    print("|---|---|---|---|---|")
    for lang, (n, b, s, p) in sorted(alarms.items(), key=lambda kv: -kv[1][0]):
        print(f"| {lang} | {n} | {b} | {s} | {p} |")
    print(f"\nMissed furniture lines ({len(misses)}):")
    for row in misses:
        print(f"  [{row['lang']} {row['category']} {row['position']}] {row['text'][:90]}")


def throughput(count: int, seed: int) -> None:
    rng = random.Random(seed)
    docs = [document(rng) for _ in range(count)]
    cues = fu.load_default_cues()
    rates = {}
    for name, patterns, furniture in (
        ("English pattern lists + header (before)", main_patterns(), None),
        ("en/de/fr/es pattern lists + header", bp.load_default_patterns(), None),
        ("en/de/fr/es lists + header + classifier (after)", bp.load_default_patterns(), cues),
    ):
        t0 = time.perf_counter()
        total = 0
        for text in docs:
            total += len(bp.find_document_boilerplate(text, patterns, furniture=furniture))
        rates[name] = count / (time.perf_counter() - t0)
        print(f"{name}: {rates[name]:,.0f} docs/s, {total} findings on {count:,} articles")
    before, _, after = rates.values()
    print(f"ratio after/before: {after / before:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--lines", type=int, default=None,
                        help="judge only the first N lines of the dev set (a smoke run)")
    args = parser.parse_args()
    dev_table(args.seed, args.lines)
    if not args.skip_throughput:
        print()
        throughput(args.documents, args.seed)


if __name__ == "__main__":
    main()
