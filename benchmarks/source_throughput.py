"""Throughput of each source: the same corpus as a text tree, JSON Lines (plain, gzip,
zstd, bz2, xz) and Parquet, read alone and validated with the four encoding expectations.

    .venv/bin/python benchmarks/source_throughput.py [--documents 10000] [--workers N]

For each format, in one run: the file size, the reader alone (MB/s of decoded text and
documents/s, nothing validated) and the full runner with the encoding suite, each with
its ratio against the text tree measured in the same run (>1: faster than the tree).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for entry in (str(ROOT), str(ROOT / "benchmarks")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

from encoding_throughput import ENCODING_SUITE  # noqa: E402
from news_corpus import write_corpus  # noqa: E402

FORMATS = ["tree", ".jsonl", ".jsonl.gz", ".jsonl.zst", ".jsonl.bz2", ".jsonl.xz", ".parquet"]


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()

    from corpus_qa.documents import Document
    from corpus_qa.runner import Runner
    from corpus_qa.sources import iter_corpus
    from corpus_qa.sources.write import write_records
    from corpus_qa.suite import load_suite

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        tree = base / "tree"
        write_corpus(tree, args.documents)
        records = [{"id": d.id, "text": d.text} for d in iter_corpus([tree])
                   if isinstance(d, Document)]
        text_mb = sum(len(r["text"].encode("utf-8")) for r in records) / 1e6
        paths = {"tree": tree}
        for suffix in FORMATS[1:]:
            paths[suffix] = base / f"shard{suffix}"
            write_records(paths[suffix], records)
        suite_path = base / "encoding.yml"
        suite_path.write_text(ENCODING_SUITE)
        runner = Runner(load_suite(suite_path), workers=args.workers)
        runner.run([str(tree)])  # warm up: imports, worker start-up paid once

        rows = []
        for name, path in paths.items():
            started = time.perf_counter()
            docs = sum(isinstance(d, Document) for d in iter_corpus([path]))
            read_s = time.perf_counter() - started
            started = time.perf_counter()
            result = runner.run([str(path)])
            full_s = time.perf_counter() - started
            assert docs == len(records) == len(result.documents), name
            rows.append((name, _size(path) / 1e6, read_s, full_s, len(result.findings)))

    n = len(records)
    tree_read, tree_full = rows[0][2], rows[0][3]
    print(f"corpus: {n:,} documents, {text_mb:.1f} MB of UTF-8 text; workers {runner.workers}")
    print(f"{'format':12} {'size MB':>8} | {'read MB/s':>9} {'docs/s':>8} {'vs tree':>7} | "
          f"{'encoding MB/s':>13} {'docs/s':>7} {'vs tree':>7} | findings")
    for name, size, read_s, full_s, findings in rows:
        print(f"{name:12} {size:8.1f} | {text_mb / read_s:9.1f} {n / read_s:8.0f} "
              f"{tree_read / read_s:6.2f}x | {text_mb / full_s:13.2f} {n / full_s:7.0f} "
              f"{tree_full / full_s:6.2f}x | {findings}")


if __name__ == "__main__":
    main()
