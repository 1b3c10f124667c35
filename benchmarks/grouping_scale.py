"""How story grouping scales: 1,000 → 10,000 → 50,000 documents, against an all-pairs baseline.

Generates corpora of stories in several versions each (sentences dropped and added,
words substituted, accents folded, paragraphs reflowed), with stories drawn from
shared topics so that different stories reuse the same vocabulary and stock phrases.
Times :class:`corpus_qa.checks.versions.StoryGrouper` on each size, prints the growth
ratios and the pairwise precision/recall against the generated truth, and times a
naive all-pairs exact-Jaccard grouping on the smallest corpus in the same run.

    .venv/bin/python benchmarks/grouping_scale.py
    .venv/bin/python benchmarks/grouping_scale.py --sizes 1000,10000 --threshold 0.3

Not a timed test: figures go into ``docs/versions.md``. ``peak MB`` is the process's
peak resident set so far (generated texts included), so it is an upper bound for each size.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, combinations

from corpus_qa.checks.versions import (
    DEFAULT_NUM_PERM,
    DEFAULT_SHINGLE_WORDS,
    DEFAULT_THRESHOLD,
    StoryGrouper,
    grouping_words,
)
from corpus_qa.text.fold import fold_diacritics

_ONSETS = ["b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "br", "tr", "st"]
_VOWELS = ["a", "e", "i", "o", "u", "á", "é", "ó"]


@dataclass(frozen=True, slots=True)
class Doc:
    """A generated document and the story it truly belongs to."""

    id: str
    text: str
    story: int


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        syllables = rng.randint(1, 4)
        words.add("".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables)))
    return sorted(words)


class CorpusGenerator:
    """Stories in topics; each story has 1–8 versions with edits of random intensity."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.general = _vocabulary(self.rng, 20_000)
        # Zipf-like weights: a few very common words, a long tail.
        self.cumulative = list(accumulate(1.0 / (rank + 1) ** 1.05 for rank in range(20_000)))

    def _common(self, k: int) -> list[str]:
        return self.rng.choices(self.general, cum_weights=self.cumulative, k=k)

    def _topic(self) -> tuple[list[str], list[str]]:
        words = self.rng.sample(self.general, 150)
        phrases = [" ".join(self.rng.choices(words, k=self.rng.randint(3, 6))) for _ in range(25)]
        return words, phrases

    def _sentence(self, topic: tuple[list[str], list[str]]) -> str:
        words, phrases = topic
        parts = []
        for _ in range(self.rng.randint(8, 24)):
            roll = self.rng.random()
            if roll < 0.35:
                parts.append(self.rng.choice(words))
            elif roll < 0.45:
                parts.append(self.rng.choice(phrases))
            else:
                parts.append(self._common(1)[0])
        return " ".join(parts).capitalize() + "."

    def _version(self, base: list[str], topic: tuple[list[str], list[str]]) -> str:
        rng = self.rng
        intensity = rng.uniform(0.5, 1.5)
        sentences = [s for s in base if rng.random() > 0.08 * intensity] or base[:1]
        for _ in range(round(2 * intensity)):
            sentences.insert(rng.randint(0, len(sentences)), self._sentence(topic))
        edited = []
        for sentence in sentences:
            words = sentence.split(" ")
            for i in range(len(words)):
                if rng.random() < 0.03 * intensity:
                    words[i] = self._common(1)[0]
            edited.append(" ".join(words))
        separator = rng.choice([" ", "\n", "\n\n"])
        text = separator.join(edited)
        return fold_diacritics(text) if rng.random() < 0.5 else text

    def corpus(self, size: int) -> list[Doc]:
        """About ``size`` documents (exactly ``size``), ids shuffled against story order."""
        docs: list[Doc] = []
        topic = self._topic()
        story = 0
        while len(docs) < size:
            if story % 20 == 0:
                topic = self._topic()
            base = [self._sentence(topic) for _ in range(self.rng.randint(10, 20))]
            versions = 1 if self.rng.random() < 0.1 else self.rng.randint(2, 8)
            for _ in range(min(versions, size - len(docs))):
                docs.append(Doc(f"d{len(docs):06d}", self._version(base, topic), story))
            story += 1
        self.rng.shuffle(docs)
        return docs


