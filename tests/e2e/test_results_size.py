"""results.json stays small per document: a document with no findings costs at most 3 KB
(issue 13: the story records no longer carry the report's side-by-side payload for every
pair; the documents hold their id, place and resolved metadata)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from corpus_qa.cli import main

LIMIT = 3 * 1024


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou")
                   for _ in range(rng.randint(2, 4)))


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(_word(rng) for _ in range(words)).capitalize() + "."


def write_clean_stories(root: Path, stories: int, seed: int = 3) -> int:
    """``stories`` stories of two versions each (the second adds a sentence), every
    document with its date, attribution and source and nothing for a check to find;
    return the number of documents."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    for i in range(stories):
        sentences = [_sentence(rng, 12) for _ in range(6)]
        for version in range(2):
            extra = " " + _sentence(rng, 9) if version else ""
            (root / f"s{i:03d}-v{version}.txt").write_text(
                "---\n"
                f"title: {_word(rng).capitalize()} {_word(rng)}\n"
                "date: 2024-03-10\nattribution: Jane Doe\nsource: Example Wire\n---\n"
                f"{' '.join(sentences[:3])}\n\n{' '.join(sentences[3:])}{extra}\n",
                encoding="utf-8")
    return 2 * stories


def _results(tmp_path: Path, stories: int) -> tuple[dict, int]:
    corpus = tmp_path / f"corpus{stories}"
    documents = write_clean_stories(corpus, stories)
    out = tmp_path / f"results{stories}.json"
    assert main(["validate", str(corpus), "--json", str(out), "-q"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["documents"]) == documents
    return data, out.stat().st_size


def test_a_document_without_findings_costs_at_most_3_kb_of_results(tmp_path: Path) -> None:
    small, small_size = _results(tmp_path, 10)
    large, large_size = _results(tmp_path, 30)
    for data in (small, large):
        # nothing to report, and the versions were grouped as written: the figure of
        # interest is what a clean document costs
        assert data["findings"] == []
        assert len(data["stories"]) == len(data["documents"]) // 2
    assert large_size / len(large["documents"]) <= LIMIT
    per_extra_document = (large_size - small_size) / (len(large["documents"])
                                                      - len(small["documents"]))
    assert per_extra_document <= LIMIT
