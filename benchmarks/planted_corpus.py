"""A generated corpus with planted defects of every family (deterministic, seeded).

Versioned news stories from :mod:`benchmarks.planted_figures` (figures changed in some
stories), then one defect of each document family of :mod:`corpus_qa.mutations`
injected into a share of the documents, stripped diacritics in some stories, a site
footer repeated across stories, a few JSONL records (one without text, one invalid)
and one binary file. Used by the regression test that pins the findings of the
default suite (``tests/e2e/test_findings_golden.py``) and by benchmarks.

    python benchmarks/planted_corpus.py OUT_DIR [--documents N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.planted_figures import generate  # noqa: E402
from corpus_qa.mutations import FAMILIES, mutate_document, mutate_story  # noqa: E402

DOCUMENT_FAMILIES = [n for n, f in FAMILIES.items() if f.scope == "document"]
STORY_FAMILIES = ["stripped_diacritics"]  # figure changes are planted by the generator
FOOTER = "Follow our newsroom on the Example Wire app for more stories like this one."


def build(documents: int = 2000, seed: int = 11) -> dict[str, str | bytes]:
    """Relative path -> content of every file of the corpus."""
    stories = max(1, documents // 3)
    corpus = generate(documents, stories, planted=max(1, stories // 10), seed=seed)
    rng = random.Random(seed)
    texts: dict[str, str | bytes] = dict(corpus.texts)
    by_story = corpus.stories()

    # Story-level defects: diacritics stripped in one version of some stories.
    for index, ids in sorted(by_story.items()):
        if index % 9 == 4:
            versions = [str(texts[i]) for i in ids]
            mutated = mutate_story("stripped_diacritics", versions, rng)
            if mutated is not None:
                for doc_id, text in zip(ids, mutated[0], strict=True):
                    texts[doc_id] = text

    # Document-level defects: each family in its own share of the documents.
    ids = sorted(texts)
    for n, doc_id in enumerate(ids):
        if n % 7 != 3:
            continue
        family = DOCUMENT_FAMILIES[(n // 7) % len(DOCUMENT_FAMILIES)]
        text = texts[doc_id]
        if isinstance(text, bytes):
            continue
        mutated_doc = mutate_document(family, text, rng)
        if mutated_doc is not None:
            texts[doc_id] = mutated_doc[0]

    # A footer repeated across stories (a corpus-level defect).
    for n, doc_id in enumerate(ids):
        if n % 50 == 7 and isinstance(texts[doc_id], str):
            texts[doc_id] = str(texts[doc_id]).rstrip("\n") + "\n\n" + FOOTER + "\n"

    files: dict[str, str | bytes] = {f"{doc_id}.txt": text for doc_id, text in texts.items()}
    records = [
        {"id": "wire-1", "text": str(corpus.texts[ids[0]]), "metadata": {"source": "Wire"}},
        {"id": "wire-2", "content": "a record whose text is in the wrong field"},
        {"id": "wire-3", "text": "Caf\u00c3\u00a9 owners said 12 people came. " * 3,
         "date": "2023-02-30"},
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(2, "{not json")
    files["wire/part-0.jsonl"] = "\n".join(lines) + "\n"
    files["bin/blob.txt"] = b"\x00\x01\x02binary\x00" * 10
    return files


def write(root: Path, documents: int = 2000, seed: int = 11) -> int:
    """Write the corpus under ``root``; return the number of files."""
    files = build(documents, seed)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return len(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    count = write(args.out, args.documents, args.seed)
    print(f"{count} files written under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
