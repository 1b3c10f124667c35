"""``--engine spark``: the local verdict byte for byte, and clear errors when Spark cannot run.

Every test that needs a JVM shares one ``local[1]`` SparkSession for the whole session
and runs in one xdist group (``make test`` passes ``--dist loadgroup``), so a test run
starts Spark once. They are skipped, with the reason, only where pyspark or Java is
missing; CI installs both (``.ci/run``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.planted_corpus import build, write
from corpus_qa.cli import main
from corpus_qa.config import ConfigError, load_project_config
from corpus_qa.sources.write import write_records
from tests.conftest import git

ROOT = Path(__file__).resolve().parents[2]
SUITE = str(ROOT / "expectations" / "news.yml")
RUN_TIME = ("started", "duration_s")
"""The fields of results.json that depend on when and how fast a run went."""

spark_group = pytest.mark.xdist_group("spark")


@pytest.fixture
def spark_windows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The batches of each window the Spark engine sent to Spark tasks (proof it ran
    there); ``DRIVER_READS`` counts the files the driver (this process) read itself."""
    from corpus_qa.engine import reading
    from corpus_qa.engine.spark import SparkPool
    from corpus_qa.sources import corpus

    sent: list[int] = []
    original = SparkPool._run_window

    def counted(self: SparkPool, window: list[Any], remote: Any) -> Any:
        sent.append(len(window))
        return original(self, window, remote)

    monkeypatch.setattr(SparkPool, "_run_window", counted)
    DRIVER_READS.clear()
    for module in (corpus, reading):
        def read_file(*args: Any, _read: Any = module.read_file, **kwargs: Any) -> Any:
            DRIVER_READS.append(str(args[0]))
            return _read(*args, **kwargs)

        monkeypatch.setattr(module, "read_file", read_file)
    return sent


DRIVER_READS: list[str] = []


def _results(corpus: Path | str, out: Path, *args: str) -> tuple[int, str]:
    code = main(["validate", str(corpus), "--suite", SUITE, "--json", str(out), "-q", *args])
    data = json.loads(out.read_text(encoding="utf-8"))
    for key in RUN_TIME:
        assert key in data["run"], f"run-time field {key} moved: update RUN_TIME"
        data["run"][key] = None
    return code, json.dumps(data, sort_keys=True, ensure_ascii=False)


def _same_verdict(corpus: Path | str, tmp_path: Path, chunk_size: int,
                  windows: list[int], driver_reads: tuple[str, ...] = (),
                  extra: tuple[str, ...] = ()) -> dict:
    """Local and Spark give the same JSON; Spark tasks read every file but
    ``driver_reads`` (a batch whose ids clash with earlier ones is read again here)."""
    local_code, local = _results(corpus, tmp_path / "local.json", "--chunk-size",
                                 str(chunk_size), *extra)
    DRIVER_READS.clear()
    spark_code, spark = _results(corpus, tmp_path / "spark.json", "--engine", "spark",
                                 "--chunk-size", str(chunk_size), "-v", *extra)
    assert sum(windows) > 1, "the Spark engine did not send the files to Spark tasks"
    assert sorted(DRIVER_READS) == sorted(driver_reads), "files read by the driver"
    assert spark_code == local_code
    assert spark == local
    return json.loads(local)


