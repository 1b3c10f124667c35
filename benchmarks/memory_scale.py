"""Peak memory of ``corpus-qa validate`` as the corpus grows: many small documents.

    python benchmarks/memory_scale.py [--documents 20000 200000] [--before REV|DIR]
        [--suite default|encoding] [--single-mb 50] [--stories]

For each size, writes that many small news-like documents (~400 bytes, one JSON Lines
file, distinct stories) and validates them with ``--json`` in a subprocess (this
checkout, and the same at ``--before``, a git revision exported with ``git archive`` or
a directory holding an earlier checkout). Printed per run: CPU seconds of the process
tree, the peak resident memory of the tree (sampled), and results.json in total and per
document. The last line is the ratio of the peak at the largest size to the peak at the
smallest: flat memory keeps it near 1.

The generated texts are short and share a small vocabulary of names, places and verbs,
so the larger the corpus, the more documents chain into one "story" of near-duplicates
(at 200,000 documents: 3,273 stories of several documents, the largest 2,871, over the
default story limit of 1,000: ``benchmarks/story_memory.py`` measures it alone). ``--stories``
groups each corpus in this process first (the run's own grouper) and prints how many
stories of several documents it holds and the largest: read the tree's peak next to it.

With ``--single-mb N``, instead: one document of N MB of news-like sentences (one JSON
Lines record), validated with ``--max-document-bytes`` raised to let it in (the default
limit reports it as an ``input`` finding instead); printed with its peak memory as a
multiple of its size.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.encoding_throughput import ENCODING_SUITE  # noqa: E402
from benchmarks.measure import Run, export_commit, results_size, validate  # noqa: E402
from benchmarks.news_corpus import sentence  # noqa: E402


def write_small(path: Path, count: int, seed: int = 5) -> int:
    """``count`` JSON Lines records of two or three sentences each; the bytes written."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            text = " ".join(sentence(rng) for _ in range(rng.randint(2, 3)))
            out.write(json.dumps({"id": f"d{i:07d}", "text": f"Report {i}. {text}\n",
                                  "date": f"2023-12-{1 + i % 28:02d}"}) + "\n")
    return path.stat().st_size


def write_single(path: Path, megabytes: float, seed: int = 5) -> int:
    """One JSON Lines record whose text is ``megabytes`` MB of sentences; the bytes written."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    target, parts, size = int(megabytes * 1e6), [], 0
    while size < target:
        paragraph = " ".join(sentence(rng) for _ in range(4)) + "\n\n"
        parts.append(paragraph)
        size += len(paragraph.encode("utf-8"))
    text = "".join(parts)
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"id": "big", "text": text, "date": "2023-12-01"},
                             ensure_ascii=False) + "\n")
    return path.stat().st_size


def _single(args: argparse.Namespace, work: Path, checkouts: list[tuple[str, Path]],
            extra: list[str]) -> int:
    corpus = work / "single" / "big.jsonl"
    size = write_single(corpus, args.single_mb)
    limit = ["--max-document-bytes", str(2 * size)]
    print(f"one document of {size / 1e6:.1f} MB (one JSON Lines record), "
          f"--max-document-bytes {2 * size}")
    for label, checkout in checkouts:
        out = work / f"{label}-single.json"
        run = validate(checkout, corpus.parent, out, *extra, *limit)
        if run.returncode not in (0, 1):
            print(run.stderr, file=sys.stderr)
            return 1
        print(f"  {label:<8} exit {run.returncode}  CPU {run.cpu:7.1f} s  peak RSS (tree) "
              f"{run.peak_rss / 2**20:6.0f} MiB = {run.peak_rss / size:5.1f}x the document  "
              f"PSS {run.peak_pss / 2**20:6.0f} MiB = {run.peak_pss / size:5.1f}x  "
              f"main RSS {run.peak_main / 2**20:6.0f} MiB  wall {run.wall:6.0f} s")
    return 0


def story_sizes(corpus: Path) -> tuple[int, int, int]:
    """(stories of several documents, documents in them, the largest) of a written corpus."""
    from corpus_qa.checks.versions import StoryGrouper

    grouper = StoryGrouper()
    with corpus.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    signatures = grouper.signatures([r["text"] for r in records])
    for record, signature in zip(records, signatures, strict=True):
        grouper.add_signature(record["id"], signature)
    del records, signatures
    several = grouper.several()
    return (len(several), sum(len(s.documents) for s in several),
            max((len(s.documents) for s in several), default=1))


def _line(label: str, documents: int, run: Run, out: Path) -> str:
    size = results_size(out)
    return (f"{label:<8} {documents:>9,} docs  exit {run.returncode}  CPU {run.cpu:7.1f} s  "
            f"peak RSS (tree) {run.peak_rss / 2**20:6.0f} MiB  "
            f"PSS {run.peak_pss / 2**20:6.0f} MiB  "
            f"main RSS {run.peak_main / 2**20:6.0f} MiB  wall {run.wall:6.0f} s  results "
            f"{size / 2**20:7.1f} MiB = {size / max(documents, 1) / 1024:5.2f} KiB/doc")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--before", help="a git revision or a checkout directory to compare")
    parser.add_argument("--suite", choices=("default", "encoding"), default="default")
    parser.add_argument("--stories", action="store_true",
                        help="print the stories of several documents each corpus holds")
    parser.add_argument("--single-mb", type=float, metavar="MB",
                        help="measure one document of this many MB instead")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="corpus-qa-memory-") as tmp:
        work = Path(tmp)
        checkouts = [("this", ROOT)]
        if args.before:
            before = Path(args.before)
            if not before.is_dir():
                before = export_commit(args.before, work / "before")
            checkouts.append(("before", before))
        extra: list[str] = []
        if args.suite == "encoding":
            (work / "encoding.yml").write_text(ENCODING_SUITE, encoding="utf-8")
            extra = ["--suite", str(work / "encoding.yml")]
        if args.single_mb:
            return _single(args, work, checkouts, extra)
        peaks: dict[str, list[int]] = {}
        for count in args.documents:
            corpus = work / f"c{count}" / "docs.jsonl"
            size = write_small(corpus, count)
            print(f"{count:,} documents, {size / 1e6:.1f} MB of JSON Lines")
            if args.stories:
                several, members, largest = story_sizes(corpus)
                print(f"  {several:,} stories of several documents ({members:,} documents), "
                      f"the largest of {largest:,}")
            for label, checkout in checkouts:
                out = work / f"{label}-{count}.json"
                run = validate(checkout, corpus.parent, out, *extra)
                if run.returncode not in (0, 1):
                    print(run.stderr, file=sys.stderr)
                    return 1
                print("  " + _line(label, count, run, out))
                peaks.setdefault(label, []).append(run.peak_rss)
                out.unlink(missing_ok=True)
            corpus.unlink()
        if len(args.documents) > 1:
            for label, values in peaks.items():
                print(f"{label}: peak RSS at {args.documents[-1]:,} / at {args.documents[0]:,} "
                      f"documents = {values[-1] / values[0]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
