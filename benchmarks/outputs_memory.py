"""Memory of the outputs written at the end of a run, on a run of many findings.

    python benchmarks/outputs_memory.py [--documents 25000] [--findings 100000]
                                        [--before REV|DIR]

Builds, in a child process per checkout, a run as the runner leaves it (documents and
findings spooled to disk: ``RecordSpool`` / ``SortedSpool``; synthetic documents with
two metadata fields and findings of several expectations and reasons, a few hundred
bytes each), makes its verdict, and writes each output in turn under tracemalloc:
results.json (inline; and sharded where the checkout has it), the HTML report, JUnit
XML, the Markdown summary and the GitHub annotations. Printed: the peak of the memory
each output allocated beyond what the run held before it, in MiB, and its wall time
(tracemalloc slows everything; compare the times with each other only).

With ``--before`` (an earlier checkout, or a git revision of this repository) the
same is measured with it first and the ratios before/after printed. Also printed: the
time to read the findings spool back, and (in this process, so the ratios are of one
run) a spool written and read with ``Finding.__reduce__`` and without it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

EXPECTATIONS = [
    ("expect_document_to_have_no_boilerplate", "error",
     ["licence_notice", "call_to_action", "cookie_notice"]),
    ("expect_document_to_have_metadata", "error", ["missing_field"]),
    ("expect_document_to_have_no_mojibake", "error", ["mojibake"]),
    ("expect_document_to_have_paragraphs", "warning", ["paragraphs_flattened"]),
]
TEXT = ("Officials met on Wednesday in the capital to discuss the new agreement. "
        "Read more at example.com. Subscribe to our newsletter for daily updates.\n") * 8


def _synthetic_run(documents: int, findings: int, folder: Path) -> Any:
    """A RunResult whose documents and findings are on disk, as a run leaves them."""
    from corpus_qa.engine.rowstore import RecordSpool, SortedSpool
    from corpus_qa.results import Finding, Outcome, RunResult

    records = RecordSpool(folder / "records.bin")
    spool = SortedSpool(folder / "findings", Finding.sort_key)
    per_document, extra = divmod(findings, documents)
    unexpected = dict.fromkeys((e for e, _, _ in EXPECTATIONS), 0)
    for i in range(documents):
        doc = f"batch{i // 1000:03d}/doc{i:07d}"
        path = f"corpus/{doc}.txt"
        records.append({"id": doc, "path": path, "story": None, "line": 1, "record": None,
                        "metadata": {"date": {"value": "2024-01-01", "origin": "header",
                                              "span": [6, 16]},
                                     "source": {"value": "Example Wire", "origin": "text",
                                                "span": [20, 32]}}})
        batch = []
        for k in range(per_document + (i < extra)):
            expectation, severity, reasons = EXPECTATIONS[(i + k) % len(EXPECTATIONS)]
            reason = reasons[k % len(reasons)]
            unexpected[expectation] += 1
            start = 60 * k
            batch.append(Finding(
                expectation, severity, doc, path, reason,
                f"{reason.replace('_', ' ')} in line {k + 1} — remove it, or waive it if it "
                "belongs to the text", (start, start + 40), k + 1, 1,
                TEXT[start:start + 40], key="source" if reason == "missing_field" else None,
                text_line=k + 1, text_column=1))
        spool.add(batch)
    spool.finish()
    outcomes = [Outcome("input", "error", 1.0, {}, "readable input", scope="input",
                        checked=documents)]
    outcomes += [Outcome(e, s, 1.0, {}, e.replace("_", " "), checked=documents,
                         unexpected=unexpected[e]) for e, s, _ in EXPECTATIONS]
    return RunResult(suite="news", corpus=["corpus"], outcomes=outcomes, findings=spool,
                     documents=records, text_of=lambda doc_id: TEXT,
                     pairs_of=lambda story_id: [])


def child(documents: int, findings: int) -> dict[str, Any]:
    """Measured in this process (a checkout's corpus_qa first on sys.path)."""
    from corpus_qa.gate import gate
    from corpus_qa.report import ci, write_html_report, write_junit, write_summary_md
    from corpus_qa.results import write_json

    try:
        from corpus_qa.resultsfile import write_results
    except ImportError:  # a checkout before sharded results files
        write_results = None
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="corpus-qa-outputs-") as tmp:
        folder = Path(tmp)
        result = _synthetic_run(documents, findings, folder)
        started = time.perf_counter()
        read = sum(1 for _ in result.findings)
        out["spool_read_s"] = (time.perf_counter() - started, read)
        verdict = gate(result)
        data = result.to_json(verdict)
        outputs: dict[str, Any] = {
            "results.json (inline)": lambda: write_json(data, folder / "inline.json"),
            "HTML report": lambda: write_html_report(data, result.text_of, folder / "report",
                                                     pairs=result.pairs_of),
            "JUnit XML": lambda: write_junit(data, folder / "junit.xml"),
            "summary.md": lambda: write_summary_md(data, folder / "summary.md"),
            "GitHub annotations": lambda: _drain(ci, data, folder / "github.txt"),
        }
        if write_results is not None:
            outputs["results.json (sharded)"] = lambda: write_results(
                data, folder / "sharded.json", shard_above=0)
        for name, write in outputs.items():
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            started = time.perf_counter()
            write()
            seconds = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] - base
            tracemalloc.stop()
            out[name] = (peak, seconds)
    return out


