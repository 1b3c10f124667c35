"""Peak memory of ``corpus-qa validate`` on a shard directory of a given size.

    .venv/bin/python benchmarks/shard_memory.py [--gb 1.0] [--shards 16] [--suite encoding]

Writes ``--shards`` ``.jsonl.zst`` shards holding ``--gb`` GB of uncompressed UTF-8 text
(~3 KB news-like documents, each a distinct draw of sentences) into a temporary
directory, runs ``corpus-qa validate DIR`` in a child process and samples, every 0.1 s,
the resident memory of that process and every process below it (the worker pool). The
directory is deleted afterwards (``--keep`` keeps it).

Printed: the corpus (documents, text GB, compressed GB), the run (seconds, documents/s,
MB/s of text) and the peak of the process tree, as the sum of RSS (an upper bound: pages
shared between the parent and the forked workers count once per process) and as the sum
of PSS (shared pages divided among the processes that share them), read from /proc
(Linux only).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for entry in (str(ROOT), str(ROOT / "benchmarks")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

from encoding_throughput import ENCODING_SUITE  # noqa: E402
from measure import TreeSampler  # noqa: E402
from news_corpus import sentence  # noqa: E402

SENTENCES = 20_000
"""Distinct sentences drawn once; each document is its own random draw of ~20 of them."""


def documents(total_bytes: int, seed: int = 11) -> Iterator[dict[str, str]]:
    """Records of ~3 KB until ``total_bytes`` of UTF-8 text have been produced."""
    rng = random.Random(seed)
    pool = [sentence(rng) for _ in range(SENTENCES)]
    made = n = 0
    while made < total_bytes:
        paragraphs = [" ".join(rng.choices(pool, k=rng.randint(2, 4))) for _ in range(6)]
        text = f"Report {n}. " + "\n\n".join(paragraphs) + "\n"
        made += len(text.encode("utf-8"))
        yield {"id": f"doc{n:07d}", "text": text}
        n += 1


def write_shards(target: Path, total_bytes: int, shards: int) -> tuple[int, int]:
    """Write the shards; return (documents, text bytes)."""
    from corpus_qa.sources.write import write_records

    per_shard = total_bytes // shards + 1
    stream = documents(total_bytes)
    count = text = 0
    for index in range(shards):
        def part() -> Iterator[dict[str, str]]:
            nonlocal count, text
            size = 0
            for record in stream:
                count += 1
                length = len(record["text"].encode("utf-8"))
                size += length
                text += length
                yield record
                if size >= per_shard:
                    return

        write_records(target / f"part-{index:05d}.jsonl.zst", part())
    return count, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gb", type=float, default=1.0, help="GB of uncompressed text")
    parser.add_argument("--shards", type=int, default=16)
    parser.add_argument("--suite", default="encoding",
                        help="'encoding' (the four encoding expectations) or a suite path / "
                        "builtin: name")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the generated shards")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="corpus-qa-shard-memory-"))
    try:
        shards = work / "shards"
        started = time.perf_counter()
        count, text = write_shards(shards, int(args.gb * 1e9), args.shards)
        written_s = time.perf_counter() - started
        compressed = sum(p.stat().st_size for p in shards.iterdir())
        suite = args.suite
        if suite == "encoding":
            suite = str(work / "encoding.yml")
            Path(suite).write_text(ENCODING_SUITE, encoding="utf-8")
        command = [sys.executable, "-m", "corpus_qa.cli", "validate", str(shards),
                   "--suite", suite, "-q", "--json", str(work / "results.json")]
        if args.workers:
            command += ["--workers", str(args.workers)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        sampler = TreeSampler(proc.pid, every=0.1)
        sampler.start()
        out, err = proc.communicate()
        run_s = time.perf_counter() - started
        sampler.finish()
        if proc.returncode not in (0, 1):
            sys.exit(f"validate exited {proc.returncode}:\n{out}\n{err}")
        data = json.loads((work / "results.json").read_text(encoding="utf-8"))
        validated = data["statistics"]["documents"]
        assert validated == count, (validated, count)
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print(f"corpus: {count:,} documents in {args.shards} .jsonl.zst shards, {text / 1e9:.3f} GB "
          f"of text, {compressed / 1e9:.3f} GB compressed (written in {written_s:.0f}s)")
    print(f"validate --suite {args.suite}: exit {proc.returncode}, {run_s:.0f}s, "
          f"{count / run_s:,.0f} docs/s, {text / 1e6 / run_s:.1f} MB/s of text")
    print(f"peak memory of the process tree ({sampler.peak_processes} processes at most): "
          f"RSS sum {sampler.peak_rss / 2**20:,.0f} MiB, PSS sum {sampler.peak_pss / 2**20:,.0f} "
          f"MiB")


if __name__ == "__main__":
    main()
