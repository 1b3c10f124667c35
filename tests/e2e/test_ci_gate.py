"""Issue 18, "a CI gate you can trust", case by case from a temporary git repository.

Each test builds a small corpus repository, commits it and runs ``corpus-qa validate``
in a subprocess as CI or the pre-commit hook would. The shipped workflow and hook
themselves are run by ``tests/e2e/test_gating_git.py``.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.e2e.test_gating_git import commit_all, git

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
