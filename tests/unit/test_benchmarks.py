"""Every script in benchmarks/ runs to the end on a tiny corpus and prints its table, so the
benchmarks do not rot as the code changes. Nothing here measures or asserts a time."""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"

# script -> (its arguments for a tiny run, a line its output must hold). "{tmp}" is a
# fresh directory, "{root}" this checkout.
TINY: dict[str, tuple[list[str], str]] = {
    "boilerplate_throughput.py": (["--documents", "40"], "docs/s"),
    "changed_since.py": (["--documents", "12"], "--changed-since, cold"),
    "default_suite.py": (["--documents", "8", "--corpus", "versioned", "--suite", "default",
                          "--before", "HEAD", "--profile"], "findings identical: True"),
    "encoding_stages.py": (["--documents", "30", "--chunk-size", "10", "--repeat", "1"],
                           "runner, 2 worker(s)"),
    "encoding_throughput.py": (["--documents", "12", "--workers", "1", "--verify", "100"],
                               "4 predicates, 1 core"),
    "figure_extractors.py": (["--no-speed"], "## Accuracy on tests/unit/figure_cases.yml"),
    "figure_paragraphs.py": (["--documents", "12", "--before", "HEAD", "--runs", "1"],
                             "figures and sentence spans identical: True"),
    "fix_roundtrip.py": (["--documents", "12"], "unplanted documents whose repaired text"),
    "furniture_dev.py": (["--lines", "6", "--documents", "10"], "Furniture lines found"),
    "grouping_scale.py": (["--sizes", "40,80", "--repeat", "1"], "precision recall"),
    "pass1_families.py": (["--documents", "12", "--before", "HEAD", "--rounds", "1",
                           "--repeat", "1"], "CueSet.find: before/after"),
    "metadata_throughput.py": (["--docs", "30"], "windows vs whole-text search"),
    "mojibake_confusion.py": (["--samples", "1"], "| written in | read as |"),
    "memory_scale.py": (["--documents", "20", "40"], "documents = "),
    "memory_stages.py": (["--documents", "20", "40", "--top", "2"], "records: held"),
    "outputs_memory.py": (["--documents", "20", "--findings", "60"],
                          "findings spool read back"),
    "planted_corpus.py": (["{tmp}/planted", "--documents", "12"], "files written under"),
    "planted_figures.py": (["--documents", "12", "--stories", "5", "--workers", "1"],
                           "pipeline (Runner, wall)"),
    "report_scale.py": (["2"], "open_doc_ms"),
    "runner_passes.py": (["--before", "{root}", "--documents", "12"],
                         "findings identical: True"),
    "shard_memory.py": (["--gb", "0.0005", "--shards", "2", "--workers", "1"],
                        "peak memory of the process tree"),
    "signature_speed.py": (["--documents", "30", "--rounds", "1"], "numpy signatures"),
    "spark_engine.py": (["--documents", "6", "--chunk-size", "3", "--master", "local[1]"],
                        "identical JSON"),
    "startup.py": (["--repeat", "1", "--before", "{root}", "--imports", "--fork"],
                   "before/after: wall to the first"),
    "suite_scale.py": (["--sizes", "4", "8", "--corpus", "versioned"], "| versioned | 8 |"),
    "story_memory.py": (["--documents", "40"], "validated alone"),
    "story_checks.py": (["--documents", "12", "--before", "HEAD"],
                        "planted: story pass before/after CPU"),
    "triage_corpus.py": (["{tmp}/triage", "--articles", "6", "--per-kind", "1"],
                         "files written under"),
    "source_throughput.py": (["--documents", "12", "--workers", "1"], ".jsonl.gz"),
}
NEEDS_CHROMIUM = {"report_scale.py"}


def _scripts() -> list[str]:
    """The benchmark scripts: files of benchmarks/ that can be run (``__main__``)."""
    return sorted(p.name for p in BENCHMARKS.glob("*.py")
                  if 'if __name__ == "__main__":' in p.read_text(encoding="utf-8"))