def spool_speed(findings: int, rounds: int = 3) -> list[tuple[float, float, float, float]]:
    """Write+sort and read-back seconds of a findings spool, Finding pickled by its
    ``__reduce__`` and by the slots' default, in this process (same run): per round
    ``(default write, reduce write, default read, reduce read)``."""
    from corpus_qa.engine.rowstore import SortedSpool
    from corpus_qa.results import Finding

    items = [Finding("expect_document_to_have_no_boilerplate", "error", f"d{i:07d}",
                     f"corpus/d{i:07d}.txt", "licence_notice",
                     "licence notice in line 3 — remove it, or waive it", (i, i + 40), 3, 1,
                     "x" * 40, text_line=3, text_column=1) for i in range(findings)]
    own = Finding.__dict__.get("__reduce__")

    def timed() -> tuple[float, float]:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            spool = SortedSpool(Path(tmp), Finding.sort_key)
            spool.add(items)
            spool.finish()
            written = time.perf_counter() - started
            started = time.perf_counter()
            assert sum(1 for _ in spool) == findings
            return written, time.perf_counter() - started

    out = []
    try:
        for _ in range(rounds):
            fast = timed()
            if own is not None:
                del Finding.__reduce__  # the dataclass's own pickling
            slow = timed()
            if own is not None:
                Finding.__reduce__ = own  # type: ignore[method-assign]
            out.append((slow[0], fast[0], slow[1], fast[1]))
    finally:
        if own is not None:
            Finding.__reduce__ = own  # type: ignore[method-assign]
    return out


def _drain(ci: Any, data: dict[str, Any], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        if hasattr(ci, "github_annotation_lines"):
            handle.writelines(ci.github_annotation_lines(data))
        else:
            handle.write(ci.github_annotations(data))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=25_000)
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--before", default=None,
                        help="an earlier checkout (a directory) or a git revision")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:  # measure with the checkout given, print JSON
        sys.path.insert(0, str(args.child))
        print(json.dumps(child(args.documents, args.findings)))
        return 0
    sys.path.insert(0, str(ROOT))
    from benchmarks.measure import before_and_after

    measured: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="corpus-qa-before-") as tmp:
        for name, checkout in before_and_after(args.before, Path(tmp) / "before").items():
            proc = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--child", str(checkout),
                 "--documents", str(args.documents), "--findings", str(args.findings)],
                capture_output=True, text=True, check=False,
                env={**os.environ, "PYTHONPATH": str(checkout)})
            if proc.returncode:
                sys.stderr.write(proc.stderr)
                return proc.returncode
            measured[name] = json.loads(proc.stdout.splitlines()[-1])
    print(f"{args.documents:,} documents, {args.findings:,} findings (spooled to disk)")
    names = [k for k in measured["after"] if k != "spool_read_s"]
    header = "| output | " + " | ".join(f"{n} peak MiB | {n} s" for n in measured) + " |"
    print(header)
    print("|---|" + "--:|" * (2 * len(measured)))
    for output in names:
        cells = []
        for run in measured.values():
            peak, seconds = run.get(output, (None, None))
            cells += ["—", "—"] if peak is None else [f"{peak / 2**20:.1f}", f"{seconds:.2f}"]
        print(f"| {output} | " + " | ".join(cells) + " |")
    if "before" in measured:
        print("before/after peak memory: " + ", ".join(
            f"{o} {measured['before'][o][0] / max(measured['after'][o][0], 1):.1f}x"
            for o in names if o in measured["before"]))
    for name, run in measured.items():
        seconds, count = run["spool_read_s"]
        print(f"{name}: findings spool read back: {count:,} findings in {seconds:.2f} s")
    sys.path.insert(0, str(ROOT))
    for default_write, own_write, default_read, own_read in spool_speed(args.findings):
        print(f"findings spool, Finding.__reduce__ vs the dataclass's pickling (same run): "
              f"write+sort {default_write:.2f}/{own_write:.2f} s "
              f"({default_write / own_write:.2f}x), read {default_read:.2f}/{own_read:.2f} s "
              f"({default_read / own_read:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
