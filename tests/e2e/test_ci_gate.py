"""Issue 18, "a CI gate you can trust", case by case from a temporary git repository.

Each test builds a small corpus repository, commits it and runs ``corpus-qa validate``
in a subprocess as CI or the pre-commit hook would. The shipped workflow and hook
themselves are run by ``tests/e2e/test_gating_git.py``.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, SEED_000, SEED_001, SEEDS, run_cli
from tests.e2e.test_gating_git import BIN, commit_all, git

MOJIBAKE_SUITE = "name: enc\nexpectations:\n  - type: expect_document_to_have_no_mojibake\n"
TEXT = "Line one.\nLine two.\nThen the cafÃ© opened."
"""A multi-line text whose mojibake starts at line 3, column 10 of the text."""
RECORDS = [{"id": f"doc-{n}", "text": f"Document {n} is fine."} for n in range(3)]
RECORDS.append({"id": "doc-3", "text": TEXT})


def corpus_repo(root: Path, files: dict[str, bytes | str], *, pyproject: str | None = None,
                suite: str = MOJIBAKE_SUITE) -> Path:
    """A git repository at ``root`` with ``files`` (relative paths), a suite, committed."""
    root.mkdir()
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    (root / "suite.yml").write_text(suite, encoding="utf-8")
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "corpus")
    return root


def jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def parquet(records: list[dict]) -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(records), out)
    return out.getvalue()


# --- case 3: a finding in a record points at the record ------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "where", "annotation"),
    [
        pytest.param("part-0.jsonl", jsonl(RECORDS), "corpus/part-0.jsonl:4: ",
                     "::error file=corpus/part-0.jsonl,line=4,title=", id="jsonl"),
        pytest.param("part-0.jsonl.gz", gzip.compress(jsonl(RECORDS).encode(), mtime=0),
                     "corpus/part-0.jsonl.gz:4: ",
                     "::error file=corpus/part-0.jsonl.gz,line=4,title=", id="jsonl.gz"),
        pytest.param("part-0.parquet", None, "corpus/part-0.parquet:4: ",
                     "::error file=corpus/part-0.parquet,title=", id="parquet"),
    ],
)
def test_a_finding_in_a_record_points_at_the_record(tmp_path: Path, name: str,
                                                     content: str | bytes | None, where: str,
                                                     annotation: str) -> None:
    # Before the fix: line = the record's line + the text's own line offset
    # (part-0.jsonl:6:10), which is another record.
    root = corpus_repo(tmp_path / "repo", {f"corpus/{name}": content or parquet(RECORDS)})
    row = "row 4, " if name.endswith(".parquet") else ""
    text = run_cli("validate", "corpus", "--suite", "suite.yml", "--junit", "junit.xml",
                   "--json", "results.json", cwd=root)
    assert text.returncode == 1, text.stdout + text.stderr
    expected = (f"{where}expect_document_to_have_no_mojibake [mojibake] "
                f"{row}text line 3, column 10: mojibake \"cafÃ©\"")
    assert [line for line in text.stdout.splitlines() if line.startswith("corpus/")] == [
        line for line in text.stdout.splitlines() if line.startswith(expected)]
    assert any(line.startswith(expected) for line in text.stdout.splitlines()), text.stdout
    assert expected in (root / "junit.xml").read_text(encoding="utf-8")
    (finding,) = json.loads((root / "results.json").read_text(encoding="utf-8"))["findings"]
    assert (finding["document"], finding["line"], finding["column"]) == ("doc-3", 4, 1)
    assert (finding["record"], finding["text_line"], finding["text_column"]) == (
        "row" if row else "line", 3, 10)

    github = run_cli("validate", "corpus", "--suite", "suite.yml", "--format", "github",
                     cwd=root)
    (command,) = [line for line in github.stdout.splitlines()
                  if line.startswith("::error file=")]
    assert command.startswith(annotation + "expect_document_to_have_no_mojibake [mojibake]::"
                              f"{row}text line 3, column 10: mojibake"), command


def test_a_text_file_keeps_file_line_and_column(tmp_path: Path) -> None:
    root = corpus_repo(tmp_path / "repo", {"corpus/a.txt": TEXT + "\n"})
    run = run_cli("validate", "corpus", "--suite", "suite.yml", "--format", "github", cwd=root)
    assert "::error file=corpus/a.txt,line=3,col=10,title=" in run.stdout, run.stdout
    plain = run_cli("validate", "corpus", "--suite", "suite.yml", cwd=root)
    assert re.search(r"^corpus/a\.txt:3:10: expect_document_to_have_no_mojibake \[mojibake\] "
                     r"mojibake", plain.stdout, re.M), plain.stdout


# --- case 4: files given alone (the pre-commit hook) ----------------------------------------

HOOK = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]
PROJECT = ('[tool.corpus_qa]\npaths = ["corpus"]\nsuite = "builtin:news.yml"\n'
           'baseline = ".corpus-qa-baseline.json"\n')


def seeds_repo(root: Path, pyproject: str = PROJECT) -> Path:
    """The two seed versions in different folders of corpus/, and a third document."""
    return corpus_repo(root, {
        f"corpus/2023/{SEED_000}.txt": (SEEDS / f"{SEED_000}.txt").read_bytes(),
        f"corpus/other/{SEED_001}.txt": (SEEDS / f"{SEED_001}.txt").read_bytes(),
        "corpus/other/moj.txt": "The cafÃ© opened on Monday in the old town.\n",
    }, pyproject=pyproject)


def run_hook(root: Path) -> subprocess.CompletedProcess:
    """The shipped hook as pre-commit runs it: its entry, then the staged files it matches."""
    staged = git(root, "diff", "--cached", "--name-only", "-z").split("\0")
    files = [name for name in staged if name and re.search(HOOK["files"], name)]
    assert files, "nothing staged for the hook"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PYTHONUTF8": "1"}
    return subprocess.run([*shlex.split(HOOK["entry"]), *files, "--json", "hook.json"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_the_hook_on_staged_files_keeps_ids_and_the_baseline(tmp_path: Path) -> None:
    root = seeds_repo(tmp_path / "repo")
    whole = run_cli("validate", "--write-baseline", ".corpus-qa-baseline.json", "--json",
                    "whole.json", cwd=root)
    assert whole.returncode == 1, whole.stderr  # the seeds have known findings
    commit_all(root, "baseline")
    ids = {d["id"] for d in json.loads((root / "whole.json").read_text("utf-8"))["documents"]}
    assert ids == {f"2023/{SEED_000}", f"other/{SEED_001}", "other/moj"}

    # A harmless edit to one version: staged, then the hook runs on it.
    seed = root / "corpus" / "2023" / f"{SEED_000}.txt"
    seed.write_bytes(seed.read_bytes() + b"\n")
    git(root, "add", "corpus")
    hooked = run_hook(root)
    # Before the fix: ids relative to the file's folder ("000_…"), so its known findings
    # were "new" and every finding of the documents not checked was "fixed".
    assert hooked.returncode == 0, hooked.stdout + hooked.stderr
    assert "baseline: 0 new, " in hooked.stdout and ", 0 fixed" in hooked.stdout, hooked.stdout
    results = json.loads((root / "hook.json").read_text("utf-8"))
    assert {d["id"] for d in results["documents"]} == {f"2023/{SEED_000}", f"other/{SEED_001}"}
    assert results["gating"]["baseline"]["fixed"] == 0
    assert "files given: 1 document given and 1 other version of its stories; validating 2 " \
           "of 3 documents, skipped 1" in hooked.stderr


@pytest.mark.slow
def test_the_hook_checks_a_staged_version_against_its_story(tmp_path: Path) -> None:
    root = seeds_repo(tmp_path / "repo", PROJECT.replace('baseline = ".corpus-qa-baseline.json"\n',
                                                         ""))
    version = root / "corpus" / "other" / f"{SEED_001}.txt"
    text = version.read_text(encoding="utf-8")
    version.write_text(text.replace("10,000 illegal crossings", "12,000 illegal crossings"),
                       encoding="utf-8")
    git(root, "add", "corpus")
    hooked = run_hook(root)
    # Before the fix the story checks ran on 0 stories: the other version was not read.
    assert hooked.returncode == 1, hooked.stdout + hooked.stderr
    results = json.loads((root / "hook.json").read_text("utf-8"))
    changed = [f for f in results["findings"] if f["reason"] == "figure_changed"]
    assert changed and {f["document"] for f in changed} <= {f"2023/{SEED_000}",
                                                            f"other/{SEED_001}"}
    assert results["statistics"]["stories"] == 1 and len(results["stories"]) == 1


def test_a_file_outside_any_configured_corpus_takes_its_id_from_the_work_tree(
        tmp_path: Path) -> None:
    root = corpus_repo(tmp_path / "repo", {"corpus/sub/c.txt": "The cafÃ© opened.\n",
                                           "corpus/a.txt": "Fine.\n"})
    # The JSON goes beside the repository: an output inside the corpus (".") is refused.
    whole = run_cli("validate", ".", "--suite", "suite.yml", "--json",
                    str(tmp_path / "whole.json"), cwd=root)
    one = run_cli("validate", "corpus/sub/c.txt", "--suite", "suite.yml", "--json",
                  str(tmp_path / "one.json"), cwd=root)
    two = run_cli("validate", "corpus/a.txt", "corpus/sub/c.txt", "--suite", "suite.yml",
                  "--json", str(tmp_path / "two.json"), cwd=root)

    def ids(name: str) -> set[str]:
        return {d["id"] for d in json.loads((tmp_path / name).read_text("utf-8"))["documents"]}

    # Before: "c" (the file's own folder), whatever the folder validated says.
    assert ids("whole.json") == {"corpus/sub/c", "corpus/a"}, whole.stderr
    assert ids("one.json") == {"corpus/sub/c"}, one.stderr
    assert ids("two.json") == {"corpus/sub/c", "corpus/a"}, two.stderr


# --- case 6: every suite error in one run -------------------------------------------------


def test_every_suite_error_is_reported_in_one_run(tmp_path: Path) -> None:
    suite = ("name: broken\nexpectations:\n  - type: expect_nope\n"
             "  - type: expect_document_to_have_metadata\n    feilds: [date]\n"
             "  - type: expect_document_to_have_no_mojibake\n    severity: fatal\n")
    root = corpus_repo(tmp_path / "repo", {"corpus/a.txt": "Fine.\n"}, suite=suite)
    run = run_cli("validate", "corpus", "--suite", "suite.yml", cwd=root)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    # Before: only the first line, so fixing a suite took one run per mistake.
    assert [line.split(": ")[0] for line in run.stderr.splitlines()
            if line.startswith(("corpus-qa: error: suite.yml", "suite.yml"))] == [
        "corpus-qa", "suite.yml:5", "suite.yml:7"]
    assert "suite.yml:3: unknown expectation 'expect_nope'" in run.stderr
    assert "suite.yml:5: expect_document_to_have_metadata: unknown parameter 'feilds'; " \
           "did you mean 'fields'?" in run.stderr
    assert "(3 problems in the suite; fix them all)" in run.stderr


# --- case 6: an exported suite works from any folder --------------------------------------

HOUSE_LIST = """patterns:
  - id: acme_copyright
    phrase: 'Copyright Acme Wire'
    reason: licence_notice
    where: anywhere
    example: Copyright Acme Wire
