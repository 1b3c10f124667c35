"""Pass 1's per-document checks on distinct stories, family by family, in CPU µs per
document, this checkout next to an earlier one measured in turn in the same run.

    python benchmarks/pass1_families.py [--documents 2000] [--before REV|DIR] [--rounds 2]

On a corpus of distinct stories (``benchmarks/news_corpus.py``, seeded), read as the
workers read it, each family is called alone on every document (best of ``--repeat``):
the boilerplate patterns (``find_boilerplate``), the glued title and byline, the
furniture classifier (``CueSet.find``), metadata resolution, the date check, the two
metadata expectations, the repeated-line hashes (the corpus pre-pass), the story
signatures (MinHash), the row store (each document's row and line hashes written); then
pass 1 itself (``DocumentPass`` on 2,000-document chunks, the heap frozen as in a
worker), per document, and per chunk of one document (GX's fixed cost of a chunk). With ``--before``
(a git revision of this repository, exported with ``git archive``, or a directory
holding an earlier checkout) the two checkouts run in turn, ``--rounds`` times, each in
its own interpreter, so the machine's load falls on both alike: read the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path and "--measure" not in sys.argv:
    sys.path.insert(0, str(ROOT))  # a measuring child imports the checkout on PYTHONPATH

FAMILIES = ("find_boilerplate", "glued header", "CueSet.find", "metadata resolve",
            "date check", "metadata expectations", "repeated-line hashes", "story signatures",
            "row store", "pass 1 (DocumentPass)", "pass 1 per chunk (1 document)")


def measure(corpus: Path, documents: int, repeat: int) -> dict[str, float]:
    """µs of CPU per document of each family, with the ``corpus_qa`` on ``sys.path``."""
    import gc
    import time

    from corpus_qa import metadata as md
    from corpus_qa.checks import boilerplate as bp
    from corpus_qa.checks import furniture as fu
    from corpus_qa.engine.passes import ChunkResult, DocumentPass, new_grouper
    from corpus_qa.engine.reading import file_batches, read_and_validate
    from corpus_qa.engine.rows import credits_of, stored_row
    from corpus_qa.engine.rowstore import RowStore
    from corpus_qa.expectations import metadata as em
    from corpus_qa.expectations.base import recording
    from corpus_qa.sources.base import SourceCounts
    from corpus_qa.sources.corpus import Walk
    from corpus_qa.suite import load_suite

    suite = load_suite("builtin:news.yml")
    docs: list = []

    def kept(job: tuple[int, list]) -> ChunkResult:
        docs.extend(job[1])
        return ChunkResult()

    walked = Walk([str(corpus)], suite.fields, None, SourceCounts(), False, (),
                  read=False).items()
    for batch in file_batches(walked, suite.fields, 2000):
        read_and_validate(batch, kept)
    docs = docs[:documents]
    phrases = suite.load_phrases()
    patterns = bp.load_default_patterns()
    cues = fu.load_default_cues()
    counter = bp.RepeatedLineCounter()
    resolved = [md.resolve(d, phrases) for d in docs]
    rows = [m.to_row() for m in resolved]
    grouper = new_grouper(suite)
    bodies = [d.text[d.body_start:] for d in docs]
    stored = [stored_row(d, r, credits_of(m, phrases))
              for d, r, m in zip(docs, rows, resolved, strict=True)]
    prepared = [{"lines": [[h, s, e] for h, (s, e) in counter.line_hashes(d.text, d.body_start)],
                 "credits": []} for d in docs]
    store_dir = tempfile.TemporaryDirectory(prefix="corpus-qa-pass1-store-")
    rows_kept, chunk = RowStore(store_dir.name), iter(range(10**6))

    def metadata_expectations() -> None:
        with recording():  # as while GX validates a chunk: the two share each row's metadata
            for row in rows:
                em._missing(row, ["date", "source", "attribution"])
                em._invalid_date(row, None, None)

    def row_store() -> None:
        with rows_kept.writer(next(chunk)) as put:
            for row, pre in zip(stored, prepared, strict=True):
                put(row)
                put(pre)

    work = {
        "find_boilerplate": lambda: [bp.find_boilerplate(d.text, patterns,
                                                         body_start=d.body_start) for d in docs],
        "glued header": lambda: [bp.find_glued_header(d.text, body_start=d.body_start)
                                 for d in docs],
        "CueSet.find": lambda: [cues.find(d.text, body_start=d.body_start) for d in docs],
        "metadata resolve": lambda: [md.resolve(d, phrases) for d in docs],
        "date check": lambda: [md.check_date_valid(m) for m in resolved],
        "metadata expectations": metadata_expectations,
        "repeated-line hashes": lambda: [counter.line_hashes(d.text, d.body_start)
                                         for d in docs],
        "story signatures": lambda: grouper.signatures(bodies),
        "row store": row_store,  # each document's stored row and line hashes, written
    }
    out: dict[str, float] = {}
    for name, run in work.items():
        run()
        best = float("inf")
        for _ in range(repeat):
            started = time.process_time()
            run()
            best = min(best, time.process_time() - started)
        out[name] = best / len(docs) * 1e6
    with tempfile.TemporaryDirectory(prefix="corpus-qa-pass1-") as store:
        document_pass = DocumentPass(suite).storing_in(store)
        document_pass((0, docs[:20]))  # lazy imports, compiled alternations
        gc.freeze()  # as in a worker: what was loaded before is out of the collector's reach
        chunks = [docs[i:i + 2000] for i in range(0, len(docs), 2000)]
        best, number = float("inf"), 1
        for _ in range(repeat):
            started = time.process_time()
            for chunk in chunks:
                number += 1
                document_pass((number, chunk))
            best = min(best, time.process_time() - started)
        out["pass 1 (DocumentPass)"] = best / len(docs) * 1e6
        # GX's fixed cost per chunk (what a chunk costs beyond its documents), in µs:
        # chunks of one document
        best, alone = float("inf"), docs[:50]
        for _ in range(repeat):
            started = time.process_time()
            for doc in alone:
                number += 1
                document_pass((number, [doc]))
            best = min(best, time.process_time() - started)
        out["pass 1 per chunk (1 document)"] = best / len(alone) * 1e6
    rows_kept.close()
    store_dir.cleanup()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    # The help is spelled here, not imported from benchmarks.measure (its BEFORE_HELP):
    # a measuring child runs this parser with an earlier checkout's benchmarks first on
    # its path, which may not have it.
    parser.add_argument("--before", default=None,
                        help="an earlier version: a git revision of this repository, or a "
                             "directory holding its checkout")
    parser.add_argument("--rounds", type=int, default=2, help="each checkout in turn, N times")
    parser.add_argument("--repeat", type=int, default=3, help="best of N within a round")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--measure", default=None, help=argparse.SUPPRESS)  # CORPUS (a child)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.documents, args.repeat)))
        return 0

    from benchmarks.measure import before_and_after
    from benchmarks.news_corpus import write_corpus

    with tempfile.TemporaryDirectory(prefix="corpus-qa-families-") as tmp_name:
        tmp = Path(tmp_name)
        corpus = tmp / "corpus"
        megabytes = write_corpus(corpus, args.documents, args.seed) / 1e6
        checkouts = before_and_after(args.before, tmp / "before")
        print(f"{args.documents:,} distinct stories, {megabytes:.1f} MB; "
              + ", ".join(f"{k}: {v}" for k, v in checkouts.items()))
        rounds: dict[str, list[dict[str, float]]] = {k: [] for k in checkouts}
        for _ in range(args.rounds):
            for version, checkout in checkouts.items():
                env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONUTF8": "1"}
                child = subprocess.run(
                    [sys.executable, str(Path(__file__).resolve()), "--measure", str(corpus),
                     "--documents", str(args.documents), "--repeat", str(args.repeat)],
                    cwd=checkout, env=env, capture_output=True, text=True, check=True)
                rounds[version].append(json.loads(child.stdout.splitlines()[-1]))
        print(f"{'µs of CPU per document (each round)':40} "
              + "  ".join(f"{v:>18}" for v in checkouts))
        for family in FAMILIES:
            cells = ["–".join(f"{r[family]:.1f}" for r in rounds[v]) for v in checkouts]
            print(f"{family:40} " + "  ".join(f"{c:>18}" for c in cells))
        if "before" in checkouts:
            for family in FAMILIES:
                before = min(r[family] for r in rounds["before"])
                after = min(r[family] for r in rounds["after"])
                print(f"{family}: before/after {before / after:.2f}x (best rounds)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
