"""Story signatures: numpy (``StoryGrouper.signatures``) against the datasketch baseline.

The baseline is what corpus-qa did before (datasketch ``MinHash`` with CRC-32 over the
joined word 3-shingles of ``grouping_words``, one ``update_batch`` per text); it needs
datasketch, which corpus-qa no longer depends on (``pip install datasketch``). Both run
in this process on the same texts, interleaved, ``--rounds`` times; CPU time.

    python benchmarks/signature_speed.py [CORPUS_DIR] [--documents 1000] [--rounds 3]

Without a corpus directory, news-sized documents of ``benchmarks/news_corpus.py`` are
generated in memory. Not a timed test.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.news_corpus import document  # noqa: E402
from corpus_qa.checks.versions import StoryGrouper, grouping_words  # noqa: E402


def baseline_signer(num_perm: int, shingle_words: int):  # type: ignore[no-untyped-def]
    """The previous signature: datasketch MinHash over CRC-32 of each shingle string."""
    from datasketch import MinHash

    template = MinHash(num_perm=num_perm, seed=1, hashfunc=zlib.crc32)

    def sign(text: str) -> object:
        words = grouping_words(text)
        if not words:
            return None
        k = min(shingle_words, len(words))
        shingles = {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}
        minhash = template.copy()
        minhash.update_batch([shingle.encode() for shingle in shingles])
        return minhash.hashvalues

    return sign


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", help="a directory of .txt files (default: generated)")
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.corpus:
        files = sorted(Path(args.corpus).rglob("*.txt"))[: args.documents]
        texts = [f.read_bytes().decode("utf-8", "replace") for f in files]
    else:
        rng = random.Random(7)
        texts = [document(rng) for _ in range(args.documents)]
    grouper = StoryGrouper()
    grouper.signatures(texts[:8])  # build the tables once, outside the timing
    try:
        baseline = baseline_signer(grouper.num_perm, grouper.shingle_words)
    except ImportError:
        baseline = None
    ours = old = 0.0
    for _ in range(args.rounds):
        if baseline is not None:
            start = time.process_time()
            for text in texts:
                baseline(text)
            old += time.process_time() - start
        start = time.process_time()
        grouper.signatures(texts)
        ours += time.process_time() - start
    n = args.rounds * len(texts)
    megabytes = args.rounds * sum(len(t.encode()) for t in texts) / 1e6
    print(f"{len(texts)} texts, {megabytes / args.rounds:.1f} MB, {args.rounds} rounds, CPU time")
    print(f"numpy signatures     : {ours / n * 1e6:7.0f} µs/doc {megabytes / ours:7.1f} MB/s")
    if baseline is None:
        print("datasketch baseline  : not installed (pip install datasketch)")
        return
    print(f"datasketch baseline  : {old / n * 1e6:7.0f} µs/doc {megabytes / old:7.1f} MB/s")
    print(f"ratio                : ×{old / ours:.1f}")


if __name__ == "__main__":
    main()
