"""``corpus-qa init``: a starter corpus repository that validates, runs under pytest, and
never overwrites a file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from corpus_qa.cli import main
from corpus_qa.data import resolve_data_path
from corpus_qa.scaffold import STARTERS
from corpus_qa.suite import load_suite

ROOT = Path(__file__).resolve().parents[2]
WRITTEN = [s.path for s in STARTERS]


def _run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A command in ``cwd`` with this tree's corpus_qa first on the path (plugin included)."""
    path = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONUTF8": "1", "PYTHONPATH": os.pathsep.join(path)}
    return subprocess.run([sys.executable, "-m", *command], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_init_then_validate_and_pytest_pass_on_the_sample_and_fail_on_a_defect(
        tmp_path: Path) -> None:
    repo = tmp_path / "new-corpus"
    init = _run("corpus_qa.cli", "init", str(repo), cwd=tmp_path)
    assert init.returncode == 0, init.stdout + init.stderr
    assert sorted(_tree(repo)) == sorted(WRITTEN)
    for path in WRITTEN:
        assert re.search(rf"^  wrote   {re.escape(path)} ", init.stdout, re.M), path

    clean = _run("corpus_qa.cli", "validate", cwd=repo)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "corpus-qa: passed — 3 documents, 0 errors" in clean.stdout
    vendored = repo / "corpus-qa" / "tests"  # where the workflow expects corpus-qa's checkout
    vendored.mkdir(parents=True)
    (vendored / "test_theirs.py").write_text("def test_not_collected():\n    assert False\n")
    tests = _run("pytest", "-p", "no:cacheprovider", cwd=repo)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert re.search(r"\b15 passed\b", tests.stdout)  # 1 shard x (input + 14 expectations)

    sample = repo / "corpus" / "sample.jsonl"
    sample.write_text(sample.read_text(encoding="utf-8").replace("crème", "crÃ¨me"),
                      encoding="utf-8")
    broken = _run("corpus_qa.cli", "validate", cwd=repo)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert re.search(r'^corpus/sample\.jsonl:3: expect_document_to_have_no_mojibake '
                     r'\[mojibake\] text line 3, column \d+: mojibake "crÃ¨me"', broken.stdout,
                     re.M), broken.stdout
    failing = _run("pytest", "-p", "no:cacheprovider", "-rf", cwd=repo)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "FAILED corpus/sample.jsonl::expect_document_to_have_no_mojibake" in failing.stdout
    assert "(record old-town-cafe)" in failing.stdout
    assert re.search(r"\b1 failed, 14 passed\b", failing.stdout)


def test_existing_files_are_left_byte_identical(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    (repo / "expectations").mkdir(parents=True)
    (repo / "corpus").mkdir()
    mine = {
        "pyproject.toml": b'[project]\nname = "my-corpus"\n',
        "README.md": b"# My corpus\n\nArticles we license.\n",
        "expectations/news.yml": b"name: mine\nexpectations: []\n",
        "corpus/a.txt": b"An article of ours.\n",
    }
    for path, data in mine.items():
        (repo / path).write_bytes(data)
    (repo / ".gitignore").symlink_to(repo / "elsewhere")  # dangling: still not replaced
    assert main(["init", str(repo)]) == 0
    out = capsys.readouterr().out
    after = _tree(repo)
    assert {path: after[path] for path in mine} == mine
    assert not (repo / ".gitignore").exists() and (repo / ".gitignore").is_symlink()
    assert "corpus/sample.jsonl" not in after  # corpus/ has documents already
    assert sorted(set(after) - set(mine)) == sorted(
        {".github/workflows/corpus-qa.yml", ".pre-commit-config.yaml", ".corpus-qa-waivers.yml",
         ".corpus-qa-baseline.json"})
    assert "  kept    pyproject.toml " in out
    assert "pyproject.toml: exists without [tool.corpus_qa]; left as it is — add this table" in out
    assert '[tool.corpus_qa]\npaths = ["corpus"]' in out
    assert "README.md: exists; left as it is — to describe the checks, add this paragraph:" in out
    assert "## Corpus quality checks" in out
    assert "  kept    corpus/sample.jsonl " in out and "already holds documents" in out
    assert "  kept    .gitignore " in out


def test_the_generated_suite_is_the_packaged_one_with_the_corpus_path(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path)]) == 0
    generated = tmp_path / "expectations" / "news.yml"
    packaged = resolve_data_path("builtin:news.yml")
    data = yaml.safe_load(generated.read_text(encoding="utf-8"))
    assert data.pop("corpus") == {"paths": ["corpus"]}
    assert data == yaml.safe_load(packaged.read_text(encoding="utf-8"))
    text = generated.read_text(encoding="utf-8")
    assert "builtin:boilerplate/syndication.yml" in text and "To extend one" in text
    suite, reference = load_suite(generated), load_suite(packaged)
    assert suite.paths == ("corpus",)
    def declared(s: object) -> list[tuple]:
        return [(e.type, e.kwargs, e.severity, e.mostly) for e in s.expectations]  # type: ignore[attr-defined]

    assert declared(suite) == declared(reference) and len(suite.expectations) == 14
    assert suite.to_gx_json().count('"type"') == reference.to_gx_json().count('"type"')


def test_workflow_and_hook_are_the_shipped_ones(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path)]) == 0
    assert (tmp_path / ".github/workflows/corpus-qa.yml").read_bytes() == \
        (ROOT / "examples" / "github-actions.yml").read_bytes()
    (shipped,) = [h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
                  if h["id"] == "corpus-qa"]
    config = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (repo,) = config["repos"]
    (hook,) = repo["hooks"]
    assert repo["repo"] == "local" and hook["language"] == "system"
    for key in ("id", "entry", "pass_filenames", "require_serial"):
        assert hook[key] == shipped[key], key
    files = re.compile(hook["files"])
    for staged in ("corpus/a.txt", "corpus/2024/part-0.jsonl.zst", "corpus/b.PARQUET",
                   "corpus/c.json.gz"):
        assert files.search(staged), staged
    for other in ("README.md", "docs/a.md", "corpus/notes.pdf", "expectations/news.yml"):
        assert not files.search(other), other
    assert main(["validate", "--waivers", str(tmp_path / ".corpus-qa-waivers.yml"),
                "--baseline", str(tmp_path / ".corpus-qa-baseline.json"),
                "--suite", str(tmp_path / "expectations" / "news.yml"), "-q",
                str(tmp_path / "corpus")]) == 0  # the files the workflow passes are valid


def test_init_on_a_file_is_a_usage_error(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    assert main(["init", str(target)]) == 2
    assert capsys.readouterr().err.strip() == \
        f"corpus-qa: error: {target}: not a directory — give a new or existing folder"
    assert target.read_text(encoding="utf-8") == "x"