"""
HOUSE_SUITE = """name: house
expectations:
  - type: expect_document_to_have_no_boilerplate
    patterns:
      - builtin:boilerplate/syndication.yml
      - lists/house.yml
"""
LOAD_ELSEWHERE = """
import json, sys
import pandas as pd
import great_expectations as gx
import corpus_qa
from great_expectations.core import ExpectationSuite

context = gx.get_context(mode="ephemeral")
suite = context.suites.add(ExpectationSuite(**json.load(open(sys.argv[1]))))
frame = pd.DataFrame({"body": ["Rates rose.\\nCopyright Acme Wire\\n", "Rates fell.\\n"]})
batch = (context.data_sources.add_pandas("p").add_dataframe_asset("a")
         .add_batch_definition_whole_dataframe("all").get_batch(
             batch_parameters={"dataframe": frame}))
result = batch.validate(suite)
print(json.dumps([r.result.get("unexpected_count") for r in result.results]))
"""


def test_an_exported_suite_carries_the_users_lists_and_loads_from_any_folder(
        tmp_path: Path) -> None:
    root = corpus_repo(tmp_path / "repo", {"corpus/a.txt": "Fine.\n",
                                           "expectations/lists/house.yml": HOUSE_LIST},
                       suite="")
    (root / "expectations" / "suite.yml").write_text(HOUSE_SUITE, encoding="utf-8")
    commit_all(root, "suite")
    exported = tmp_path / "out" / "house.gx.json"
    exported.parent.mkdir()
    run = run_cli("export-gx", "expectations/suite.yml", "-o", str(exported), cwd=root)
    assert run.returncode == 0, run.stderr
    patterns = json.loads(exported.read_text(encoding="utf-8"))["expectations"][0]["kwargs"][
        "patterns"]
    # Before: "expectations/lists/house.yml", a path relative to where export-gx ran.
    assert patterns == ["builtin:boilerplate/syndication.yml",
                        {"file": "lists/house.yml", "text": HOUSE_LIST}]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    loaded = subprocess.run([sys.executable, "-c", LOAD_ELSEWHERE, str(exported)],
                            cwd=elsewhere, capture_output=True, text=True, check=False)
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout.strip().splitlines()[-1]) == [1]  # the house line

    broken = exported.read_text(encoding="utf-8").replace("reason: licence_notice",
                                                          "reason: licence")
    exported.write_text(broken, encoding="utf-8")
    failed = subprocess.run([sys.executable, "-c", LOAD_ELSEWHERE, str(exported)],
                            cwd=elsewhere, capture_output=True, text=True, check=False)
    assert failed.returncode != 0
    assert "lists/house.yml (embedded):4: reason" in failed.stderr, failed.stderr[-1500:]


def test_report_before_the_corpus_says_how_to_write_it(tmp_path: Path) -> None:
    root = corpus_repo(tmp_path / "repo", {"corpus/a.txt": "Fine.\n"})
    before = sorted(p.name for p in (root / "corpus").iterdir())
    run = run_cli("validate", "--report", "corpus", "--suite", "suite.yml", cwd=root)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert "'--report corpus' took corpus as the report folder" in run.stderr
    assert "corpus-qa validate corpus --report" in run.stderr
    assert sorted(p.name for p in (root / "corpus").iterdir()) == before  # nothing written
    fixed = run_cli("validate", "corpus", "--report", "--suite", "suite.yml", cwd=root)
    assert fixed.returncode == 0, fixed.stderr
    assert (root / "reports" / "index.html").is_file()
    assert sorted(p.name for p in (root / "corpus").iterdir()) == before
