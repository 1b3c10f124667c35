"""The story pass alone (pass 2: the cross-version checks), this checkout against an
earlier one, in one run.

    python benchmarks/story_checks.py [--documents 4000] [--corpus versioned|planted|both]
        [--before REV|DIR] [--runs 1] [--profile DIR]

Writes a corpus of stories in several versions (``benchmarks/news_corpus.py``'s
``write_versioned_corpus``, and/or ``benchmarks/planted_corpus.py``'s corpus, whose stories
carry every defect family) and validates it with the default suite, with one worker, in a
subprocess per checkout (this interpreter, the checkout's code on ``PYTHONPATH``). Inside
that subprocess the story pass (``StoryPass.__call__``) is timed on its own, in CPU
seconds of the process (``time.process_time``): the document pass, grouping and the corpus
pass are run but not counted. Prints, per corpus, the story pass's CPU seconds and stories
per CPU second for each checkout, the before/after ratio, and whether the findings of the
two runs are identical. ``--before`` is a git revision of this repository (exported with
``git archive``: the repository is not touched) or a directory holding an earlier checkout.
``--profile DIR`` writes a cProfile of each checkout's story pass to DIR.

``--stages`` also prints, for this checkout, where the story pass's CPU goes: the stories'
cells (as the pass reads them) are kept during the run, then each stage is timed over
all of them in the same process — reading the versions' rows, the figure check (figure
extraction, sentence sides, alignment and pairing, the shown tables as JSON), the
diacritics, metadata and credit-line checks — and the distinct paragraphs of each story
(the blocks the extractor reads apart) are split into those every version of the story
has and the others, with the CPU of extracting and splitting each group once.
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
from benchmarks.planted_corpus import write as write_planted  # noqa: E402

# Run in the measured checkout's process: its Runner, its StoryPass, timed around each call.
DRIVER = r"""
import cProfile, json, sys, time
from corpus_qa.engine import passes
from corpus_qa.runner import Runner
from corpus_qa.suite import load_suite

corpus, suite_path, out, profile_to, stages = sys.argv[1:6]
spent = {"cpu": 0.0, "stories": 0}
profiler = cProfile.Profile() if profile_to else None
story_pass = passes.StoryPass.__call__
cells, reading = [], [0.0]

def timed(self, batch):
    if stages:  # outside the timed pass: its cells, read as the pass reads them
        started = time.process_time()
        cells.extend(list(passes.StoredVersions(self.store, [ref for *_, ref in job.versions]))
                     for job in batch)
        reading[0] += time.process_time() - started
    started = time.process_time()
    if profiler:
        profiler.enable()
    try:
        return story_pass(self, batch)
    finally:
        if profiler:
            profiler.disable()
        spent["cpu"] += time.process_time() - started
        spent["stories"] += len(batch)

passes.StoryPass.__call__ = timed
result = Runner(load_suite(suite_path), workers=1).run([corpus])
findings = sorted(json.dumps(f.to_json(), sort_keys=True) for f in result.findings)
if stages:
    spent["stages"] = stage_times(cells, reading[0])
with open(out, "w", encoding="utf-8") as handle:
    json.dump({**spent, "findings": findings}, handle)
if profiler:
    profiler.dump_stats(profile_to)
"""

# Where the story pass's CPU goes, stage by stage, in this checkout (see --stages).
STAGES = r"""
def stage_times(cells, reading):
    import gc
    from corpus_qa.checks import figures as F, sentences as S, versions as vc
    from corpus_qa.expectations import versions as ev

    out = {"reading the versions' rows": reading}

    def timed(name, work):
        # The collector paused, as the story pass pauses it: what earlier stages left
        # alive (every story's at once, unlike the pass, which holds a chunk's) would be
        # rescanned again and again.
        gc.collect()
        gc.disable()
        started = time.process_time()
        try:
            return work()
        finally:
            out[name] = time.process_time() - started
            gc.enable()

    timed("figure check, whole (_figures)", lambda: [ev._figures(c, 0.0) for c in cells])
    texts = [[(v.id, v.body) for v in ev.as_versions(c)] for c in cells]
    prepared = [F.PerVersion(t) for t in texts]
    timed("  figure extraction", lambda: [p.figures(i) for p, t in zip(prepared, texts)
                                         for i in range(len(t))])
    timed("  sentences: split, masked, tokenised", lambda: [
        p.side(i) for p, t in zip(prepared, texts) for i in range(len(t))])
    tables = timed("  alignment and figure pairing", lambda: [
        F.compare_versions(t, 0.0, per_version=p)[1] for p, t in zip(prepared, texts)])
    timed("  the shown tables as JSON", lambda: [
        [x.to_json() for x in story if x.a == t[0][0]] for story, t in zip(tables, texts)])
    timed("diacritics check", lambda: [ev._diacritics(c) for c in cells])
    timed("metadata check", lambda: [ev._metadata_hits(c, list(vc.CONFLICT_FIELDS))
                                     for c in cells])
    timed("credit-line check", lambda: [ev._credit_hits(c) for c in cells])
    common, other = [], []
    for t in texts:
        found = [{(body[s:e], F.decimal_comma(body)) for s, e in F._blocks(body)}
                 for _, body in t]
        shared = set.intersection(*found)
        common.extend(shared)
        other.extend(set().union(*found) - shared)

    def read_once(blocks):
        for block, comma in blocks:
            S.Side(block, [f.span for f in F.extract_figures(block, comma_decimal=comma)])

    for name, blocks in (("every version", common), ("not every version", other)):
        chars = sum(len(b) for b, _ in blocks)
        timed(f"paragraphs in {name} of their story: {len(blocks):,}, {chars:,} chars, "
              "extracted and split once", lambda: read_once(blocks))
    return out
