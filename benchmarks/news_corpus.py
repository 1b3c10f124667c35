"""Generate news-sized documents for benchmarks (deterministic, seeded): distinct stories
(``write_corpus``) or stories in 2–3 versions (``write_versioned_corpus``)."""

from __future__ import annotations

import random
import re
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

NAMES = ["Andrés Manuel López Obrador", "Alicia Bárcena", "Antony Blinken", "Zoë Müller",
         "François Hollande", "Søren Kierkegaard", "Nguyễn Văn An", "José Martí"]
PLACES = ["Mexico City", "Ciudad Juárez", "Bogotá", "São Paulo", "Zürich", "Kraków", "Reykjavík"]
VERBS = ["met", "said", "announced", "warned", "reported", "confirmed", "denied"]
NOUNS = ["migrants", "crossings", "officials", "talks", "measures", "agreements", "trains"]


def word(rng: random.Random) -> str:
    """A pronounceable made-up word, so that documents are different stories."""
    return "".join(rng.choice("bcdfglmnprstv") + rng.choice("aeiou") for _ in range(3))


def sentence(rng: random.Random) -> str:
    """One news-like sentence with names, places, figures, curly quotes and its own words."""
    return (
        f"{rng.choice(NAMES)} {rng.choice(VERBS)} in {rng.choice(PLACES)} that "
        f"{rng.randint(2, 20_000):,} {word(rng)} {rng.choice(NOUNS)} were expected near the "
        f"{word(rng)} {word(rng)} on December {rng.randint(1, 28)}, with “{word(rng)}” at stake."
    )


def document(rng: random.Random, target_chars: int = 3000) -> str:
    """A ~3 KB article of paragraphs."""
    paragraphs = []
    size = 0
    while size < target_chars:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs) + "\n"


def write_corpus(root: Path, count: int, seed: int = 7) -> int:
    """Write ``count`` documents under ``root``; return the total bytes written."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(count):
        data = f" date 2023-12-{1 + i % 28:02d} {document(rng)}".encode()
        (root / f"{i // 1000:03d}").mkdir(exist_ok=True)
        (root / f"{i // 1000:03d}" / f"doc{i:06d}.txt").write_bytes(data)
        total += len(data)
    return total


def _edited(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """A later version of a story: a paragraph dropped or added, one figure changed."""
    out = list(paragraphs)
    if len(out) > 3 and rng.random() < 0.5:
        del out[rng.randrange(1, len(out))]
    else:
        out.insert(rng.randrange(1, len(out) + 1),
                   " ".join(sentence(rng) for _ in range(rng.randint(1, 3))))
    at = rng.randrange(len(out))
    out[at] = re.sub(r"\d[\d,]*", lambda m: f"{rng.randint(2, 20_000):,}", out[at], count=1)
    return out


def write_versioned_corpus(root: Path, count: int, seed: int = 7) -> int:
    """Write ``count`` documents under ``root`` in stories of 2–3 versions (each later
    version edits the one before); return the total bytes written."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    total = i = 0
    while i < count:
        paragraphs = document(rng).rstrip("\n").split("\n\n")
        day = 1 + rng.randrange(27)
        for version in range(min(rng.randint(2, 3), count - i)):
            if version:
                paragraphs = _edited(rng, paragraphs)
            text = "\n\n".join(paragraphs) + "\n"
            data = f" date 2023-12-{day + (version > 1):02d} {text}".encode()
            (root / f"{i // 1000:03d}").mkdir(exist_ok=True)
            (root / f"{i // 1000:03d}" / f"doc{i:06d}.txt").write_bytes(data)
            total += len(data)
            i += 1
    return total
