"""Peak memory of ``corpus-qa validate`` on the largest chained "story" of the small-document
generator, validated alone.

    python benchmarks/story_memory.py [--documents 200000] [--before REV|DIR]

Writes ``--documents`` small news-like documents (``memory_scale.py``'s generator, the same
seed), groups them in this process with the run's own grouper, and writes the documents of
the largest story alone (at 200,000 documents: one story of 2,871, unrelated texts chained
by shared phrasing at threshold 0.3). Then validates that corpus with the default suite in
a subprocess per checkout and prints CPU seconds of the process tree, the peak resident
memory of the tree and of the main process (sampled), the findings by reason and
results.json's size. This checkout runs twice: with the default story limit (the story is
over it: one ``story_too_large`` finding, no cross-version comparison) and with
``--max-story-documents`` raised to the story's size (its versions compared, a window at a
time). ``--before`` is a git revision of this repository (exported with ``git archive``)
or a directory holding an earlier checkout; a checkout without the flag runs once.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.measure import before_and_after, validate  # noqa: E402
from benchmarks.memory_scale import write_small  # noqa: E402

FLAG = "--max-story-documents"


def largest_story(corpus: Path, into: Path) -> int:
    """Write the records of ``corpus``'s largest story to ``into``; its size."""
    from corpus_qa.checks.versions import StoryGrouper

    grouper = StoryGrouper()
    with corpus.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    for record, signature in zip(records, grouper.signatures([r["text"] for r in records]),
                                 strict=True):
        grouper.add_signature(record["id"], signature)
    stories = grouper.several()
    members = set(max(stories, key=lambda s: len(s.documents)).documents if stories
                  else [records[0]["id"]])
    into.parent.mkdir(parents=True, exist_ok=True)
    with into.open("w", encoding="utf-8") as out:
        for record in records:
            if record["id"] in members:
                out.write(json.dumps(record) + "\n")
    return len(members)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=200_000,
                        help="documents generated to find the chain (default 200,000)")
    parser.add_argument("--before", help="a git revision or a checkout directory to compare")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="corpus-qa-story-memory-") as tmp:
        work = Path(tmp)
        generated = work / "all" / "docs.jsonl"
        write_small(generated, args.documents)
        chain = work / "chain" / "docs.jsonl"
        size = largest_story(generated, chain)
        generated.unlink()
        print(f"{args.documents:,} documents generated; the largest story: {size:,} documents "
              f"({chain.stat().st_size / 1e6:.1f} MB), validated alone")
        for label, checkout in before_and_after(args.before, work / "before").items():
            runs = [("", [])]
            if FLAG in (checkout / "corpus_qa" / "cli.py").read_text(encoding="utf-8"):
                limit = str(max(2, size))
                runs = [("default limit", []), (f"{FLAG} {limit}", [FLAG, limit])]
            for what, extra in runs:
                out = work / "out.json"
                run = validate(checkout, chain.parent, out, *extra)
                if run.returncode not in (0, 1):
                    print(run.stderr, file=sys.stderr)
                    return 1
                data = json.loads(out.read_text(encoding="utf-8"))
                reasons = Counter(f["reason"] for f in data["findings"])
                print(f"  {label:<6} {what:<26} exit {run.returncode}  CPU {run.cpu:6.1f} s  "
                      f"peak RSS (tree) {run.peak_rss / 2**20:6.0f} MiB  main RSS "
                      f"{run.peak_main / 2**20:5.0f} MiB  results.json "
                      f"{out.stat().st_size / 2**20:6.1f} MiB  findings "
                      + ", ".join(f"{r} {n:,}" for r, n in sorted(reasons.items())))
                out.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
