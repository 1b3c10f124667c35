"""Boilerplate checks: accuracy on the case file, throughput on generated documents.

    .venv/bin/python benchmarks/boilerplate_throughput.py [--documents 10000] [--seed 1]

1. Accuracy: for each reason code, how many positive cases of
   ``tests/unit/boilerplate_cases.yml`` are found exactly (reason and span) and how
   many negative cases stay silent for it (known failures included, so the figures
   are honest).
2. Throughput on N generated news-like documents (~2 KB, unique sentences, 10 sites
   whose footers repeat, 20% second versions of a story, 30% with one inserted
   pattern example): documents per second for each check, against a naive baseline
   measured in the same run (the same rules with one ``re.fullmatch`` call per
   pattern instead of one alternation; a repeated-line counter keeping every
   normalised string), plus recall of the inserted examples and false alarms on
   documents with nothing inserted.

Not a timed test: figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus_qa.checks import boilerplate as bp  # noqa: E402

# Word lists as "|"-separated strings: compact to read and extend.
SUBJECTS = "Officials|The ministry|Lawmakers|The mayor|Residents|Analysts|Police".split("|")  # noqa: SIM905
VERBS = "said|warned|reported|announced|denied|confirmed|estimated|argued|noted".split("|")  # noqa: SIM905
OBJECTS = (  # noqa: SIM905
    "the budget|a new bridge|the flood plan|water prices|the strike|bus routes|the election|"
    "school meals|the harvest|rail crossings|housing costs|the new clinic|power outages"
).split("|")
PLACES = "Lagos|Lima|Oslo|Denver|Hanoi|Quito|Perth|Leeds|Accra|Tucson|Porto|Cebu".split("|")  # noqa: SIM905
DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday".split("|")  # noqa: SIM905


def sentence(rng: random.Random) -> str:
    """One unique-ish news sentence."""
    number = rng.choice(
        [f"{rng.randint(2, 999)}", f"{rng.randint(2, 99)},000", f"{rng.randint(2, 60)}%"]
    )
    return (
        f"{rng.choice(SUBJECTS)} in {rng.choice(PLACES)} {rng.choice(VERBS)} on "
        f"{rng.choice(DAYS)} that {rng.choice(OBJECTS)} would affect {number} people, "
        f"up from {rng.randint(2, 900)} in {rng.randint(1990, 2023)}."
    )


def generate(
    n: int, rng: random.Random, patterns: bp.PatternSet
) -> list[tuple[str, str, str, bool]]:
    """(doc_id, story_id, text, has_inserted_example) for n documents."""
    footers = [
        f"Site {i} News is a member of the Regional Press Network number {i}." for i in range(10)
    ]
    examples = [p for p in patterns if p.where in ("anywhere", "trailing", "edges")]
    docs: list[tuple[str, str, str, bool]] = []
    for i in range(n):
        if docs and rng.random() < 0.2:
            _, story, text, inserted = docs[rng.randrange(len(docs))]
            docs.append((f"doc{i}", story, text.replace(" on ", " on  ", 1), inserted))
            continue
        paragraphs = [
            " ".join(sentence(rng) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(6, 12))
        ]
        paragraphs.append(rng.choice(footers))
        inserted = rng.random() < 0.3
        if inserted:
            paragraphs.append(rng.choice(examples).example)
        docs.append((f"doc{i}", f"story{i}", "\n\n".join(paragraphs), inserted))
    return docs


class NaivePatternSet(bp.PatternSet):
    """Baseline: the same rules, but one ``fullmatch`` call per pattern instead of one
    alternation of all patterns."""

    def __init__(self, patterns: bp.PatternSet) -> None:
        super().__init__(patterns)
        self._each = [
            (p, re.compile(f"(?:{bp.scoped_flags(p.source)}){bp._TRAIL_DECORATION}"))
            for p in patterns
        ]

    def match(
        self, text: str, start: int, end: int, *, leading: bool, trailing: bool
    ) -> bp.Pattern | None:
        start = bp._LEAD_DECORATION.match(text, start, end).end()  # type: ignore[union-attr]
        for pattern, regex in self._each:
            if pattern.allowed(leading, trailing) and regex.fullmatch(text, start, end):
                return pattern
        return None

    def match_line(
        self, text: str, start: int, end: int, *, leading: bool, trailing: bool
    ) -> tuple[bp.Pattern | None, bool]:
        # no screen: every line's first sentence is looked for, as the rules say
        return self.match(text, start, end, leading=leading, trailing=trailing), True


def naive_repeated(docs: list[tuple[str, str, str, bool]], min_documents: int) -> int:
    """Baseline: keep every normalised line string with the set of its story ids."""
    seen: dict[str, set[str]] = {}
    for _, story, text, _ in docs:
        for s, e in bp.units(text):
            key = bp.normalise_line(text[s:e])
            if len(key) >= 20:
                seen.setdefault(key, set()).add(story)
    return sum(1 for stories in seen.values() if len(stories) >= min_documents)


def repeated(
    docs: list[tuple[str, str, str, bool]], count_only: bool = False
) -> tuple[bp.RepeatedLineCounter, list[list]]:
    """Both passes of the repeated-line check (pass 1 and its tally with ``count_only``)."""
    counter = bp.RepeatedLineCounter(min_documents=3)
    for doc_id, story, text, _ in docs:
        counter.add(doc_id, story, text)
    if count_only:
        counter.repeated_spans("")  # sorts the table and tallies the repeated lines
        return counter, []
    return counter, [counter.repeated_spans(text, story) for _, story, text, _ in docs]


def peak_memory(fn: Callable[[], object]) -> int:
    """Peak bytes allocated while ``fn`` runs, its result included (tracemalloc)."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def timed(label: str, fn: Callable[[], object], n: int, baseline: float | None = None) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    ratio = f"  ({baseline / seconds:.1f}x the naive baseline)" if baseline else ""
    print(f"  {label:<44} {n / seconds:>10,.0f} docs/s  {seconds:6.2f} s{ratio}")
    return seconds