def _pairs(groups: Iterable[list[str]]) -> int:
    return sum(len(g) * (len(g) - 1) // 2 for g in groups)


def precision_recall(predicted: list[list[str]], truth: dict[str, int]) -> tuple[float, float]:
    """Pairwise precision and recall of a grouping against the true story of each document."""
    true_positive = sum(
        n * (n - 1) // 2 for group in predicted for n in Counter(truth[d] for d in group).values()
    )
    by_story: dict[int, list[str]] = {}
    for doc, story in truth.items():
        by_story.setdefault(story, []).append(doc)
    predicted_pairs, true_pairs = _pairs(predicted), _pairs(by_story.values())
    precision = true_positive / predicted_pairs if predicted_pairs else 1.0
    recall = true_positive / true_pairs if true_pairs else 1.0
    return precision, recall


@dataclass(frozen=True, slots=True)
class Timing:
    """CPU seconds (``time.process_time``: robust on a shared machine) and wall seconds."""

    add: float
    groups: float
    wall: float

    @property
    def cpu(self) -> float:
        return self.add + self.groups


def group_with_lsh(
    docs: list[Doc], threshold: float, num_perm: int, repeat: int
) -> tuple[list[list[str]], Timing]:
    """StoryGrouper on ``docs``: the groups and the fastest of ``repeat`` runs."""
    best: Timing | None = None
    groups: list[list[str]] = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        grouper = StoryGrouper(threshold=threshold, num_perm=num_perm)
        if hasattr(grouper, "signatures"):  # signed in batches, as the runner's workers do
            signatures = grouper.signatures([doc.text for doc in docs])
            for doc, signature in zip(docs, signatures, strict=True):
                grouper.add_signature(doc.id, signature)
        else:  # releases before batched signatures (to compare in one run)
            for doc in docs:
                grouper.add(doc.id, doc.text)
        added = time.process_time()
        stories = grouper.groups()
        timing = Timing(added - cpu, time.process_time() - added, time.perf_counter() - wall)
        best = timing if best is None or timing.cpu < best.cpu else best
        groups = [story.documents for story in stories]
    assert best is not None
    return groups, best


def group_all_pairs(docs: list[Doc], threshold: float) -> tuple[list[list[str]], float]:
    """The naive baseline: exact Jaccard of shingle sets for every pair, then union-find."""
    start = time.process_time()
    k = DEFAULT_SHINGLE_WORDS
    sets = []
    for doc in docs:
        words = grouping_words(doc.text)
        sets.append({" ".join(words[i : i + k]) for i in range(len(words) - k + 1)})
    parent = list(range(len(docs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in combinations(range(len(docs)), 2):
        shared = len(sets[a] & sets[b])
        if shared and shared / (len(sets[a]) + len(sets[b]) - shared) >= threshold:
            parent[find(b)] = find(a)
    groups: dict[int, list[str]] = {}
    for i, doc in enumerate(docs):
        groups.setdefault(find(i), []).append(doc.id)
    return list(groups.values()), time.process_time() - start


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"


def main() -> None:
    """Run the benchmark and print one line per corpus size, then the baseline comparison."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--num-perm", type=int, default=DEFAULT_NUM_PERM)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="best of N timings (shared CPUs)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the all-pairs baseline")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    print(
        f"threshold={args.threshold} num_perm={args.num_perm} shingle={DEFAULT_SHINGLE_WORDS} "
        f"signature={args.num_perm * 4} B/doc; timings are the best of {args.repeat}"
    )
    print(
        f"{'docs':>7} {'stories':>7} {'words':>5} {'add s':>6} {'groups s':>8} {'cpu s':>6} "
        f"{'µs/doc':>6} {'growth':>14} {'wall s':>6} {'precision':>9} {'recall':>6} {'found':>6} "
        f"{'peak MB':>7}"
    )
    previous: tuple[int, float] | None = None
    smallest: list[Doc] = []
    lsh_small = 0.0
    for size in sizes:
        docs = CorpusGenerator(args.seed + size).corpus(size)
        truth = {doc.id: doc.story for doc in docs}
        groups, timing = group_with_lsh(docs, args.threshold, args.num_perm, args.repeat)
        precision, recall = precision_recall(groups, truth)
        words = sum(len(doc.text.split()) for doc in docs) / len(docs)
        growth = ""
        if previous:
            growth = f"×{timing.cpu / previous[1]:.1f} for ×{size / previous[0]:.0f}"
        print(
            f"{size:>7} {len(set(truth.values())):>7} {words:>5.0f} {timing.add:>6.2f} "
            f"{timing.groups:>8.2f} {timing.cpu:>6.2f} {timing.cpu / size * 1e6:>6.0f} "
            f"{growth:>14} {timing.wall:>6.2f} {precision:>9.4f} {recall:>6.4f} {len(groups):>6} "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:>7.0f}"
        )
        previous = (size, timing.cpu)
        if not smallest:
            smallest, lsh_small = docs, timing.cpu
    if args.no_baseline:
        return
    truth = {doc.id: doc.story for doc in smallest}
    groups, seconds = group_all_pairs(smallest, args.threshold)
    precision, recall = precision_recall(groups, truth)
    print(
        f"all-pairs exact Jaccard on {len(smallest)} docs: {seconds:.2f} cpu s "
        f"(precision {precision:.4f}, recall {recall:.4f}); "
        f"LSH on the same docs {lsh_small:.2f} cpu s — all-pairs/LSH = ×{seconds / lsh_small:.1f}; "
        f"all-pairs extrapolated (quadratic) to {sizes[-1]} docs: "
        f"{_duration(seconds * (sizes[-1] / len(smallest)) ** 2)}"
    )


if __name__ == "__main__":
    main()
