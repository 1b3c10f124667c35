"""Throughput of the four encoding expectations through the full runner (GX included),
next to a plain loop calling ``ftfy.badness.is_bad`` on the same documents, in one run.

    .venv/bin/python benchmarks/encoding_throughput.py [--documents 10000]

Prints MB/s and documents/s for both, their ratio, and peak memory (RSS) of the run;
then, on one core, the four checks' predicates alone (what the GX metrics call per
document), next to the same ``is_bad`` loop: the per-core figure DESIGN §8 asks for.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from news_corpus import write_corpus  # noqa: E402

ENCODING_SUITE = """\
name: encoding
expectations:
  - type: expect_document_to_be_valid_utf8
  - type: expect_document_to_have_no_mojibake
  - type: expect_document_to_have_no_control_characters
  - type: expect_document_to_be_unicode_normalized
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--chunk-size", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=None)
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
        started = time.perf_counter()
        bad = 0
        for item in iter_corpus([root]):
            bad += is_bad(item.text)
        baseline = time.perf_counter() - started

        # The four predicates alone, one core, on the same decoded documents.
        from corpus_qa.checks import encoding

        items = [item for item in iter_corpus([root]) if hasattr(item, "text")]
        started = time.perf_counter()
        failing = 0
        for item in items:
            failing += not (encoding.utf8_ok(item.raw) and encoding.mojibake_ok(item.text)
                            and encoding.control_characters_ok(item.text)
                            and encoding.normalized_ok(item.text))
        predicates = time.perf_counter() - started

        runner = Runner(load_suite(suite_path), chunk_size=args.chunk_size, workers=args.workers)
        started = time.perf_counter()
        result = runner.run([str(root)])
        full = time.perf_counter() - started

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    n = args.documents
    print(f"corpus: {n:,} documents, {mb:.1f} MB (non-ASCII news text)")
    print(f"baseline is_bad loop : {baseline:6.2f} s  {mb / baseline:6.2f} MB/s  "
          f"{n / baseline:8.0f} docs/s  (bad={bad})")
    print(f"corpus-qa 4 encoding : {full:6.2f} s  {mb / full:6.2f} MB/s  {n / full:8.0f} docs/s  "
          f"(findings={len(result.findings)})")
    print(f"ratio full/baseline  : {full / baseline:.2f}x the time of the bare is_bad loop")
    print(f"4 predicates, 1 core : {predicates:6.2f} s  {mb / predicates:6.2f} MB/s  "
          f"{n / predicates:8.0f} docs/s  (failing={failing}); "
          f"{baseline / predicates:.1f}x the speed of the is_bad loop")
    print(f"peak RSS             : {peak_mb:.0f} MB (main), {child_mb:.0f} MB (largest worker)")
    print(f"workers              : {runner.workers}")


if __name__ == "__main__":
    main()
