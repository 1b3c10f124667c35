"""A corpus for triage at scale: many documents, a few kinds of defect (deterministic).

Generated news articles (:mod:`benchmarks.news_corpus`) with a date line and no source
or attribution (one suite setting that fails every document), the seeds, and defects
injected with :mod:`corpus_qa.mutations`: whole files mis-decoded (UTF-8 read as
cp1252: many mojibake runs each), the date removed, a boilerplate line inserted, and
second versions of some stories with one number changed. What the terminal output and
the report must still make plain (``tests/e2e/test_triage.py``, ``docs/img/``).

    python benchmarks/triage_corpus.py OUT_DIR [--articles 380] [--per-kind 20] [--seed 17]
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.news_corpus import SEEDS, document  # noqa: E402
from corpus_qa.mutations import (  # noqa: E402
    change_figure,
    drop_metadata,
    insert_boilerplate_line,
    misdecode,
)


@dataclass
class TriageCorpus:
    """Relative path -> content, and the reason each injected defect must be reported as."""

    files: dict[str, str | bytes] = field(default_factory=dict)
    injected: dict[str, str] = field(default_factory=dict)
    """Relative path -> the reason of the defect injected into it."""

    def write(self, root: Path) -> int:
        """Write the files under ``root``; return how many."""
        for rel, content in self.files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return len(self.files)

    def kinds(self) -> set[str]:
        return set(self.injected.values())


def _misdecoded(text: str) -> str:
    """The whole body mis-decoded (UTF-8 read as cp1252); the date line stays readable."""
    head, _, body = text.partition("\n")
    return head + "\n" + misdecode(body, "cp1252")


def build(articles: int = 380, per_kind: int = 20, seed: int = 17) -> TriageCorpus:
    """``articles`` news articles, the seeds, ``per_kind`` defects of each of three kinds
    (mis-decoded file, date removed, boilerplate line) and ``per_kind`` second versions
    with one number changed."""
    if articles < 4 * per_kind:
        raise ValueError(f"need at least {4 * per_kind} articles for {per_kind} of each kind")
    rng = random.Random(seed)
    out = TriageCorpus()
    texts = [f"date 2023-12-{1 + i % 28:02d}\n\n{document(rng, target_chars=1500)}"
             for i in range(articles)]
    for n, text in enumerate(texts):
        rel = f"news/{n:04d}.txt"
        kind, which = divmod(n, per_kind)
        if kind == 0:
            out.files[rel] = _misdecoded(text)
            out.injected[rel] = "mojibake"
            continue
        if kind == 1:
            dropped = drop_metadata(text, rng, field_name="date")
            if dropped is not None:
                out.files[rel] = dropped[0]
                out.injected[rel] = dropped[1].expected_reason
                continue
        if kind == 2:
            inserted, defect = insert_boilerplate_line(text, rng)
            out.files[rel] = inserted
            out.injected[rel] = defect.expected_reason
            continue
        out.files[rel] = text
        if kind == 3:  # a second version of this story, one number changed
            changed = change_figure([text, text], rng, target=1)
            if changed is not None:
                rel2 = f"news/{n:04d}-v2.txt"
                out.files[rel2] = changed[0][1]
                out.injected[rel2] = changed[1].expected_reason
    for seed_file in sorted(SEEDS.glob("*.txt")):
        out.files[f"seeds/{seed_file.name}"] = seed_file.read_bytes()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=380)
    parser.add_argument("--per-kind", type=int, default=20)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    corpus = build(args.articles, args.per_kind, args.seed)
    count = corpus.write(args.out)
    print(f"{count} files written under {args.out} "
          f"({len(corpus.injected)} with an injected defect)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