def accuracy(patterns: bp.PatternSet) -> None:
    cases = yaml.safe_load((ROOT / "tests/unit/boilerplate_cases.yml").read_text(encoding="utf-8"))
    checks: dict[str, Callable[[str, dict], list]] = {
        "boilerplate": lambda t, c: bp.find_boilerplate(t, patterns),
        "header": lambda t, c: bp.find_glued_header(t),
        "paragraphs": lambda t, c: bp.find_flattened_paragraphs(t, c.get("max_chars", 2000)),
    }
    tally: dict[str, list[int]] = {}
    for section, items in cases.items():
        for case in items:
            text = case["text"] * case.get("repeat", 1)
            got = {(h.reason, h.span) for h in checks[section](text, case)}
            for item in case["expect"]:
                span = (
                    tuple(item["span"])
                    if "span" in item
                    else (text.index(item["text"]), text.index(item["text"]) + len(item["text"]))
                )
                row = tally.setdefault(item["reason"], [0, 0, 0, 0])
                row[0] += (item["reason"], span) in got
                row[1] += 1
            for reason in case.get("negative_for", []):
                row = tally.setdefault(reason, [0, 0, 0, 0])
                row[2] += all(r != reason for r, _ in got)
                row[3] += 1
    print("accuracy on tests/unit/boilerplate_cases.yml (known failures included)")
    print(f"  {'reason':<22} {'positives right':>16} {'negatives right':>16}")
    for reason, (pos, pos_n, neg, neg_n) in sorted(tally.items()):
        print(f"  {reason:<22} {f'{pos}/{pos_n}':>16} {f'{neg}/{neg_n}':>16}")


def throughput(n: int, seed: int, patterns: bp.PatternSet) -> None:
    docs = generate(n, random.Random(seed), patterns)
    texts = [t for _, _, t, _ in docs]
    size = sum(len(t) for t in texts)
    print(f"\nthroughput on {n:,} generated documents ({size / n:,.0f} chars on average), one core")
    naive = NaivePatternSet(patterns)
    same = all(bp.find_boilerplate(t, naive) == bp.find_boilerplate(t, patterns) for t in texts)
    print(f"  (baseline and alternation give identical findings: {same})")
    base = timed(
        "naive: a fullmatch call per pattern",
        lambda: [bp.find_boilerplate(t, naive) for t in texts],
        n,
    )
    timed(
        "find_boilerplate (one alternation)",
        lambda: [bp.find_boilerplate(t, patterns) for t in texts],
        n,
        base,
    )
    timed("find_glued_header", lambda: [bp.find_glued_header(t) for t in texts], n)
    timed("find_flattened_paragraphs", lambda: [bp.find_flattened_paragraphs(t) for t in texts], n)

    start = time.perf_counter()
    naive_count = naive_repeated(docs, 3)
    naive_seconds = time.perf_counter() - start
    start = time.perf_counter()
    counter, flagged = repeated(docs)
    seconds = time.perf_counter() - start
    print(
        f"  {'RepeatedLineCounter, both passes':<44} {n / seconds:>10,.0f} docs/s  {seconds:6.2f} s"
        f"  (naive string counter, pass 1 only: {n / naive_seconds:,.0f} docs/s)"
    )
    naive_peak = peak_memory(lambda: naive_repeated(docs, 3))
    peak = peak_memory(lambda: repeated(docs, count_only=True))
    print(
        f"  repeated-line memory (tracemalloc peak, pass 1 + tally): {peak / 2**20:.1f} MiB for "
        f"{counter.distinct_lines:,} distinct lines "
        f"({peak / max(counter.distinct_lines, 1):.0f} B/line); "
        f"naive string counter {naive_peak / 2**20:.1f} MiB ({naive_peak / max(peak, 1):.1f}x)"
    )
    repeated_lines = {
        text[s:e]
        for (_, _, text, _), hits in zip(docs, flagged, strict=True)
        for h in hits
        for s, e in [h.span]
    }
    print(
        f"  repeated lines flagged: {len(repeated_lines)} distinct (10 site footers and the "
        f"inserted examples of 20+ characters; naive string counter: {naive_count})"
    )

    found = [bp.find_boilerplate(t, patterns) for t in texts]
    inserted = [hits for (_, _, _, ins), hits in zip(docs, found, strict=True) if ins]
    clean = [hits for (_, _, _, ins), hits in zip(docs, found, strict=True) if not ins]
    print(
        f"  inserted examples found: {sum(1 for h in inserted if h)}/{len(inserted)}; "
        f"false alarms on documents with nothing inserted: {sum(len(h) for h in clean)} "
        f"in {len(clean):,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    patterns = bp.load_default_patterns()
    print(f"{len(patterns)} default patterns; Python {sys.version.split()[0]}\n")
    accuracy(patterns)
    throughput(args.documents, args.seed, patterns)


if __name__ == "__main__":
    main()
