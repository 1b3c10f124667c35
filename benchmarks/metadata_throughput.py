"""How fast metadata resolution runs on news-sized documents, against a whole-text baseline.

Generates documents shaped like the seeds and like wire copy: a glued ``date`` header
or front-matter fields (as the loader would fill them), a syndication + licence notice,
a title glued to a byline, a Reuters/AP dateline, 2–6 KB of prose full of "by" traps
("closed by", "led by U.S. Secretary …"), and a credit line at the end; some documents
are one single line (like seed 001). Times :func:`corpus_qa.metadata.resolve` with the
default phrase list (signals searched in the first/last 1,000 characters), then the same
signals over the whole text (the naive baseline) in the same run, and checks that both
find the planted values.

    .venv/bin/python benchmarks/metadata_throughput.py
    .venv/bin/python benchmarks/metadata_throughput.py --docs 20000 --seed 7

Not a timed test: figures go into ``docs/metadata.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import time

from corpus_qa.documents import Document, Field
from corpus_qa.metadata import Metadata, Phrases, load_phrases, resolve

AGENCIES = ["The Associated Press", "Reuters", "Agence France-Presse", "VOA News"]
SOURCES = ["Voice of America", "Kaiser Health News", "The Conversation"]
SUBJECTS = [
    "Officials",
    "The delegation",
    "Mexican leaders",
    "Secretary Antony Blinken",
    "Lopez Obrador",
    "The agency",
    "Migrants",
    "Local authorities",
]
VERBS = ["said", "met", "discussed", "stressed", "reported", "described", "announced"]
TRAPS = [
    "the crossings were closed by U.S. authorities",
    "the talks were led by U.S. Secretary of State Antony Blinken",
    "a caravan organised by Mexican activists moved north",
    "a decision taken by President Joe Biden on December 18",
    "about 6,000 migrants, many fleeing crime, crossed by train",
]
TITLES = [
    "US, Mexico Discuss Options to Slow Surge of Migrants at Border",
    "Talks on Migration Resume in Mexico City",
    "Record Numbers Cross the Darien Gap in 2023",
]


def sentence(rng: random.Random) -> str:
    """One prose sentence, sometimes with a "by" trap."""
    clause = rng.choice(TRAPS) if rng.random() < 0.3 else "the surge of arrests strained the border"
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} on Wednesday that {clause}."


def body(rng: random.Random, size: int) -> str:
    """Paragraphs of prose up to ``size`` characters."""
    paragraphs, length = [], 0
    while length < size:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)


def document(rng: random.Random, number: int) -> tuple[Document, dict[str, str]]:
    """A generated document and the values planted in it (field → value)."""
    planted: dict[str, str] = {}
    head, fields = "", {}
    if rng.random() < 0.5:
        planted["date"] = f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        head = f" date {planted['date']} "
        fields["date"] = Field(planted["date"], "header", (6, 16))
    if rng.random() < 0.5:
        planted["source"] = rng.choice(SOURCES)
        head += (
            f"Originally posted by the {planted['source']}. {planted['source']} content is "
            "produced by a federal entity, and is in the public domain. "
        )
    if rng.random() < 0.5:
        planted["attribution"] = rng.choice(AGENCIES)
        head += f"{rng.choice(TITLES)} by {planted['attribution']} "
    elif rng.random() < 0.3:
        planted["attribution"] = "Reuters"
        head += "MEXICO CITY (Reuters) - "
    agencies = rng.sample(AGENCIES[:3], rng.randint(1, 3))
    credit = ", ".join(agencies[:-1]) + (" and " if len(agencies) > 1 else "") + agencies[-1]
    text = (
        head
        + body(rng, rng.randint(2000, 6000))
        + f"\n\nSome information for this report came from {credit}."
    )
    planted.setdefault("attribution", agencies[0])
    body_start = 17 if "date" in fields else 0
    if rng.random() < 0.3:
        text = " ".join(text.split())  # one line, like seed 001
        if "date" in fields:
            fields["date"], body_start = Field(planted["date"], "header", (5, 15)), 16
    doc = Document(
        id=f"gen{number:06d}",
        text=text,
        path=f"gen{number:06d}.txt",
        fields=fields,
        body_start=body_start,
    )
    return doc, planted


def run(docs: list[Document], phrases: Phrases) -> tuple[float, float, list[Metadata]]:
    """Wall and CPU seconds to resolve every document, and the results.

    CPU time is the figure to compare: on a shared machine wall time also counts the
    time other processes held the core.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    results = [resolve(doc, phrases) for doc in docs]
    return time.perf_counter() - wall, time.process_time() - cpu, results


def misses(results: list[Metadata], planted: list[dict[str, str]]) -> int:
    """How many planted values were not resolved."""
    count = 0
    for meta, expected in zip(results, planted, strict=True):
        for name, value in expected.items():
            count += name not in meta or value not in meta[name].values
    return count


def main() -> None:
    """Generate, time windowed vs whole-text resolution, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pairs = [document(rng, n) for n in range(args.docs)]
    docs, planted = [d for d, _ in pairs], [p for _, p in pairs]
    megabytes = sum(len(d.text.encode()) for d in docs) / 1e6
    print(f"{len(docs)} documents, {megabytes:.1f} MB, mean {megabytes * 1000 / len(docs):.1f} KB")
    windowed = load_phrases()
    whole = dataclasses.replace(windowed, start_window=10**9, end_window=10**9)
    run(docs[:200], windowed)  # warm up
    cpu_times = {}
    for name, phrases in (("windowed", windowed), ("whole text", whole)):
        wall, cpu, results = run(docs, phrases)
        cpu_times[name] = cpu
        print(
            f"{name:10s}  cpu {cpu:6.2f} s  {len(docs) / cpu:6.0f} docs/s  "
            f"{megabytes / cpu:5.1f} MB/s  (wall {wall:6.2f} s)  "
            f"missed {misses(results, planted)} planted values"
        )
    speed_up = cpu_times["whole text"] / cpu_times["windowed"]
    print(f"windows vs whole-text search: {speed_up:.1f}x less CPU")


if __name__ == "__main__":
    main()
