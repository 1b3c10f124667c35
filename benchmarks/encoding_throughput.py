"""Throughput of the four encoding expectations through the full runner (GX included),
next to a plain loop calling ``ftfy.badness.is_bad`` on the same documents, in one run.

    .venv/bin/python benchmarks/encoding_throughput.py [--documents 10000] [--verify 30000]

Prints MB/s and documents/s per core (CPU time) for both, their ratio, and peak memory
(RSS) of the run;
then, on one core, the four checks' predicates alone (what the GX metrics call per
document), next to the same ``is_bad`` loop: the per-core figure DESIGN §8 asks for.
Then the same per-core figures on real English prose (this repository's documentation
and seeds, cut into ~3 KB documents, with their curly quotes, dashes, arrows and math
signs), next to the floor (decode and an ``isascii``/NFC check), and last, whether stage 1
of the mojibake check gives ``ftfy.badness.is_bad``'s verdict on each of ``--verify``
generated documents, most of them mis-decoded (``mojibake_confusion.misdecoded_corpus``).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from news_corpus import write_corpus  # noqa: E402

ENCODING_SUITE = """\
name: encoding
expectations:
  - type: expect_document_to_be_valid_utf8
  - type: expect_document_to_have_no_mojibake
  - type: expect_document_to_have_no_control_characters
  - type: expect_document_to_be_unicode_normalized
"""


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the runner's workers): the
    figures are per core and do not depend on how busy the machine is."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--chunk-size", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--verify", type=int, default=30_000,
                        help="generated, mis-decoded documents to compare with ftfy")
    args = parser.parse_args()

    from ftfy.badness import is_bad

    from corpus_qa.runner import Runner
    from corpus_qa.sources import iter_corpus
    from corpus_qa.suite import load_suite

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        size = write_corpus(root, args.documents)
        suite_path = Path(tmp) / "encoding.yml"
        suite_path.write_text(ENCODING_SUITE)
        mb = size / 1e6

        # Baseline: read every file, decode it, call is_bad — nothing else.
        started = _cpu()
        bad = 0
        for item in iter_corpus([root]):
            bad += is_bad(item.text)
        baseline = _cpu() - started

        # The four predicates alone, one core, on the same decoded documents.
        items = [item for item in iter_corpus([root]) if hasattr(item, "text")]
        started = _cpu()
        failing = 0
        for item in items:
            failing += not four_predicates(item.raw, item.text)
        predicates = _cpu() - started

        runner = Runner(load_suite(suite_path), chunk_size=args.chunk_size, workers=args.workers)
        started = _cpu()
        result = runner.run([str(root)])
        full = _cpu() - started

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    n = args.documents
    print(f"corpus: {n:,} documents, {mb:.1f} MB (non-ASCII news text)")
    print("CPU seconds (all processes), MB/s and docs/s per core:")
    print(f"baseline is_bad loop : {baseline:6.2f} s  {mb / baseline:6.2f} MB/s  "
          f"{n / baseline:8.0f} docs/s  (bad={bad})")
    print(f"corpus-qa 4 encoding : {full:6.2f} s  {mb / full:6.2f} MB/s  {n / full:8.0f} docs/s  "
          f"(findings={len(result.findings)})")
    print(f"ratio full/baseline  : {full / baseline:.2f}x the CPU of the bare is_bad loop")
    print(f"4 predicates, 1 core : {predicates:6.2f} s  {mb / predicates:6.2f} MB/s  "
          f"{n / predicates:8.0f} docs/s  (failing={failing}); "
          f"{baseline / predicates:.1f}x the speed of the is_bad loop")
    print(f"peak RSS             : {peak_mb:.0f} MB (main), {child_mb:.0f} MB (largest worker)")
    print(f"workers              : {runner.workers}")
    english_prose()
    verify(args.verify)


def four_predicates(raw: bytes | str, text: str) -> bool:
    """The four encoding predicates on one document, as the runner asks them: the
    document's rare characters (and its shape) found once, for the two checks that
    screen with them."""
    from corpus_qa.checks import encoding

    if not hasattr(encoding, "rare_characters"):  # an earlier version, without the screen
        return (encoding.utf8_ok(raw) and encoding.mojibake_ok(text)
                and encoding.control_characters_ok(text) and encoding.normalized_ok(text))
    if not hasattr(encoding, "screened"):  # an earlier version, without the shape screen
        rare = encoding.rare_characters(text)
        return (encoding.utf8_ok(raw) and encoding.mojibake_ok(text, rare)
                and encoding.control_characters_ok(text, rare) and encoding.normalized_ok(text))
    rare, shape = encoding.screened(text)
    return (encoding.utf8_ok(raw) and encoding.mojibake_ok(text, rare, shape)
            and encoding.control_characters_ok(text, rare) and encoding.normalized_ok(text))


def prose_documents(size: int = 3000) -> list[bytes]:
    """This repository's English prose (docs, README, seeds) in documents of about
    ``size`` bytes, cut at blank lines."""
    sources = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"] + sorted(
        (ROOT / "seeds").glob("*.txt"))
    documents: list[bytes] = []
    for path in sources:
        current = ""
        for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
            current += paragraph + "\n\n"
            if len(current.encode("utf-8")) >= size:
                documents.append(current.encode("utf-8"))
                current = ""
        if current.strip():
            documents.append(current.encode("utf-8"))
    return documents


def _rate(documents: list[bytes], check: Callable[[bytes], object], repeat: int = 3) -> float:
    """MB/s of ``check`` over ``documents`` on one core (best of ``repeat``, CPU time)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for raw in documents:
            check(raw)
        best = min(best, time.process_time() - started)
    return sum(map(len, documents)) / 1e6 / max(best, 1e-9)


def english_prose() -> None:
    from ftfy.badness import is_bad

    documents = prose_documents()

    def four(raw: bytes) -> bool:
        return four_predicates(raw, raw.decode("utf-8", errors="replace"))

    floor = _rate(documents, lambda raw: (lambda t: t.isascii() or unicodedata.is_normalized(
        "NFC", t))(raw.decode("utf-8", errors="replace")))
    bare = _rate(documents, lambda raw: is_bad(raw.decode("utf-8", errors="replace")))
    ours = _rate(documents, four)
    ascii_share = sum(raw.isascii() for raw in documents) / len(documents)
    print(f"English prose        : {len(documents):,} documents, "
          f"{sum(map(len, documents)) / 1e6:.2f} MB, {ascii_share:.0%} of them ASCII")
    print(f"  floor (decode, NFC): {floor:7.1f} MB/s per core")
    print(f"  ftfy is_bad loop   : {bare:7.1f} MB/s per core")
    print(f"  4 predicates       : {ours:7.1f} MB/s per core ({ours / bare:.1f}x the is_bad loop)")


def verify(count: int) -> None:
    from ftfy.badness import is_bad

    from benchmarks.mojibake_confusion import misdecoded_corpus
    from corpus_qa.checks import encoding

    texts = misdecoded_corpus(count, seed=2)
    bad = [is_bad(t) for t in texts]
    differ = sum(encoding.is_bad(t) != b for t, b in zip(texts, bad, strict=True))
    print(f"stage 1 vs ftfy      : {count:,} generated documents ({sum(bad):,} bad for ftfy); "
          f"verdicts differ on {differ}")


if __name__ == "__main__":
    main()
