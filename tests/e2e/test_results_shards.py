"""Sharded results files end to end: ``corpus-qa validate --shard-results-above`` and
``[tool.corpus_qa] shard_results_above``, the shard names in the output checks, and
``corpus-qa report`` from an inline or a sharded results file."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from benchmarks.planted_corpus import write
from corpus_qa.cli import main
from corpus_qa.resultsfile import ResultsFile

ROOT = Path(__file__).resolve().parents[2]
SUITE = str(ROOT / "expectations" / "news.yml")


def _validate(corpus: Path, out: Path, *args: str) -> int:
    return main(["validate", str(corpus), "--suite", SUITE, "--json", str(out), "-q", *args])


def _run_free(data: dict[str, Any]) -> dict[str, Any]:
    data["run"]["started"] = data["run"]["duration_s"] = None
    return data


def _read_back(path: Path) -> dict[str, Any]:
    results = ResultsFile(path).results()
    return _run_free({**results, "documents": list(results["documents"]),
                      "findings": list(results["findings"])})


def _page_data(index: Path) -> list[Any]:
    """Every JSON island of a report page (the index and the inlined shards)."""
    text = index.read_text(encoding="utf-8")
    return [json.loads(blob) for blob in re.findall(
        r'<script type="application/json" id="cqa-[^"]*">(.*?)</script>', text, re.S)]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("planted")
    write(root / "corpus", documents=80)
    return root


def test_forced_to_shard_the_same_items_as_inline_and_the_same_report(
        planted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(planted)
    inline, sharded = tmp_path / "inline" / "results.json", tmp_path / "sharded" / "results.json"
    assert _validate(Path("corpus"), inline, "--report", str(tmp_path / "run-report")) == 1
    assert _validate(Path("corpus"), sharded, "--shard-results-above", "0") == 1
    assert "JSON Lines shards next to it" in capsys.readouterr().err
    on_disk = json.loads(sharded.read_text(encoding="utf-8"))
    assert "findings" not in on_disk and on_disk["shards"]["findings"]
    expected = _run_free(json.loads(inline.read_text(encoding="utf-8")))
    assert _read_back(sharded) == expected
    assert _read_back(inline) == expected

    jsonschema = pytest.importorskip("jsonschema")
    from corpus_qa.schema import results_schema

    jsonschema.validate(on_disk, results_schema())

    # The two runs differ in their run-time fields only: the sharded one takes the
    # inline one's (they are in results.json, not in the shards) for byte-equal pages.
    on_disk["run"] = json.loads(inline.read_text(encoding="utf-8"))["run"]
    sharded.write_text(json.dumps(on_disk), encoding="utf-8")
    pages = {}
    for name, path in (("inline", inline), ("sharded", sharded)):
        assert main(["report", str(path), "--out", str(tmp_path / f"report-{name}"),
                     "--junit", str(tmp_path / f"{name}.xml"),
                     "--summary-md", str(tmp_path / f"{name}.md")]) == 0
        pages[name] = (tmp_path / f"report-{name}" / "index.html").read_bytes()
    assert pages["inline"] == pages["sharded"]
    assert (tmp_path / "inline.xml").read_bytes() == (tmp_path / "sharded.xml").read_bytes()
    # The report of the file shows what the run's own report showed: the same findings,
    # documents, verdict and texts (read again from the corpus); the story view's pairs
    # are kept by the run only (not in results.json).
    run_page = _page_data(tmp_path / "run-report" / "index.html")
    file_page = _page_data(tmp_path / "report-sharded" / "index.html")
    for page in (run_page, file_page):
        page[0].pop("stories")
        for shard in page[1:]:
            for key in [k for k in shard if k.startswith("s")]:
                shard.pop(key)
    assert file_page == run_page
    assert any(len(page.get("t", "")) for shard in file_page[1:] for page in shard.values())


def test_a_smaller_run_over_a_sharded_one_leaves_no_stale_shard(
        planted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(planted)
    out = tmp_path / "results.json"
    assert _validate(Path("corpus"), out, "--shard-results-above", "0") == 1
    assert len(list(tmp_path.glob("results.*.jsonl"))) == 2
    assert _validate(ROOT / "seeds", out) == 1  # inline now
    assert list(tmp_path.glob("results.*.jsonl")) == []
    assert "findings" in json.loads(out.read_text(encoding="utf-8"))


def test_the_limit_from_pyproject_and_the_flag_wins(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.corpus_qa]\nshard_results_above = 5\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert _validate(Path("seeds"), tmp_path / "out" / "a.json") == 1  # 2 + 10 > 5
    assert "shards" in json.loads((tmp_path / "out" / "a.json").read_text(encoding="utf-8"))
    assert _validate(Path("seeds"), tmp_path / "out" / "b.json",
                     "--shard-results-above", "1000") == 1
    assert "findings" in json.loads((tmp_path / "out" / "b.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("value,expected", [
    ('"many"', "pyproject.toml:2: [tool.corpus_qa] shard_results_above: must be a number"),
    ("-1", "shard_results_above: must be a number"),
])
def test_a_bad_limit_in_pyproject_is_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        value: str, expected: str) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.corpus_qa]\nshard_results_above = {value}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert _validate(ROOT / "seeds", tmp_path / "r.json") == 2
    assert expected in capsys.readouterr().err


def test_a_negative_flag_is_a_usage_error(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert _validate(ROOT / "seeds", tmp_path / "r.json", "--shard-results-above", "-3") == 2
    assert "--shard-results-above must be 0 or more" in capsys.readouterr().err


def test_a_corpus_file_named_like_a_shard_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "results.findings-00000-0a1b2c3d.txt"  # a text document of the corpus
    doc.write_text("title: A\n\nA text.\n", encoding="utf-8")
    named = tmp_path / "results.findings-00000-0a1b2c3d.jsonl"
    named.write_text('{"id": "a", "text": "A text."}\n', encoding="utf-8")
    out = tmp_path / "results.json"
    assert _validate(named, out) == 2
    assert "where the corpus file" in capsys.readouterr().err
    assert named.read_text(encoding="utf-8").startswith('{"id"') and not out.exists()
    assert main(["validate", str(ROOT / "seeds"), "--suite", SUITE, "--json", str(out),
                 "--junit", str(tmp_path / "results.documents-00001-00000000.jsonl")]) == 2
    assert "--junit" in capsys.readouterr().err


def test_report_of_a_damaged_results_file_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.json"
    assert _validate(ROOT / "seeds", out, "--shard-results-above", "0") == 1
    capsys.readouterr()
    (shard,) = tmp_path.glob("results.findings-*.jsonl")
    shard.write_bytes(shard.read_bytes()[:-40] + b"\n")
    assert main(["report", str(out), "--out", str(tmp_path / "rep")]) == 2
    err = capsys.readouterr().err
    assert shard.name in err and "Traceback" not in err
    assert not (tmp_path / "rep" / "index.html").exists()
    shard.unlink()
    assert main(["report", str(out), "--out", str(tmp_path / "rep")]) == 2
    assert "cannot read this shard" in capsys.readouterr().err
    (tmp_path / "not.json").write_text("{\n  oops", encoding="utf-8")
    assert main(["report", str(tmp_path / "not.json")]) == 2
    assert "not.json:2: not JSON" in capsys.readouterr().err


def test_report_refuses_to_write_into_the_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    assert _validate(Path("seeds"), tmp_path / "r.json") == 1
    capsys.readouterr()
    assert main(["report", "r.json", "--out", "seeds/report"]) == 2
    assert "inside the corpus path seeds" in capsys.readouterr().err
    assert main(["report", "r.json", "--junit", "r.json"]) == 2
    assert "would overwrite the RESULTS file" in capsys.readouterr().err


def test_a_sharded_results_file_is_a_baseline_like_the_one_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    assert _validate(Path("seeds"), tmp_path / "before.json", "--shard-results-above", "0",
                     "--write-baseline", "baseline.json") == 1
    verdicts = {}
    for name in ("baseline.json", "before.json"):
        assert _validate(Path("seeds"), tmp_path / f"with-{name}", "--baseline", name) == 0
        data = json.loads((tmp_path / f"with-{name}").read_text(encoding="utf-8"))
        verdicts[name] = ([f["gate"] for f in data["findings"]],
                          {k: v for k, v in data["gating"]["baseline"].items() if k != "path"})
    assert verdicts["before.json"] == verdicts["baseline.json"]
    assert set(verdicts["before.json"][0]) == {"known"}
    capsys.readouterr()
    (shard,) = tmp_path.glob("before.findings-*.jsonl")
    shard.unlink()
    assert _validate(Path("seeds"), tmp_path / "again.json", "--baseline", "before.json") == 2
    assert shard.name in capsys.readouterr().err