"""


def story_pass(checkout: Path, corpus: Path, out: Path, profile: Path | None,
               stages: bool = False) -> dict:
    """CPU seconds of ``checkout``'s story pass on ``corpus``, stories, findings (JSON);
    with ``stages``, the CPU seconds of each stage (``STAGES``)."""
    suite = checkout / "corpus_qa" / "data" / "news.yml"
    if not suite.is_file():  # releases before the packaged default kept it at the top
        suite = checkout / "expectations" / "news.yml"
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONUTF8": "1"}
    driver = STAGES.replace("def stage_times", "import time\ndef stage_times") + DRIVER
    proc = subprocess.run([sys.executable, "-c", driver, str(corpus), str(suite), str(out),
                           str(profile or ""), "1" if stages else ""], cwd=corpus.parent, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{checkout}: exit {proc.returncode}\n{proc.stderr[-3000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=4000,
                        help="documents in each corpus (default 4,000)")
    parser.add_argument("--corpus", choices=("versioned", "planted", "both"), default="both")
    parser.add_argument("--before", default=None,
                        help=BEFORE_HELP)
    parser.add_argument("--runs", type=int, default=1, help="best of N runs of each checkout")
    parser.add_argument("--profile", type=Path, default=None,
                        help="write a cProfile of each checkout's story pass to this directory")
    parser.add_argument("--stages", action="store_true",
                        help="also print where this checkout's story pass spends its CPU, "
                             "stage by stage")
    args = parser.parse_args(argv)
    identical = True
    with tempfile.TemporaryDirectory(prefix="corpus-qa-bench-") as tmp_name:
        tmp = Path(tmp_name)
        checkouts = before_and_after(args.before, tmp / "before")
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
        print(f"{args.documents:,} documents per corpus, one worker; "
              + ", ".join(f"{k}: {v}" for k, v in checkouts.items()))
        for name in ("versioned", "planted"):
            if args.corpus not in (name, "both"):
                continue
            corpus = tmp / name / "corpus"
            if name == "versioned":
                write_versioned_corpus(corpus, args.documents)
            else:
                write_planted(corpus, args.documents)
            print(f"\n{name} corpus: {sum(1 for p in corpus.rglob('*') if p.is_file()):,} files")
            print(f"{'':8} {'story pass CPU s':>16} {'stories':>8} {'stories/CPU s':>14}")
            measured = {}
            for version, checkout in checkouts.items():
                best = None
                for _ in range(args.runs):
                    profile = (args.profile / f"{name}-{version}.prof" if args.profile
                               else None)
                    run = story_pass(checkout, corpus, tmp / f"{name}-{version}.json", profile,
                                     args.stages and version == "after")
                    if best is None or run["cpu"] < best["cpu"]:
                        best = run
                assert best is not None
                measured[version] = best
                rate = best["stories"] / best["cpu"] if best["cpu"] else 0.0
                print(f"{version:8} {best['cpu']:16.2f} {best['stories']:8,} {rate:14.0f}")
            if "stages" in measured["after"]:
                print(f"\n{name}, this checkout's story pass stage by stage (CPU s, the "
                      "stages timed apart over all its stories):")
                for stage, cpu in measured["after"]["stages"].items():
                    print(f"  {cpu:8.2f}  {stage}")
            if "before" in measured:
                before, after = measured["before"], measured["after"]
                same = before["findings"] == after["findings"]
                identical &= same
                ratio = before["cpu"] / after["cpu"] if after["cpu"] else float("inf")
                print(f"{name}: story pass before/after CPU {ratio:.2f}x; findings identical: "
                      f"{same} ({len(after['findings']):,} findings)")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
