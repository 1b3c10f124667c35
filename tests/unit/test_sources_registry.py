"""The suffix registry: one table, compound suffixes, no heavy imports at registration."""

from __future__ import annotations

import subprocess
import sys

import pytest

from corpus_qa.sources.registry import DOCUMENT_SUFFIXES, Format, format_of, is_document_file


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.txt", Format("text")),
        ("notes/B.MD", Format("text")),
        ("part-0.jsonl", Format("jsonl")),
        ("part-0.jsonl.gz", Format("jsonl", "gzip")),
        ("part-0.JSONL.ZST", Format("jsonl", "zstd")),
        ("part-0.jsonl.zstd", Format("jsonl", "zstd")),
        ("part-0.jsonl.bz2", Format("jsonl", "bz2")),
        ("part-0.jsonl.xz", Format("jsonl", "xz")),
        ("c4-train.00001-of-01024.json.gz", Format("jsonl", "gzip")),
        ("train-00000-of-00002.parquet", Format("parquet")),
        ("notes.pdf", None),
        ("archive.tar.gz", None),
        ("data.json", None),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_format_by_suffix(name: str, expected: Format | None) -> None:
    assert format_of(name) == expected
    assert is_document_file(name) is (expected is not None)


def test_every_listed_suffix_has_a_format() -> None:
    assert all(format_of(f"x{suffix}") is not None for suffix in DOCUMENT_SUFFIXES)
    assert format_of("x.jsonl.zst").label == "jsonl.zstd"


def test_registry_and_plugin_import_no_heavy_module() -> None:
    code = ("import sys, corpus_qa.sources.registry, corpus_qa.pytest_plugin; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'yaml', 'pyarrow', 'zstandard', 'great_expectations', 'pandas'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_plugin_and_gating_use_the_registry() -> None:
    from corpus_qa import gating, pytest_plugin

    assert pytest_plugin.DOCUMENT_SUFFIXES is DOCUMENT_SUFFIXES
    assert gating.DOCUMENT_SUFFIXES is DOCUMENT_SUFFIXES