@spark_group
def test_seeds_give_the_local_json_byte_for_byte(spark: Any, spark_windows: list[int],
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = _same_verdict(ROOT / "seeds", tmp_path, 1, spark_windows)
    assert data["findings"], "the seeds have known defects"


@spark_group
def test_planted_corpus_of_every_family_gives_the_local_json(
        spark: Any, spark_windows: list[int], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "planted"
    write(corpus, documents=500)
    monkeypatch.chdir(tmp_path)
    data = _same_verdict(corpus, tmp_path, 100, spark_windows)
    verbose = capsys.readouterr().err  # the Spark run's -v line
    assert "story grouping on Spark" in verbose and "rounds (converged)" in verbose, verbose
    # Repeated lines were counted as a Spark aggregation, not on the driver.
    assert re.search(r"repeated lines counted on Spark: [\d,]+ stories, [1-9][\d,]* lines "
                     "repeated", verbose), verbose
    reasons = {f["reason"] for f in data["findings"]}
    # Story and corpus findings come out of the later passes, fed by Spark's pass 1.
    assert {"diacritics_stripped", "figure_changed", "repeated_line"} <= reasons, reasons
    sizes = [len(s["documents"]) for s in data.get("stories", [])] or [0]
    assert max(sizes) >= 2


@spark_group
def test_the_story_limit_gives_the_local_json(spark: Any, spark_windows: list[int],
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Stories over --max-story-documents are the same input findings on either engine
    (Spark groups the stories; the limit applies where both dispatch the story pass)."""
    corpus = tmp_path / "planted"
    write(corpus, documents=300)
    monkeypatch.chdir(tmp_path)
    data = _same_verdict(corpus, tmp_path, 100, spark_windows,
                         extra=("--max-story-documents", "3"))
    too_large = [f for f in data["findings"] if f["reason"] == "story_too_large"]
    assert too_large and all(f["expectation"] == "input" for f in too_large)
    assert all(len(s["documents"]) <= 3 for s in data["stories"])


@spark_group
@pytest.mark.parametrize("suffix", [".jsonl.gz", ".parquet"])
def test_shards_give_the_local_json(spark: Any, spark_windows: list[int], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    texts = [c for rel, c in sorted(build(documents=120).items())
             if rel.endswith(".txt") and isinstance(c, str)]
    records = [{"id": f"doc-{n:04d}", "text": text} for n, text in enumerate(texts)]
    half = len(records) // 2
    write_records(tmp_path / "shards" / f"part-0{suffix}", records[:half])
    write_records(tmp_path / "shards" / f"part-1{suffix}", records[half:])
    monkeypatch.chdir(tmp_path)
    _same_verdict(tmp_path / "shards", tmp_path, 40, spark_windows)


@spark_group
def test_sharded_results_of_spark_read_back_as_the_local_inline_json(
        spark: Any, spark_windows: list[int], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Both engines write through the one results writer: Spark forced to shard gives,
    read back, the local run's inline JSON (the run-time fields apart)."""
    from corpus_qa.resultsfile import ResultsFile

    corpus = tmp_path / "planted"
    write(corpus, documents=60)
    monkeypatch.chdir(tmp_path)
    _, local = _results(corpus, tmp_path / "local.json", "--chunk-size", "20")
    code = main(["validate", str(corpus), "--suite", SUITE, "--json",
                 str(tmp_path / "spark" / "results.json"), "-q", "--engine", "spark",
                 "--chunk-size", "20", "--shard-results-above", "0"])
    assert code == 1 and sum(spark_windows) > 1
    sharded = ResultsFile(tmp_path / "spark" / "results.json")
    assert sharded.sharded
    data = sharded.results()
    data = {**data, "documents": list(data["documents"]), "findings": list(data["findings"])}
    for key in RUN_TIME:
        data["run"][key] = None
    assert json.dumps(data, sort_keys=True, ensure_ascii=False) == local


@spark_group
def test_an_id_used_twice_is_renamed_as_locally(spark: Any, spark_windows: list[int],
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [c for rel, c in sorted(build(documents=30).items())
             if rel.endswith(".txt") and isinstance(c, str)][:12]
    first = [{"id": f"doc-{n}", "text": text} for n, text in enumerate(texts[:6])]
    again = [{"id": f"doc-{n}", "text": text} for n, text in enumerate(texts[6:], start=4)]
    write_records(tmp_path / "shards" / "a.jsonl", first)
    write_records(tmp_path / "shards" / "b.jsonl.zst", again)  # doc-4, doc-5 again
    monkeypatch.chdir(tmp_path)
    data = _same_verdict(tmp_path / "shards", tmp_path, 4, spark_windows,
                         driver_reads=(str(tmp_path / "shards" / "b.jsonl.zst"),))
    renamed = [f["document"] for f in data["findings"] if f["reason"] == "duplicate_id"]
    assert len(renamed) == 2, renamed


@spark_group
def test_changed_since_is_read_in_spark_tasks_and_gives_the_local_json(
        spark: Any, spark_windows: list[int], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [c for rel, c in sorted(build(documents=80).items())
             if rel.endswith(".txt") and isinstance(c, str)][:60]
    corpus = tmp_path / "repo" / "corpus"
    for n, text in enumerate(texts[:40]):
        (corpus / f"t{n // 10}").mkdir(parents=True, exist_ok=True)
        (corpus / f"t{n // 10}" / f"doc-{n:02d}.txt").write_text(text, encoding="utf-8")
    records = [{"id": f"rec-{n}", "text": text} for n, text in enumerate(texts[40:])]
    write_records(corpus / "shard.jsonl", records)
    git(corpus.parent, "init", "-q", "-b", "main")
    git(corpus.parent, "add", "-A")
    git(corpus.parent, "commit", "-q", "-m", "corpus")
    edited = corpus / "t1" / "doc-12.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThe cafÃ© closed.\n",
                      encoding="utf-8")
    records[3]["text"] += "\nIt costs 5 â‚¬ now.\n"
    write_records(corpus / "shard.jsonl", records)
    monkeypatch.chdir(corpus.parent)
    args = ("--changed-since", "main", "--chunk-size", "5")
    local_code, local = _results(corpus, tmp_path / "local.json", *args)

    from corpus_qa.engine.reading import WalkedFiles

    def driver_read(*_: Any, **__: Any) -> Any:
        raise AssertionError("the driver read the selected documents itself")

    # The local engine's way (its workers read text files, the main process shards).
    monkeypatch.setattr(WalkedFiles, "validated_in_runs", driver_read)
    spark_windows.clear()
    spark_code, spark = _results(corpus, tmp_path / "spark.json", "--engine", "spark", *args)
    assert sum(spark_windows) > 1, "the Spark engine did not send the files to Spark tasks"
    assert (spark_code, spark) == (local_code, local)
    data = json.loads(local)
    assert data["statistics"]["skipped_documents"] > 0, "the run was not restricted"
    found = {f["document"] for f in data["findings"] if f["reason"].startswith("mojibake")}
    assert {"t1/doc-12", "rec-3"} <= found, found


# --- story grouping as Spark joins and label propagation ---------------------------------


def _chain(start: str, steps: int, seed: int) -> list[str]:
    """Versions each of which rewrites a tenth of the words of the one before: neighbours
    are near-duplicates, the two ends are not (only the chain links them)."""
    import random

    rng = random.Random(seed)
    words = start.split()
    out = [" ".join(words)]
    for _ in range(steps):
        for at in rng.sample(range(len(words)), len(words) // 10):
            words[at] = f"w{rng.randrange(10**6)}"
        out.append(" ".join(words))
    return out


def _grouping_corpus() -> list[tuple[str, str, str | None]]:
    """(id, text, story key) of the planted corpus's texts, plus chained near-duplicates,
    a bucket larger than MAX_BUCKET, identical copies, keyed stories and two keys on one
    chain (where the order of the links decides)."""
    import random

    from corpus_qa.checks.versions import MAX_BUCKET

    texts = sorted((rel, c) for rel, c in build(documents=500).items()
                   if rel.endswith(".txt") and isinstance(c, str))
    docs: list[tuple[str, str, str | None]] = [
        (rel, text, f"K{n % 5}" if n % 17 == 0 else None) for n, (rel, text) in enumerate(texts)]
    rng = random.Random(3)
    vocabulary = [f"v{n}" for n in range(3000)]
    for c in range(6):
        start = " ".join(rng.choice(vocabulary) for _ in range(150))
        for n, text in enumerate(_chain(start, 5, seed=c)):
            key = ({0: "chain-a", 5: "chain-b"}.get(n) if c == 0 else None)
            docs.append((f"chain{c}-{n}", text, key))
    template = " ".join(rng.choice(vocabulary) for _ in range(400))
    for n in range(MAX_BUCKET + 40):  # one story of many near-identical texts
        tail = " ".join(rng.choice(vocabulary) for _ in range(12))
        docs.append((f"bucket-{n:03d}", f"{template} {tail}", None))
    docs += [(f"copy-{n}", texts[0][1], None) for n in range(3)]
    return docs


@spark_group
def test_spark_grouping_gives_the_local_stories(spark: Any) -> None:
    from corpus_qa.checks.versions import StoryGrouper
    from corpus_qa.engine.sparkstories import max_rounds, spark_groups

    local, on_spark = StoryGrouper(), StoryGrouper()
    for doc_id, text, key in _grouping_corpus():
        local.add(doc_id, text, key)
        on_spark.add(doc_id, text, key)
    expected = [(s.id, s.documents) for s in local.groups()]
    stories, stats = spark_groups(spark, on_spark)
    assert [(s.id, s.documents) for s in stories] == expected
    sizes = sorted(len(documents) for _, documents in expected)
    assert sizes[-1] > 64 and 2 in sizes and 6 in sizes  # the bucket, pairs, whole chains
    assert stats["converged"] and 1 <= stats["rounds"] <= max_rounds(stats["signed"])
    assert stats["keyed_conflicts"] >= 1  # chain 0 holds two keys: replayed in local order


@spark_group
def test_label_propagation_finds_the_components_union_find_finds(spark: Any) -> None:
    from corpus_qa.checks.versions import _KeyedForest
    from corpus_qa.engine.sparkstories import max_rounds, propagate_labels

    chain = [(n, n + 1) for n in range(100, 140)]  # 41 nodes in a line, numbered upwards
    reversed_chain = [(n + 1, n) for n in range(200, 230)]
    star = [(300, n) for n in range(301, 320)] + [(n, 350) for n in range(340, 350)]
    cycle = [(400, 401), (401, 402), (402, 403), (403, 400)]
    zigzag = [(500 + 2 * n, 500 + 2 * n + 3) for n in range(15)]  # two chains of odd/even
    edges = chain + reversed_chain + star + cycle + zigzag + [(139, 230)]
    frame = spark.createDataFrame(edges, "a long, b long")
    labels, rounds, converged = propagate_labels(spark, frame)
    got = {int(r["node"]): int(r["label"]) for r in labels.collect()}

    nodes = sorted({n for edge in edges for n in edge})
    forest = _KeyedForest([None] * (max(nodes) + 1))
    for a, b in edges:
        forest.union(a, b)
    smallest: dict[int, int] = {}
    for n in nodes:
        smallest.setdefault(forest.find(n), n)
    assert got == {n: smallest[forest.find(n)] for n in nodes}
    assert converged and rounds <= max_rounds(len(nodes))
    assert rounds < 20  # a chain of 72 nodes: pointer jumping, not one hop per round
    # A bound that is too small ends unconverged rather than looping on.
    _, rounds, converged = propagate_labels(spark, frame, limit=1)
    assert (rounds, converged) == (1, False)


# --- what the user sees when Spark cannot run (no JVM started) ---------------------------


def _cli(*args: str, env: dict[str, str] | None = None, prelude: str = "") -> Any:
    code = (f"{prelude}\nimport sys\nfrom corpus_qa.cli import main\n"
            f"sys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, "validate", str(ROOT / "seeds"),
                           "--suite", SUITE, "-q", "--engine", "spark", *args],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def test_missing_pyspark_says_what_to_install() -> None:
    block = ("import sys\nclass _No:\n    def find_spec(self, name, *a):\n"
             "        if name.split('.')[0] == 'pyspark': raise ImportError(name)\n"
             "sys.meta_path.insert(0, _No())")
    done = _cli(prelude=block)
    assert done.returncode == 2, done.stderr
    assert "pip install 'corpus-qa[spark]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_java_says_what_to_install() -> None:
    pytest.importorskip("pyspark")
    env = {"PATH": "/nonexistent", "JAVA_HOME": ""}
    done = _cli(env=env)
    assert done.returncode == 2, done.stderr
    assert "needs Java" in done.stderr and "openjdk-17" in done.stderr
    assert "Traceback" not in done.stderr


def test_unreachable_master_is_a_clear_error() -> None:
    pytest.importorskip("pyspark")
    # A port held bound but not listening for the whole run: connections to it are
    # refused, and no other process (another test's JVM) can take it in between.
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        done = _cli("--spark-master", f"spark://127.0.0.1:{port}")
    assert done.returncode == 2, done.stderr
    assert f"cannot reach the Spark master spark://127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def test_spark_flags_need_the_spark_engine(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(ROOT / "seeds"), "--suite", SUITE, "-q",
                 "--spark-master", "local[2]"])
    assert code == 2
    assert "--spark-master and --spark-conf need --engine spark" in capsys.readouterr().err


def test_bad_spark_conf_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pyspark")
    from corpus_qa.engine.spark import SparkError, parse_conf

    with pytest.raises(SparkError, match="expected KEY=VALUE"):
        parse_conf(["spark.executor.memory"])


def test_engine_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.corpus_qa]\nengine = "spark"\nspark_master = "spark://h:7077"\n'
        'spark_conf = { "spark.executor.memory" = "4g", "spark.eventLog.enabled" = true }\n')
    config = load_project_config(tmp_path)
    assert (config.engine, config.spark_master) == ("spark", "spark://h:7077")
    assert config.spark_conf == ("spark.executor.memory=4g", "spark.eventLog.enabled=true")
    (tmp_path / "pyproject.toml").write_text('[tool.corpus_qa]\n\nengine = "sparc"\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml:3: \[tool.corpus_qa\] engine: must "
                       "be one of local, spark"):
        load_project_config(tmp_path)
