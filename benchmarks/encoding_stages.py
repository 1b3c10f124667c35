"""Where the encoding suite's time goes, stage by stage, in CPU seconds of one core.

    python benchmarks/encoding_stages.py [--documents 10000] [--corpus news|prose]

On the generated news corpus (``benchmarks/news_corpus.py``, seed 7) or on real English
prose (this repository's docs, README and seeds, ~3 KB documents, repeated up to
``--documents``), each stage of a run of the four encoding expectations is timed on its
own, in this process (CPU time, best of ``--repeat``):

* the walk (the main process): the corpus tree listed, each file ``lstat``-ed and cut
  into batches of files (``Walk(read=False)``, ``file_batches``), as the runner does;
* reading (the workers): each batch's files read, decoded and their headers parsed
  (``read_and_validate`` with nothing validated);
* the four predicates alone, as the runner asks them (the screen found once per row);
* pass 1 on each chunk (``DocumentPass``, as a worker runs it): GX validating the rows
  (``ScopeValidator.validate``: the predicates above and GX's work around them), and the
  rest (rows kept in the row store, records);
* to the workers and back: pickling each batch of files (what goes to a worker: paths,
  never texts) and unpickling it, and the same for the chunks' results;
* results.json: the verdict, the JSON form, writing it;

then a whole run (``Runner``, the outputs left out) with one worker (in this process) and
with two (the main process and the workers apart: ``getrusage``), and its throughput.
"""

from __future__ import annotations

import argparse
import pickle
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.encoding_throughput import (  # noqa: E402
    ENCODING_SUITE,
    four_predicates,
    prose_documents,
)
from benchmarks.news_corpus import write_corpus  # noqa: E402


def write_prose(root: Path, count: int) -> int:
    """``count`` documents of this repository's English prose under ``root``."""
    documents = prose_documents()
    total = 0
    for i in range(count):
        folder = root / f"{i // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        data = documents[i % len(documents)]
        (folder / f"prose{i:06d}.txt").write_bytes(data)
        total += len(data)
    return total


def _best(work: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def _usage(who: int) -> float:
    used = resource.getrusage(who)
    return used.ru_utime + used.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--corpus", choices=["news", "prose"], default="news")
    parser.add_argument("--chunk-size", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)

    from corpus_qa.engine.passes import ChunkResult, DocumentPass
    from corpus_qa.engine.pool import chunks
    from corpus_qa.engine.reading import file_batches, read_and_validate
    from corpus_qa.gate import gate
    from corpus_qa.results import write_json
    from corpus_qa.runner import Runner
    from corpus_qa.sources.base import SourceCounts
    from corpus_qa.sources.corpus import Walk
    from corpus_qa.suite import load_suite

    with tempfile.TemporaryDirectory(prefix="corpus-qa-stages-") as tmp_name:
        tmp = Path(tmp_name)
        corpus = tmp / "corpus"
        writer = write_corpus if args.corpus == "news" else write_prose
        mb = writer(corpus, args.documents) / 1e6
        (tmp / "one").mkdir()
        writer(tmp / "one" / "corpus", 1)
        suite_path = tmp / "encoding.yml"
        suite_path.write_text(ENCODING_SUITE, encoding="utf-8")
        suite = load_suite(suite_path)
        Runner(suite, workers=1).run([str(tmp / "one" / "corpus")])  # lazy imports, GX set-up

        documents: list = []
        rows: list[tuple[str, float]] = []
        files: list = []

        def walk() -> None:  # the main process
            walked = Walk([str(corpus)], suite.fields, None, SourceCounts(), False, (),
                          read=False).items()
            files[:] = list(file_batches(walked, suite.fields, args.chunk_size))

        def read() -> None:  # the workers
            documents.clear()

            def kept(job: tuple[int, list]) -> ChunkResult:
                documents.extend(job[1])
                return ChunkResult()

            for batch in files:
                read_and_validate(batch, kept)

        rows.append(("walk, cut into batches of files (main)", _best(walk, args.repeat)))
        rows.append(("reading: read, decode, header (workers)", _best(read, args.repeat)))
        batches = list(chunks(documents, args.chunk_size))
        rows.append(("the 4 predicates alone", _best(
            lambda: [four_predicates(d.raw, d.text) for d in documents], args.repeat)))
        document_pass = DocumentPass(suite).storing_in(str(tmp))
        validator = document_pass.validator
        inner, in_gx = validator.validate, [0.0]

        def timed(*args: object) -> object:  # GX's share of pass 1, timed where it runs
            started = time.process_time()
            try:
                return inner(*args)  # type: ignore[arg-type]
            finally:
                in_gx[0] += time.process_time() - started

        validator.validate = timed  # type: ignore[method-assign]
        numbers = iter(range(1 << 30))
        parts: list = []
        best = (float("inf"), 0.0)
        for _ in range(args.repeat):
            in_gx[0], started = 0.0, time.process_time()
            parts[:] = [document_pass((next(numbers), b)) for b in batches]
            best = min(best, (time.process_time() - started, in_gx[0]))
        rows.append(("pass 1: GX validation of the chunks", best[1]))
        rows.append(("pass 1 apart from GX (row store, records)", best[0] - best[1]))
        sent = [pickle.dumps(b, protocol=pickle.HIGHEST_PROTOCOL) for b in files]
        rows.append(("files to a worker (pickle + unpickle)", _best(
            lambda: [pickle.loads(pickle.dumps(b, protocol=pickle.HIGHEST_PROTOCOL))
                     for b in files], args.repeat)))
        rows.append(("chunk results back (pickle + unpickle)", _best(
            lambda: [pickle.loads(pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL))
                     for p in parts], args.repeat)))
        result = Runner(suite, workers=1).run([str(corpus)])

        def outputs() -> None:
            write_json(result.to_json(gate(result)), tmp / "results.json")

        rows.append(("results.json (verdict, JSON, write)", _best(outputs, args.repeat)))

        print(f"{args.corpus}: {len(documents):,} documents, {mb:.1f} MB; batches of files "
              f"to the workers: {sum(map(len, sent)) / 1e6:.2f} MB pickled")
        print(f"{'stage':46} {'CPU s':>7} {'MB/s':>8}")
        for label, seconds in rows:
            rate = f"{mb / seconds:8.1f}" if seconds > 0 else f"{'-':>8}"
            print(f"{label:46} {seconds:7.3f} {rate}")
        for workers in (1, 2):
            main_before, children_before = (_usage(resource.RUSAGE_SELF),
                                            _usage(resource.RUSAGE_CHILDREN))
            Runner(suite, workers=workers, chunk_size=args.chunk_size).run([str(corpus)])
            main_cpu = _usage(resource.RUSAGE_SELF) - main_before
            workers_cpu = _usage(resource.RUSAGE_CHILDREN) - children_before
            total = main_cpu + workers_cpu
            print(f"{f'runner, {workers} worker(s): main + workers':46} {total:7.3f} "
                  f"{mb / total:8.1f}   (main {main_cpu:.2f}, workers {workers_cpu:.2f}; "
                  "user + system)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