def test_every_benchmark_script_has_a_tiny_run() -> None:
    missing = sorted(set(_scripts()) - set(TINY))
    assert not missing, (f"add tiny arguments for {missing} to TINY in {Path(__file__).name} "
                         "(a corpus small enough to run in a few seconds)")
    assert not set(TINY) - set(_scripts()), "TINY names a script that is gone"


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_script_runs_on_a_tiny_corpus(script: str, tmp_path: Path, monkeypatch,
                                                 capsys) -> None:
    if script in NEEDS_CHROMIUM:
        from tests.browser.conftest import CHROMIUM

        if not Path(CHROMIUM).exists() and not shutil.which(str(CHROMIUM)):
            pytest.skip(f"{script} drives chromium, which is not installed here")
    arguments, expected = TINY[script]
    argv = [a.format(tmp=tmp_path, root=ROOT) for a in arguments]
    if script in NEEDS_CHROMIUM:
        # Playwright's sync API refuses to start inside a process whose event loop is
        # running (a browser test's session in the same xdist worker): its own process.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        proc = subprocess.run([sys.executable, str(BENCHMARKS / script), *argv], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
        assert expected in proc.stdout, proc.stdout[-3000:]
        return
    monkeypatch.setattr(sys, "argv", [str(BENCHMARKS / script), *argv])
    monkeypatch.syspath_prepend(str(ROOT))
    try:
        runpy.run_path(str(BENCHMARKS / script), run_name="__main__")
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    out = capsys.readouterr().out
    assert code == 0, out[-3000:]
    assert expected in out, out[-3000:]


def test_memory_stages_breaks_the_tree_down_by_phase_at_its_largest_pss() -> None:
    """``memory_stages.py --rss``: per phase, the sample with the largest PSS sum, and
    each process's share then (the run's own process first, as "main")."""
    from types import SimpleNamespace

    from benchmarks.memory_stages import _by_phase

    mib = 2**20
    stages = [["start", "0", "0", "0", "100.0"], ["documents", "0", "0", "0", "110.0"],
              ["stories", "0", "0", "0", "120.0"], ["outputs", "0", "0", "0", "130.0"]]

    def procs(main: int, worker: int) -> dict[int, dict[str, int]]:
        return {7: {"Rss": 2 * main * mib, "Pss": main * mib, "Private_Dirty": main * mib},
                8: {"Rss": 2 * worker * mib, "Pss": worker * mib, "Shared_Clean": worker * mib}}

    sampler = SimpleNamespace(pid=7, kept=[(105.0, procs(50, 60)), (108.0, procs(40, 90)),
                                           (115.0, procs(30, 10)), (125.0, procs(80, 0))])
    lines = _by_phase(stages, sampler)
    assert lines[0] == "pass 1: tree PSS 130 MiB (RSS sum 260) at +8.0 s"
    assert lines[1].split() == ["main", "RSS", "80", "PSS", "40", "private", "40", "shared", "0"]
    assert lines[2].split() == ["worker", "RSS", "180", "PSS", "90", "private", "0", "shared",
                                "90"]
    assert lines[3].startswith("grouping + story pass: tree PSS 40 MiB")
    assert lines[6].startswith("records, corpus, findings, outputs: tree PSS 80 MiB")


def test_suite_scale_counts_the_findings_and_bytes_of_a_sharded_results_file(
        tmp_path: Path, monkeypatch) -> None:
    """Above the sharding threshold results.json holds no findings of its own: the row
    counts those of its shards, and their bytes (a 50,000-document run once read 0)."""
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks.measure import Run, results_size
    from benchmarks.suite_scale import row
    from corpus_qa.resultsfile import write_results

    findings = [{"id": f"d{i}", "code": "missing_field"} for i in range(5)]
    data = {"schema_version": 1, "documents": [{"id": "d0"}, {"id": "d1"}], "findings": findings}
    inline, sharded = tmp_path / "inline" / "results.json", tmp_path / "sharded" / "results.json"
    for path, above in ((inline, 100), (sharded, 0)):
        path.parent.mkdir()
        write_results(data, path, shard_above=above, shard_items=2)
    assert len(list(sharded.parent.iterdir())) > 1  # the shards are there
    run = Run(wall=1.0, cpu=1.0, peak_rss=2**20, returncode=0, stderr="", peak_pss=2**20,
              peak_main=2**20)
    cells = [row("distinct", 2, 0.1, run, path, None).split("|") for path in (inline, sharded)]
    assert cells[0][-2].strip() == cells[1][-2].strip() == "5"
    on_disk = sum(p.stat().st_size for p in sharded.parent.iterdir())
    assert results_size(sharded) == on_disk > sharded.stat().st_size
    assert results_size(inline) == inline.stat().st_size
