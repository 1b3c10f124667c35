"""corpus-qa installed, used outside this repository: the packaged suite and lists, errors
in ``[tool.corpus_qa]`` and in ``builtin:`` names, the wheel's contents, the results
contract checked against ``corpus_qa/data/results.schema.json``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from packaging.requirements import Requirement

from corpus_qa.data import builtin_names
from tests.conftest import ROOT, SEED_000, SEED_001, SEEDS

CORPUS_QA = Path(sys.executable).parent / "corpus-qa"
SCHEMA = json.loads((ROOT / "corpus_qa" / "data" / "results.schema.json").read_text("utf-8"))


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUTF8": "1"}
    return subprocess.run([str(CORPUS_QA), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def _valid(results: dict) -> dict:
    jsonschema.Draft202012Validator(SCHEMA).validate(results)
    return results


def test_validate_in_an_empty_folder_uses_the_builtin_suite(tmp_path: Path) -> None:
    assert not [p for p in tmp_path.parents if (p / "pyproject.toml").is_file()]
    shutil.copytree(SEEDS, tmp_path / "seeds")
    proc = _run("validate", "seeds", "--json", "out.json", "-q", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # the seeds' known errors, as with the repo suite
    assert "corpus-qa: suite builtin:news.yml (the default: no --suite, no [tool.corpus_qa] " \
           "suite, no expectations/news.yml here)" in proc.stderr
    results = _valid(json.loads((tmp_path / "out.json").read_text("utf-8")))
    assert results["suite"] == "news" and results["corpus"] == ["seeds"]
    failing = {(f["document"], f["reason"]) for f in results["findings"]
               if f["severity"] == "error"}
    assert {(SEED_000, "missing_field"), (SEED_001, "missing_field"),
            (SEED_001, "licence_notice")} <= failing
    boilerplate = next(e for e in results["expectations"]
                       if e["type"] == "expect_document_to_have_no_boilerplate")
    assert boilerplate["kwargs"]["patterns"][0] == "builtin:boilerplate/syndication.yml"


def test_a_local_expectations_news_yml_is_the_default(tmp_path: Path) -> None:
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "news.yml").write_text(
        "name: local\nexpectations:\n  - type: expect_document_to_have_no_mojibake\n", "utf-8")
    (tmp_path / "doc.txt").write_text("Plain text.\n", "utf-8")
    proc = _run("validate", "doc.txt", "--json", "out.json", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "corpus-qa: suite expectations/news.yml (the default" in proc.stderr
    assert _valid(json.loads((tmp_path / "out.json").read_text("utf-8")))["suite"] == "local"


def test_results_of_unreadable_and_jsonl_input_follow_the_schema(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    shutil.copy(SEEDS / f"{SEED_000}.txt", corpus / "sub" / "story.txt")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02binary\xff")
    (corpus / "latin1.txt").write_bytes("café au lait\n".encode("latin-1"))
    (corpus / "records.jsonl").write_text(
        '{"id": "r1", "text": "Talks began. Reporting by Jane Doe.", '
        '"metadata": {"date": "2024-01-02", "source": "Wire"}}\n'
        "{not json\n"
        '{"id": "r2", "text": "A second record.", "date": "2024-02-30"}\n', "utf-8")
    proc = _run("validate", "corpus", "--suite", "builtin:news.yml", "--json", "out.json", "-q",
                cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    results = _valid(json.loads((tmp_path / "out.json").read_text("utf-8")))
    reasons = {f["reason"] for f in results["findings"]}
    assert {"binary_file", "invalid_json", "invalid_utf8", "invalid_date"} <= reasons
    assert {"r1", "r2", "sub/story", "latin1"} <= {d["id"] for d in results["documents"]}
    # The schema is not vacuous: a wrong severity or a missing required key is refused.
    broken = {**results, "findings": [{**results["findings"][0], "severity": "fatal"}]}
    with pytest.raises(jsonschema.ValidationError):
        _valid(broken)
    with pytest.raises(jsonschema.ValidationError):
        _valid({k: v for k, v in results.items() if k != "statistics"})


def test_schema_command_prints_the_results_schema(tmp_path: Path) -> None:
    proc = _run("schema", "--results", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == SCHEMA
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(("args", "message"), [
    (["--suite", "builtin:nws.yml"], "corpus-qa: error: builtin:nws.yml:1: no packaged file "
     "'builtin:nws.yml'; did you mean 'builtin:news.yml'?"),
    (["--suite", "suite.yml"], "corpus-qa: error: suite.yml:5: expect_document_to_have_no_"
     "boilerplate: no packaged file 'builtin:boilerplate/legl.yml'; did you mean "
     "'builtin:boilerplate/legal.yml'?"),
], ids=["suite-name", "list-name"])
def test_wrong_builtin_name_exits_2_with_file_line(tmp_path: Path, args: list[str],
                                                   message: str) -> None:
    (tmp_path / "suite.yml").write_text(
        "name: x\nexpectations:\n  - type: expect_document_to_have_no_boilerplate\n"
        "    patterns:\n      - builtin:boilerplate/legl.yml\n", "utf-8")
    (tmp_path / "doc.txt").write_text("Text.\n", "utf-8")
    proc = _run("validate", "doc.txt", *args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_tool_corpus_qa_key_exits_2(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.corpus_qa]\npaths = ["doc.txt"]\nsuit = "builtin:news.yml"\n', "utf-8")
    (tmp_path / "doc.txt").write_text("Text.\n", "utf-8")
    proc = _run("validate", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == ("corpus-qa: error: pyproject.toml:3: [tool.corpus_qa] suit: "
                                   "unknown key; did you mean 'suite'? — known keys: paths, "
                                   "suite, pytest, baseline, waivers, engine, spark_master, "
                                   "spark_conf, shard_results_above")


SOURCES = shutil.ignore_patterns(".*", "__pycache__", "*.egg-info", "build", "dist", "reports",
                                 "node_modules", "seeds", "benchmarks")


@pytest.mark.slow
def test_wheel_holds_the_packaged_suite_lists_and_schemas(tmp_path: Path) -> None:
    # Build from a clean copy: a stale build/ folder in the work tree could hide a missing file.
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=SOURCES)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = (tmp_path / "dist").glob("corpus_qa-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"corpus_qa/data/{name}" for name in builtin_names()}
    assert "corpus_qa/data/news.yml" in expected and len(expected) == 7
    expected |= {"corpus_qa/data/results.schema.json", "corpus_qa/data/suite.schema.json"}
    assert expected <= names, sorted(expected - names)
    assert not [n for n in names if n.startswith(("expectations/", "tests/"))]
    # corpus-qa init's starter files: links in the source tree, their content in the wheel.
    starters = {"github-actions.yml": ROOT / "examples" / "github-actions.yml",
                "pre-commit-hooks.yaml": ROOT / ".pre-commit-hooks.yaml",
                "sample.jsonl": ROOT / "corpus_qa" / "starter" / "sample.jsonl"}
    for name, source_file in starters.items():
        assert zipfile.ZipFile(wheel).read(f"corpus_qa/starter/{name}") == \
            source_file.read_bytes(), name
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    requires = [Requirement(line.split(":", 1)[1]) for line in
                zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
                if line.startswith("Requires-Dist:")]
    runtime = {r.name: r for r in requires if r.marker is None}
    # Ranges, not exact pins, so pip installs corpus-qa beside other tools (issue 18).
    assert not [r for r in requires if any(s.operator == "==" for s in r.specifier)], requires
    assert {"great-expectations", "pandas", "numpy", "pytest", "hypothesis"} <= set(runtime)
    assert all(r.specifier for r in runtime.values()), runtime
