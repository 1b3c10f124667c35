"""The default suite on distinct stories and on versioned stories, next to baselines
measured in the same run: the entry point for the throughput figures.

    python benchmarks/default_suite.py [--documents 10000] [--before REV|DIR] [--runs 1]
        [--corpus distinct|versioned|both|seeds] [--suite default|encoding|both] [--profile]

Two corpora from ``benchmarks/news_corpus.py`` (``--documents`` each): distinct stories,
and stories of 2–3 versions; ``--corpus seeds`` is real English news instead: the
repository's seed documents, byte for byte, copied under distinct names up to
``--documents`` (the encoding suite only: copies of one text would be one story). On each,
in this order:

* floor: read every file, decode it, ``isascii()`` or ``unicodedata.is_normalized``
  (one core, in this process): the least any check of every character costs;
* ftfy: read, decode, ``ftfy.badness.is_bad`` (one core, in this process);
* ``corpus-qa validate`` with the default suite, this checkout, in a subprocess (its
  worker pool included), and the same at ``--before`` (a git revision of this repository,
  exported with ``git archive``, or a directory holding an earlier checkout);
* the four encoding expectations alone, the same way.

For each: CPU seconds (the whole process tree), MB/s per core (megabytes over CPU
seconds), documents per second (wall), the peak memory of the process tree (sampled; as
the sum of RSS, which counts the pages forked workers share with the parent once per
process, and as the sum of PSS, which divides them: what the tree really holds), and the
size of results.json (total and per document). Each ``corpus-qa validate`` also runs on a
corpus of one document of the same kind: its CPU is the **fixed cost** (start-up, imports,
writing the outputs), and ``(CPU(N) - CPU(1)) / MB`` is the **marginal** throughput per
core, the rate a large corpus sees. Each checkout's ``corpus_qa`` is compiled to bytecode
first, as an installed package is. With ``--before``, the before/after ratios and whether
the findings are identical.

``--profile`` adds, for each corpus and suite, where pass 1's time goes: this checkout's
``corpus-qa validate --workers 1`` under cProfile, its time split by family (imports,
GX, each check family, metadata, reading, row store, signatures, outputs). cProfile
slows Python code more than C code: read the shares, not the seconds. Absolute figures vary with the
machine's load: compare the ratios, which are measured in one run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.encoding_throughput import ENCODING_SUITE  # noqa: E402
from benchmarks.measure import Run, before_and_after, compile_checkout, validate  # noqa: E402
from benchmarks.news_corpus import write_corpus, write_versioned_corpus  # noqa: E402

SEEDS = ROOT / "seeds"


def write_seed_copies(root: Path, count: int, seed: int = 7) -> int:
    """``count`` documents under ``root``, each a seed document byte for byte (in turn);
    return the total bytes written."""
    del seed  # the seeds are what they are
    sources = sorted(SEEDS.glob("*.txt"))
    root.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(count):
        data = sources[i % len(sources)].read_bytes()
        (root / f"{i // 1000:03d}").mkdir(exist_ok=True)
        (root / f"{i // 1000:03d}" / f"seed{i:06d}.txt").write_bytes(data)
        total += len(data)
    return total


CORPORA: dict[str, Callable[[Path, int, int], int]] = {
    "distinct": write_corpus,
    "versioned": write_versioned_corpus,
    "seeds": write_seed_copies,
}
ENCODING_ONLY = {"seeds"}
SUITES = ("default", "encoding")


def _loop(files: list[Path], check: Callable[[str], object]) -> float:
    """CPU seconds of reading, decoding and checking every file in this process."""
    started = time.process_time()
    for path in files:
        check(path.read_bytes().decode("utf-8", errors="replace"))
    return time.process_time() - started


def _floor(text: str) -> bool:
    return text.isascii() or unicodedata.is_normalized("NFC", text)


def _row(label: str, mb: float, documents: int, cpu: float, run: Run | None = None,
         results: int | None = None) -> str:
    cells = [f"{label:34}", f"{cpu:8.2f}", f"{mb / cpu if cpu else 0:9.2f}"]
    if run is not None:
        cells += [f"{documents / run.wall:9.0f}", f"{run.peak_rss / 2**20:8.0f}",
                  f"{run.peak_pss / 2**20:8.0f}" if run.peak_pss else f"{'n/a':>8}"]
    else:
        cells.append(" " * 27)
    if results is not None:
        cells.append(f"{results / 2**20:8.2f} {results / documents / 1024:7.2f}")
    return " ".join(cells)


HEADER = (f"{'':34} {'CPU s':>8} {'MB/s/core':>9} {'docs/s':>9} {'RSS MB':>8} {'PSS MB':>8} "
          f"{'results':>8} {'KB/doc':>7}")



def _same_findings(before: list[dict[str, Any]],
                   after: list[dict[str, Any]]) -> tuple[bool, str]:
    """Whether two runs found the same findings, compared on the fields both write.

    A later version may add fields to each finding (its spans, its line in the text); an
    earlier one is compared on what it wrote, and the fields left out are named.
    """
    fields_before = set().union(*before) if before else set()
    fields_after = set().union(*after) if after else set()
    common = fields_before & fields_after
    extra = sorted(fields_after - fields_before) + sorted(fields_before - fields_after)

    def project(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in item.items() if k in common} for item in items]

    same = project(before) == project(after)
    return same, ("every field" if not extra else
                  "compared on the fields both write; not: " + ", ".join(extra))


def _without_findings(results: dict[str, Any], size: int) -> int:
    """The bytes of a results.json of ``size`` bytes that are not its findings: what a
    corpus whose documents had no findings would write (the documents, the stories, the
    statistics). The findings' share is measured by serialising the file as the runner
    writes it (two-space indent) with and without them."""
    if "findings" not in results:
        return size
    whole = len(json.dumps(results, indent=2, ensure_ascii=False).encode())
    bare = len(json.dumps({**results, "findings": []}, indent=2, ensure_ascii=False).encode())
    return size - (whole - bare)


def _marginal(mb: float, mb_one: float, run: Run, one: Run) -> str:
    """The fixed cost and the marginal throughput of ``run`` (on ``mb`` MB) given ``one``
    (the same command on a corpus of one document, ``mb_one`` MB)."""
    extra = run.cpu - one.cpu
    rate = f"{(mb - mb_one) / extra:.2f} MB/s per core" if extra > 0 else "n/a (no extra CPU)"
    return f"fixed cost (1 document) {one.cpu:.2f} CPU s; marginal {rate}"


def _validated(name: str, checkout: Path, corpus: Path, out: Path, runs: int,
               *extra: str) -> tuple[Run, dict]:
    """The best (least CPU) of ``runs`` runs, and its results.json."""
    best: Run | None = None
    own = checkout / "expectations" / "news.yml"
    if not extra and own.is_file():  # releases before the packaged default read it from cwd
        extra = ("--suite", str(own))
    for _ in range(runs):
        run = validate(checkout, corpus, out, *extra)
        if run.returncode not in (0, 1):
            raise SystemExit(f"{name} ({checkout}): exit {run.returncode}\n{run.stderr[-2000:]}")
        if best is None or run.cpu < best.cpu:
            best = run
    assert best is not None
    return best, json.loads(out.read_text(encoding="utf-8"))


PROFILE_FAMILIES: list[tuple[str, str, str]] = [
    # (label, file the function is in, function): cumulative time of every call
    ("imports: corpus_qa.expectations (GX, pandas)", "corpus_qa/expectations/__init__.py",
     "<module>"),
    ("load the suite (the imports above included)", "corpus_qa/suite.py", "load_suite"),
    ("reading the corpus (sources)", "corpus_qa/sources/corpus.py", "read_file"),
    ("pass 1 (DocumentPass, every chunk)", "corpus_qa/engine/passes.py", "DocumentPass.__call__"),
    ("  GX validation of the chunk", "corpus_qa/engine/scope.py", "validate"),
    ("    the checks GX asks (metric functions)", "corpus_qa/expectations/base.py", "_pandas"),
    ("      boilerplate (furniture classifier included)", "corpus_qa/expectations/boilerplate.py",
     "boilerplate_hits"),
    ("        patterns (find_boilerplate)", "corpus_qa/checks/boilerplate.py", "find_boilerplate"),
    ("        title and byline (find_glued_header)", "corpus_qa/checks/boilerplate.py",
     "find_glued_header"),
    ("        furniture classifier (CueSet.find)", "corpus_qa/checks/furniture.py", "find"),
    ("      possible furniture", "corpus_qa/expectations/boilerplate.py", "_possible_furniture"),
    ("      mojibake", "corpus_qa/checks/encoding.py", "mojibake_ok"),
    ("      control characters", "corpus_qa/checks/encoding.py", "control_characters_ok"),
    ("      valid UTF-8", "corpus_qa/checks/encoding.py", "utf8_ok"),
    ("      Unicode normalization", "corpus_qa/checks/encoding.py", "normalized_ok"),
    ("      paragraphs (flattened)", "corpus_qa/expectations/boilerplate.py", "_flattened"),
    ("      metadata: missing fields", "corpus_qa/expectations/metadata.py", "_missing"),
    ("      metadata: dates", "corpus_qa/expectations/metadata.py", "_invalid_date"),
    ("    hits of failing rows (explain)", "corpus_qa/engine/scope.py", "_collect"),
    ("      findings placed (excerpt, line)", "corpus_qa/results.py", "place"),
    ("  metadata resolution", "corpus_qa/metadata.py", "resolve"),
    ("  story signatures (MinHash)", "corpus_qa/checks/versions.py", "signatures"),
    ("  corpus pre-passes", "corpus_qa/expectations/boilerplate.py", "prepare"),
    ("  row store (compress, write)", "corpus_qa/engine/rowstore.py", "put"),
    ("story grouping (LSH)", "corpus_qa/checks/versions.py", "groups"),
    ("corpus pass", "corpus_qa/engine/passes.py", "corpus_pass"),
    ("results.json", "corpus_qa/results.py", "write_json"),
]


def _profile(checkout: Path, corpus: Path, out: Path, *extra: str) -> str:
    """Pass 1's time by family: ``corpus-qa validate --workers 1`` under cProfile."""
    import os
    import pstats
    import subprocess

    stats = out.with_suffix(".prof")
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONUTF8": "1"}
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "corpus_qa.cli",
                    "validate", str(corpus), "--workers", "1", "--json", str(out), "-q",
                    *extra], cwd=corpus.parent, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    table = pstats.Stats(str(stats)).stats  # type: ignore[attr-defined]
    total = max(ct for (_, _, name), (_, _, _, ct, _) in table.items() if name == "<module>")

    from corpus_qa.engine.passes import DocumentPass

    lines_of = {"DocumentPass.__call__": DocumentPass.__call__.__code__.co_firstlineno}

    def cumulative(path: str, function: str) -> float:
        name, line = function.rsplit(".", 1)[-1], lines_of.get(function)
        return sum(ct for (file, at, fn), (_, _, _, ct, _) in table.items()
                   if fn == name and file.replace(os.sep, "/").endswith(path)
                   and line in (None, at))

    lines = [f"{'pass 1 profile (cProfile, --workers 1)':46} {'s':>7} {'share':>6}",
             f"{'the whole process':46} {total:7.2f} {1:6.0%}"]
    for label, path, function in PROFILE_FAMILIES:
        seconds = cumulative(path, function)
        if seconds:
            lines.append(f"{label:46} {seconds:7.2f} {seconds / total:6.0%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000,
                        help="documents in each corpus (default 10,000)")
    parser.add_argument("--before", default=None,
                        help="an earlier version to compare with: a git revision of this "
                             "repository, or a directory holding its checkout")
    parser.add_argument("--runs", type=int, default=1, help="best of N runs of each validate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--corpus", choices=[*CORPORA, "both"], default="both",
                        help="which corpus (default: both: distinct and versioned; seeds: "
                             "copies of the seed documents, encoding suite only)")
    parser.add_argument("--suite", choices=[*SUITES, "both"], default="both",
                        help="which suite to run through corpus-qa (default: both)")
    parser.add_argument("--profile", action="store_true",
                        help="also print pass 1's time by family (cProfile, one worker)")
    args = parser.parse_args(argv)

    from ftfy.badness import is_bad

    with tempfile.TemporaryDirectory(prefix="corpus-qa-bench-") as tmp_name:
        tmp = Path(tmp_name)
        checkouts = before_and_after(args.before, tmp / "before")
        for checkout in checkouts.values():
            compile_checkout(checkout)  # as an installed package is (see compile_checkout)
        suite = tmp / "encoding.yml"
        suite.write_text(ENCODING_SUITE, encoding="utf-8")
        identical = True
        print(f"{args.documents:,} documents per corpus; "
              + ", ".join(f"{k}: {v}" for k, v in checkouts.items()))
        for name, write in CORPORA.items():
            if args.corpus != name and (args.corpus != "both" or name in ENCODING_ONLY):
                continue
            corpus = tmp / name / "corpus"
            size = write(corpus, args.documents, args.seed)
            files = sorted(corpus.rglob("*.txt"))
            mb = size / 1e6
            single = tmp / name / "one" / "corpus"
            mb_one = write(single, 1, args.seed) / 1e6
            print(f"\n{name} stories: {len(files):,} documents, {mb:.1f} MB")
            print(HEADER)
            floor = _loop(files, _floor)
            print(_row("floor: decode + isascii/NFC", mb, len(files), floor))
            bare = _loop(files, is_bad)
            print(_row("ftfy.badness.is_bad loop", mb, len(files), bare))
            measured: dict[str, Run] = {}
            findings: dict[str, list] = {}
            suites = [f"{s} suite" for s in SUITES if args.suite in (s, "both")
                      and (s == "encoding" or name not in ENCODING_ONLY)]
            for label in suites:
                extra = ("--suite", str(suite)) if label == "encoding suite" else ()
                for version, checkout in checkouts.items():
                    out = corpus.parent / f"{version}-{label.split()[0]}.json"
                    run, results = _validated(version, checkout, corpus, out, args.runs, *extra)
                    one, _ = _validated(version, checkout, single, single.parent / "out.json",
                                        args.runs, *extra)
                    measured[f"{label} {version}"] = run
                    measured[f"{label} {version} one"] = one
                    findings[f"{label} {version}"] = results.get("findings", [])
                    print(_row(f"{label}, {version}", mb, len(files), run.cpu, run,
                               out.stat().st_size))
                    print(f"{'':36}{_marginal(mb, mb_one, run, one)}")
                    kb = _without_findings(results, out.stat().st_size) / len(files) / 1024
                    print(f"{'':36}results.json without its findings: {kb:.2f}"
                          f" KB/doc ({len(results.get('findings', [])):,} findings)")
                    if args.profile and version == "after":
                        print(_profile(checkout, corpus, corpus.parent / "profiled.json",
                                       *extra))
            for label in suites:
                after = measured[f"{label} after"]
                print(f"{label}: {mb / after.cpu:.2f} MB/s per core, {bare / after.cpu:.2f}x "
                      f"the bare is_bad loop's speed, {floor / after.cpu:.3f}x the floor's; "
                      + _marginal(mb, mb_one, after, measured[f"{label} after one"]))
                if "before" in checkouts:
                    before = measured[f"{label} before"]
                    same, fields = _same_findings(findings[f"{label} before"],
                                                  findings[f"{label} after"])
                    identical &= same
                    pss = (f"{before.peak_pss / after.peak_pss:.2f}x" if after.peak_pss
                           else "n/a")
                    print(f"{label}: before/after CPU {before.cpu / after.cpu:.2f}x, wall "
                          f"{before.wall / after.wall:.2f}x, peak RSS "
                          f"{before.peak_rss / after.peak_rss:.2f}x, peak PSS {pss}; "
                          f"findings identical: {same} "
                          f"({len(findings[f'{label} after']):,} findings; {fields})")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
