"""The figure extractor and the sentence splitter on the distinct paragraphs of a versioned
corpus, this checkout against an earlier one, in one run.

    python benchmarks/figure_paragraphs.py [--documents 10000] [--before REV|DIR] [--runs 3]

Writes the corpus of ``benchmarks/news_corpus.py``'s ``write_versioned_corpus``, cuts each
document's body (its header blanked, as the story check reads it) into the blocks that
``extract_figures_reusing`` and ``split_sentences_reusing`` read apart, and keeps each
distinct block once: the text the story pass must read however much its versions share.
In a subprocess per checkout (this interpreter, the checkout's code on ``PYTHONPATH``) it
times, in CPU seconds of the process (best of ``--runs``), ``extract_figures`` on every
distinct block (with the decimal-comma reading of its document) and
``block_sentence_spans`` on every distinct sentence block, and checks that both
checkouts return the same figures and spans.
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
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.measure import BEFORE_HELP, before_and_after  # noqa: E402
from benchmarks.news_corpus import write_versioned_corpus  # noqa: E402

# Run in the measured checkout's process: its extractor and splitter.
DRIVER = r"""
import hashlib, json, sys, time
from corpus_qa.checks import figures
from corpus_qa.sources.text import body_start_of
from corpus_qa.text import segment

corpus, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
blocks, sentence_blocks = {}, {}
for path in sorted(p for p in __import__("pathlib").Path(corpus).rglob("*.txt")):
    text = path.read_text("utf-8")
    start = body_start_of(text)
    body = " " * start + text[start:]
    comma = figures.decimal_comma(body)
    for s, e in figures._blocks(body):
        blocks.setdefault((body[s:e], comma), None)
    for s, e in segment.sentence_blocks(body):
        sentence_blocks.setdefault(body[s:e], None)

def best(work):
    spent = []
    for _ in range(runs):
        started = time.process_time()
        result = work()
        spent.append(time.process_time() - started)
    return min(spent), result

fig_cpu, found = best(lambda: [figures.extract_figures(b, comma_decimal=c) for b, c in blocks])
split_cpu, spans = best(lambda: [segment.block_sentence_spans(b) for b in sentence_blocks])
digest = hashlib.sha256(repr(([[(f.value, f.kind, f.text, f.span, f.noun, f.unit, f.qualifier)
                                for f in fs] for fs in found], spans)).encode()).hexdigest()
json.dump({"blocks": len(blocks), "chars": sum(len(b) for b, _ in blocks),
           "figures": sum(map(len, found)), "sentence_blocks": len(sentence_blocks),
           "figure_cpu": fig_cpu, "split_cpu": split_cpu, "digest": digest},
          open(out, "w", encoding="utf-8"))
"""


def measure(checkout: Path, corpus: Path, out: Path, runs: int) -> dict:
    """CPU seconds of ``checkout``'s extractor and splitter on ``corpus``'s distinct blocks."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONUTF8": "1"}
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(corpus), str(out), str(runs)],
                          cwd=corpus.parent, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{checkout}: exit {proc.returncode}\n{proc.stderr[-3000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--before", default=None,
                        help=BEFORE_HELP)
    parser.add_argument("--runs", type=int, default=3, help="best of N timings")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="corpus-qa-bench-") as tmp_name:
        tmp = Path(tmp_name)
        checkouts = before_and_after(args.before, tmp / "before")
        corpus = tmp / "corpus"
        write_versioned_corpus(corpus, args.documents)
        measured = {version: measure(checkout, corpus, tmp / f"{version}.json", args.runs)
                    for version, checkout in checkouts.items()}
    after = measured["after"]
    mb = after["chars"] / 1e6
    print(f"{args.documents:,} versioned documents: {after['blocks']:,} distinct figure blocks "
          f"({mb:.1f} M characters, {after['figures']:,} figures), "
          f"{after['sentence_blocks']:,} distinct sentence blocks")
    print(f"{'':8} {'extract_figures CPU s':>22} {'M chars/s':>10} {'split CPU s':>12}")
    for version, m in measured.items():
        print(f"{version:8} {m['figure_cpu']:22.2f} {mb / m['figure_cpu']:10.2f} "
              f"{m['split_cpu']:12.2f}")
    if "before" in measured:
        before = measured["before"]
        same = before["digest"] == after["digest"]
        print(f"before/after: extract_figures {before['figure_cpu'] / after['figure_cpu']:.2f}x, "
              f"split {before['split_cpu'] / after['split_cpu']:.2f}x; "
              f"figures and sentence spans identical: {same}")
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
