"""Output paths checked before a run, and files written atomically (corpus_qa/outputs.py)."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from corpus_qa.outputs import Output, OutputError, atomic_open, check_outputs, write_atomically

REPORT = ("index.html", "data")


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus" / "sub").mkdir(parents=True)
    (tmp_path / "corpus" / "a.txt").write_text("A document.\n", encoding="utf-8")
    (tmp_path / "file.txt").write_text("one file\n", encoding="utf-8")
    (tmp_path / "outdir").mkdir()
    (tmp_path / "suite.yml").write_text("name: s\n", encoding="utf-8")
    return tmp_path


REFUSED = [
    pytest.param([Output("--summary-md", "corpus/a.txt")], "is inside the corpus path corpus",
                 id="a-file-of-the-corpus"),
    pytest.param([Output("--json", "corpus/sub/r.json")], "is inside the corpus path corpus",
                 id="inside-the-corpus"),
    pytest.param([Output("--report", "corpus", REPORT)], "is inside the corpus path",
                 id="report-into-the-corpus"),
    pytest.param([Output("--json", "r.json"), Output("--junit", "./r.json")],
                 "--json and --junit both write r.json", id="same-file-twice"),
    pytest.param([Output("--report", "out", REPORT), Output("--gx-docs", "out", ("index.html",))],
                 "--report and --gx-docs both write out/index.html", id="two-reports-one-folder"),
    pytest.param([Output("--report", "out", REPORT), Output("--json", "out/data/r.json")],
                 "--report and --json both write", id="inside-the-report-data"),
    pytest.param([Output("--json", "outdir")], "--json outdir is a directory", id="a-directory"),
    pytest.param([Output("--junit", "file.txt/j.xml")], "is a file, not a directory",
                 id="below-a-file"),
    pytest.param([Output("--report", "file.txt", REPORT)], "is a file — give a directory",
                 id="report-is-a-file"),
    pytest.param([Output("--json", "suite.yml")], "would overwrite the --suite file",
                 id="the-suite"),
    pytest.param([Output("--junit", "-")], "only --json can write to standard output",
                 id="dash-not-json"),
]


@pytest.mark.parametrize(("outputs", "message"), REFUSED)
def test_refused_outputs(here: Path, outputs: list[Output], message: str) -> None:
    with pytest.raises(OutputError, match=re.escape(message)):
        check_outputs(outputs, corpus=["corpus"], inputs=[("--suite", "suite.yml")])


ACCEPTED = [
    pytest.param([Output("--json", "-")], id="json-to-stdout"),
    pytest.param([Output("--report", "reports", REPORT),
                  Output("--summary-md", "reports/summary.md"),
                  Output("--json", "reports/results.json")], id="beside-the-report"),
    pytest.param([Output("--json", "corpus/.cache/r.json")], id="hidden-folder-in-the-corpus"),
    pytest.param([Output("--write-baseline", "base.json")], id="baseline-update-in-place"),
    pytest.param([Output("--json", "new/deeper/r.json")], id="folders-to-create"),
]


@pytest.mark.parametrize("outputs", ACCEPTED)
def test_accepted_outputs(here: Path, outputs: list[Output]) -> None:
    check_outputs(outputs, corpus=["corpus"], inputs=[("--baseline", "base.json")])


def test_a_corpus_file_given_alone(here: Path) -> None:
    with pytest.raises(OutputError, match="--summary-md ./file.txt is the corpus file file.txt"):
        check_outputs([Output("--summary-md", "./file.txt")], corpus=["file.txt"])


def test_a_report_whose_data_folder_is_the_corpus(here: Path) -> None:
    (here / "data").mkdir()
    with pytest.raises(OutputError,
                       match="--report . would write data, which holds the corpus path data"):
        check_outputs([Output("--report", ".", REPORT)], corpus=["data"])


def test_a_link_to_the_corpus_is_the_corpus(here: Path) -> None:
    os.symlink("corpus", here / "alias")
    with pytest.raises(OutputError, match="inside the corpus"):
        check_outputs([Output("--json", "alias/r.json")], corpus=["corpus"])


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    target.write_text("old and complete\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic_open(target) as out:
        out.write("half of the new")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old and complete\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_a_complete_write_replaces_the_file_with_ordinary_permissions(tmp_path: Path) -> None:
    target = write_atomically(tmp_path / "sub" / "r.xml", "<new/>\n")
    assert target.read_text(encoding="utf-8") == "<new/>\n"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    assert sorted(p.name for p in target.parent.iterdir()) == ["r.xml"]


def test_a_write_that_fails_is_an_output_error_naming_the_path(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="plain/r.json: cannot write"):
        write_atomically(tmp_path / "plain" / "r.json", "{}")
