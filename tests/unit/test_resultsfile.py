"""Sharded results files: written atomically next to results.json, read back lazily in
either form, every shard checked against its SHA-256 (corpus_qa/resultsfile.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from corpus_qa.outputs import Output, OutputError, check_outputs
from corpus_qa.results import dump_json
from corpus_qa.resultsfile import (
    ResultsFile,
    ResultsFileError,
    item_line,
    shard_pattern,
    write_results,
)


def _results(documents: int, findings: int) -> dict[str, Any]:
    return {
        "schema_version": 1, "success": False, "suite": "s", "corpus": ["c"],
        "statistics": {"documents": documents}, "expectations": [], "stories": [],
        "skipped_files": [], "run": {"started": "", "duration_s": 0.0, "tool_version": "x"},
        "documents": [{"id": f"d{i}", "path": f"c/d{i}.txt", "story": None,
                       "metadata": {"title": {"value": f"Tïtle «{i}»", "origin": "text"}}}
                      for i in range(documents)],
        "findings": [{"document": f"d{i % max(documents, 1)}", "expectation": "e",
                      "reason": "r", "message": f"m\u2028{i}", "span": [i, i + 1],
                      "severity": "error", "gate": "counted"} for i in range(findings)],
    }


def _shards(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".jsonl"))


def test_inline_below_the_limit_is_the_usual_file(tmp_path: Path) -> None:
    data = _results(3, 4)
    written = write_results(data, tmp_path / "results.json", shard_above=7)
    assert written == [tmp_path / "results.json"]
    assert (tmp_path / "results.json").read_text("utf-8") == dump_json(data)
    assert _shards(tmp_path) == []


def test_sharded_round_trip_same_items_same_order(tmp_path: Path) -> None:
    data = _results(5, 12)
    written = write_results(data, tmp_path / "results.json", shard_above=16, shard_items=4)
    names = _shards(tmp_path)
    assert len(names) == 2 + 3 and len(written) == 1 + 5
    assert all(shard_pattern(tmp_path / "results.json").fullmatch(n) for n in names)
    on_disk = json.loads((tmp_path / "results.json").read_text("utf-8"))
    assert "documents" not in on_disk and "findings" not in on_disk
    assert [e["items"] for e in on_disk["shards"]["findings"]] == [4, 4, 4]
    assert on_disk["statistics"] == data["statistics"]
    read = ResultsFile(tmp_path / "results.json")
    assert read.sharded
    assert list(read.documents()) == data["documents"]
    assert list(read.findings()) == data["findings"]
    again = read.results()
    assert len(again["findings"]) == 12 and list(again["findings"]) == data["findings"]
    assert list(again["findings"]) == data["findings"]  # a fresh pass each time
    inline = ResultsFile(_inline(tmp_path, data))
    assert not inline.sharded
    assert list(inline.findings()) == list(read.findings())
    assert inline.summary == read.summary


def _inline(tmp_path: Path, data: dict[str, Any]) -> Path:
    (tmp_path / "inline").mkdir(exist_ok=True)
    write_results(data, tmp_path / "inline" / "results.json")
    return tmp_path / "inline" / "results.json"


def test_each_line_is_the_items_json(tmp_path: Path) -> None:
    data = _results(1, 2)
    write_results(data, tmp_path / "r.json", shard_above=0)
    (findings,) = [n for n in _shards(tmp_path) if ".findings-" in n]
    lines = (tmp_path / findings).read_bytes().splitlines(keepends=True)
    assert lines == [item_line(f) for f in data["findings"]]
    assert lines[0].decode("utf-8").count("\n") == 1  # U+2028 stays inside its line


def test_stale_shards_of_a_larger_earlier_run_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    write_results(_results(10, 30), target, shard_above=0, shard_items=5)
    assert len(_shards(tmp_path)) == 2 + 6
    other = tmp_path / "other.json"  # another results file's shards are not its own
    write_results(_results(1, 1), other, shard_above=0)
    (tmp_path / "results.findings-notes.jsonl").write_text("mine\n")
    write_results(_results(2, 3), target, shard_above=0, shard_items=5)
    mine = [n for n in _shards(tmp_path) if n.startswith("results.")]
    assert len(mine) == 1 + 1 + 1 and "results.findings-notes.jsonl" in mine
    assert list(ResultsFile(target).findings()) == _results(2, 3)["findings"]
    write_results(_results(2, 3), target)  # inline again: no shard of its name is left
    assert [n for n in _shards(tmp_path) if n.startswith("results.")] == [
        "results.findings-notes.jsonl"]
    assert len(list(ResultsFile(other).findings())) == 1


def test_interrupted_write_leaves_the_earlier_results_whole(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    first = _results(3, 8)
    write_results(first, target, shard_above=0, shard_items=3)
    before = sorted(os.listdir(tmp_path))

    class Interrupted:
        def __len__(self) -> int:
            return 10

        def __iter__(self) -> Any:
            yield from _results(3, 10)["findings"][:7]
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_results({**_results(3, 0), "findings": Interrupted()}, target, shard_above=0,
                      shard_items=3)
    assert sorted(os.listdir(tmp_path)) == before  # no temporary file, no new shard
    assert list(ResultsFile(target).findings()) == first["findings"]


@pytest.mark.parametrize("damage", ["missing", "changed", "truncated", "renamed"])
def test_a_missing_or_changed_shard_is_an_error_naming_it(tmp_path: Path, damage: str) -> None:
    target = tmp_path / "results.json"
    write_results(_results(2, 6), target, shard_above=0, shard_items=4)
    shard = tmp_path / json.loads(target.read_text("utf-8"))["shards"]["findings"][1]["path"]
    if damage == "missing":
        shard.unlink()
    elif damage == "changed":
        shard.write_bytes(shard.read_bytes().replace(b'"m', b'"M'))
    elif damage == "truncated":
        shard.write_bytes(shard.read_bytes().splitlines(keepends=True)[0])
    else:
        target.rename(tmp_path / "renamed.json")
        target = tmp_path / "renamed.json"
    with pytest.raises(ResultsFileError) as caught:
        ResultsFile(target)
    assert (shard.name if damage != "renamed" else "renamed.json") in str(caught.value)
    assert "—" in str(caught.value)  # says what to do


def test_a_shard_changed_after_opening_is_caught_while_reading(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    write_results(_results(2, 4), target, shard_above=0)
    results = ResultsFile(target)
    shard = tmp_path / results.shards["findings"][0]["path"]  # type: ignore[index]
    shard.write_bytes(shard.read_bytes().replace(b'"m', b'"M'))
    with pytest.raises(ResultsFileError, match=shard.name):
        list(results.findings())


def test_a_shard_path_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    write_results(_results(1, 1), target, shard_above=0)
    data = json.loads(target.read_text("utf-8"))
    data["shards"]["findings"][0]["path"] = "../../etc/passwd"
    target.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ResultsFileError, match="not a shard of this file"):
        ResultsFile(target)


@pytest.mark.parametrize("text,expected", [
    ("{", "results.json:1: not JSON"),
    ("[]", "no schema_version"),
    ('{"schema_version": 1, "documents": []}', "no 'findings' list"),
])
def test_not_a_results_file(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "results.json").write_text(text, "utf-8")
    with pytest.raises(ResultsFileError, match=expected):
        ResultsFile(tmp_path / "results.json")
    with pytest.raises(ResultsFileError, match="cannot read"):
        ResultsFile(tmp_path / "absent.json")


def test_output_checks_cover_the_shard_names(tmp_path: Path) -> None:
    corpus = tmp_path / "results.findings-00000-0123abcd.jsonl"
    corpus.write_text("{}\n")
    json_out = Output("--json", str(tmp_path / "results.json"),
                      siblings=shard_pattern(tmp_path / "results.json"))
    with pytest.raises(OutputError, match="corpus file"):
        check_outputs([json_out], corpus=[corpus])
    junit = Output("--junit", str(tmp_path / "results.documents-00001-0123abcd.jsonl"))
    with pytest.raises(OutputError, match="--junit"):
        check_outputs([junit, json_out], corpus=[])
    check_outputs([json_out, Output("--junit", str(tmp_path / "junit.xml"))], corpus=[])
