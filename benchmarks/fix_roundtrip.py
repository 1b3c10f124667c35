"""``corpus-qa fix`` on a planted corpus: round-trip score per family, and throughput.

Clean versioned news from :mod:`benchmarks.planted_figures` (no figure changes planted),
then one defect per document of a share of the documents — each document family of
:mod:`corpus_qa.mutations` in its own share — and stripped diacritics in one version of
some stories. The generator's "clean" stories are not clean for the default suite
(required fields are missing, some versions are ASCII-folded on purpose), so the score
compares two runs of ``fix --accept-suggestions``: on the clean corpus and on the
planted one. Per family it counts the planted documents whose repaired text equals the
repaired text of their clean original (``text``: fix(mutate(x)) == fix(x), the body
and any header as written, before the fixer adds front matter), and those whose
metadata values are equal too (``+fields``; a planted syndication line legitimately
adds its source). Unplanted documents whose repaired text differs must be 0 (their
fields may differ: a planted version can give its siblings a new suggestion).

Throughput: the same ``fix`` run timed end to end (validate, repair, write, validate
the copy) next to one ``validate`` of the same corpus, in the same process.

    python benchmarks/fix_roundtrip.py [--documents N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.planted_figures import generate  # noqa: E402
from corpus_qa.mutations import FAMILIES, mutate_document, mutate_story  # noqa: E402

DOCUMENT_FAMILIES = [n for n, f in FAMILIES.items() if f.scope == "document"]


def build(documents: int, seed: int
          ) -> tuple[dict[str, str], dict[str, str | bytes], dict[str, str]]:
    """Clean texts, the planted corpus, and the family planted in each changed document."""
    stories = max(1, documents // 3)
    corpus = generate(documents, stories, planted=0, seed=seed)
    rng = random.Random(seed)
    clean = dict(corpus.texts)
    texts: dict[str, str | bytes] = dict(clean)
    planted: dict[str, str] = {}
    for index, ids in sorted(corpus.stories().items()):
        if index % 9 == 4:
            out = mutate_story("stripped_diacritics", [clean[i] for i in ids], rng)
            if out is not None:
                changed = ids[out[1].version]
                texts[changed] = out[0][out[1].version]
                planted[changed] = "stripped_diacritics"
    for n, doc_id in enumerate(sorted(clean)):
        if n % 5 != 2 or doc_id in planted:
            continue
        family = DOCUMENT_FAMILIES[(n // 5) % len(DOCUMENT_FAMILIES)]
        out = mutate_document(family, clean[doc_id], rng)
        if out is not None:
            texts[doc_id] = out[0]
            planted[doc_id] = family
    return clean, texts, planted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)

    from corpus_qa.data import DEFAULT_SUITE
    from corpus_qa.fixer import run_fix
    from corpus_qa.runner import Runner
    from corpus_qa.suite import load_suite

    clean, texts, planted = build(args.documents, args.seed)
    suite = load_suite(DEFAULT_SUITE)
    with tempfile.TemporaryDirectory() as tmp:
        for name, docs in (("clean", clean), ("planted", texts)):
            for doc_id, text in docs.items():
                path = Path(tmp) / name / f"{doc_id}.txt"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        started = time.perf_counter()
        Runner(suite).run([str(Path(tmp) / "planted")])
        validate_s = time.perf_counter() - started
        baseline = run_fix([str(Path(tmp) / "clean")], suite, str(Path(tmp) / "clean-out"),
                           accept_suggestions=True)
        started = time.perf_counter()
        result = run_fix([str(Path(tmp) / "planted")], suite, str(Path(tmp) / "out"),
                         accept_suggestions=True)
        fix_s = time.perf_counter() - started
    def outcome(fix: Any, docs: dict[str, Any], text: str | bytes) -> tuple[Any, dict[str, str]]:
        """The repaired text and field values of a document (unlisted: left as it was)."""
        doc = docs.get(fix)
        if doc is None or not doc.changed:
            return text, {}
        return doc.after, {k: v for k, (v, _) in doc.fields.items()}

    got = {d.id: d for d in result.documents}
    want = {d.id: d for d in baseline.documents}
    same_text: Counter[str] = Counter()
    same_all: Counter[str] = Counter()
    count: Counter[str] = Counter(planted.values())
    unplanted_changed = 0
    for doc_id in clean:
        family = planted.get(doc_id)
        after, fields = outcome(doc_id, got, texts[doc_id])
        expected, expected_fields = outcome(doc_id, want, clean[doc_id])
        text_equal = after == expected
        if family is None:
            unplanted_changed += not text_equal
        else:
            same_text[family] += text_equal
            same_all[family] += text_equal and fields == expected_fields
    print(f"{len(texts):,} documents ({len(planted):,} planted), seed {args.seed}")
    print(f"{'family':22} {'planted':>7} {'text':>6} {'+fields':>7}")
    for family in [*DOCUMENT_FAMILIES, "stripped_diacritics"]:
        print(f"{family:22} {count[family]:7} {same_text[family]:6} {same_all[family]:7}")
    print(f"unplanted documents whose repaired text differs: {unplanted_changed}")
    print(f"validate: {validate_s:.1f} s ({len(texts) / validate_s:,.0f} docs/s); "
          f"fix (validate + repair + write + validate the copy): {fix_s:.1f} s "
          f"({len(texts) / fix_s:,.0f} docs/s); fix/validate = {fix_s / validate_s:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
