"""A Great Expectations user finds the classes, builds the DataFrame, and gets clear errors."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import corpus_qa
from corpus_qa.expectations import registered
from corpus_qa.frames import COLUMNS, gx_dataframe
from tests.conftest import SEEDS

ROOT = Path(__file__).resolve().parents[2]


def test_every_expectation_class_is_importable_from_the_package() -> None:
    classes = {cls.__name__: cls for cls in registered().values()}
    assert sorted(classes) == sorted(corpus_qa.EXPECTATIONS)
    for name, cls in classes.items():
        assert getattr(corpus_qa, name) is cls
    assert set(corpus_qa.EXPECTATIONS) <= set(dir(corpus_qa))
    with pytest.raises(AttributeError, match="no attribute 'ExpectNothing'"):
        corpus_qa.ExpectNothing  # noqa: B018


def test_import_corpus_qa_stays_cheap() -> None:
    code = ("import sys, corpus_qa\n"
            "assert 'great_expectations' not in sys.modules\n"
            "assert 'pandas' not in sys.modules\n"
            "assert 'ExpectDocumentToHaveNoMojibake' in dir(corpus_qa)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr


def test_the_helper_builds_the_rows_the_runner_validates() -> None:
    documents = gx_dataframe(SEEDS)
    assert tuple(documents.columns) == COLUMNS["documents"]
    assert len(documents) == len(list(SEEDS.glob("*.txt")))
    first = documents.iloc[0]
    assert isinstance(first["raw"], bytes) and first["body"]["text"] == first["text"]
    assert "date" in first["metadata"] or "source" in first["metadata"]
    stories = gx_dataframe(SEEDS, rows="stories")
    assert tuple(stories.columns) == COLUMNS["stories"]
    (versions,) = stories["versions"]
    assert {v["id"] for v in versions} == set(documents["id"])
    with pytest.raises(ValueError, match="rows must be one of documents, stories"):
        gx_dataframe(SEEDS, rows="corpus")


def test_the_story_expectations_run_on_the_stories_frame() -> None:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_pandas("s").add_dataframe_asset("stories")
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(
        batch_parameters={"dataframe": gx_dataframe(SEEDS, rows="stories")})
    result = batch.validate(corpus_qa.ExpectVersionsToPreserveDiacritics())
    assert not result.exception_info["raised_exception"]
    assert result.result["unexpected_count"] == 1  # the seeds' Lopez/López


@pytest.mark.parametrize("expectation, column", [
    ("ExpectDocumentToHaveMetadata", "metadata"),
    ("ExpectVersionsToHaveConsistentFigures", "versions"),
    ("ExpectDocumentToBeValidUtf8", "raw"),
])
def test_a_missing_column_is_a_clear_error_naming_it_and_the_helper(expectation: str,
                                                                    column: str) -> None:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_pandas("p").add_dataframe_asset("a")
    batch = asset.add_batch_definition_whole_dataframe("b").get_batch(
        batch_parameters={"dataframe": pd.DataFrame({"text": ["Café ok"]})})
    kwargs = {"fields": ["date"]} if expectation == "ExpectDocumentToHaveMetadata" else {}
    result = batch.validate(getattr(corpus_qa, expectation)(**kwargs))
    assert not result.success
    message = result.exception_info["exception_message"]
    assert message.startswith(f'The column "{column}" in BatchData does not exist '
                              "(columns: text)")
    assert "corpus_qa.gx_dataframe(paths" in message and expectation in message


def test_list_names_each_class_its_column_and_its_default_severity() -> None:
    from corpus_qa.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["list"]) == 0
    text = out.getvalue()
    for cls in registered().values():
        assert f"class corpus_qa.{cls.__name__}; reads column '" in text
    credit = text.split("expect_versions_to_have_consistent_credit_lines")[1]
    assert "(default 'info')" in credit.split("expect_")[0]


def test_the_readme_notebook_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert len(code.strip().splitlines()) <= 14
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert "('expect_document_to_have_no_mojibake', 0)" in out.getvalue()
    assert "('expect_document_to_have_metadata', 2)" in out.getvalue()
