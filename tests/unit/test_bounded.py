"""Bounded work per document: front matter that would explode, repeat or lie is a finding,
and so is a document over the size limit.

YAML front matter is walked event by event before anything is built, so an alias bomb,
a flood of keys or a deep nest is refused in time linear in its size; a key given twice
is reported (the first value kept); a value that states nothing (``null``, ``~``, empty)
does not count as stated.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from corpus_qa.documents import Document
from corpus_qa.metadata import check_has_metadata, resolve
from corpus_qa.sources import iter_corpus
from corpus_qa.sources.base import DEFAULT_MAX_DOCUMENT_BYTES, FieldMap, InputProblem
from corpus_qa.sources.records import make_document
from corpus_qa.sources.text import (
    FRONT_MATTER_MAX_CHARS,
    FRONT_MATTER_MAX_DEPTH,
    FRONT_MATTER_MAX_NODES,
    load_text_file,
)
from corpus_qa.suite import SuiteError, load_suite

BODY = "The council met on Tuesday. It approved the budget.\n"


def _load(tmp_path: Path, text: str) -> tuple[Document, list[InputProblem]]:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    items = list(load_text_file(path, "doc.txt", "doc"))
    docs = [i for i in items if isinstance(i, Document)]
    assert len(docs) == 1, "the document is always loaded"
    return docs[0], [i for i in items if isinstance(i, InputProblem)]


def _billion_laughs(levels: int = 10) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "---\n" + "\n".join(lines) + "\ntitle: Laughs\n---\n" + BODY


def test_an_alias_bomb_is_refused_at_once_naming_the_line(tmp_path: Path) -> None:
    started = time.perf_counter()
    doc, problems = _load(tmp_path, _billion_laughs())
    # a hang guard, not a benchmark: expanded, 10 levels would be 9**10 items (hours)
    assert time.perf_counter() - started < 60
    assert [(p.reason, p.line, p.loaded) for p in problems] == [("front_matter_alias", 3, True)]
    assert problems[0].message.startswith("front matter uses the YAML alias *a0, which is not")
    assert doc.fields == {}
    assert doc.text[doc.body_start:] == BODY  # the body is still checked, as text


def test_one_alias_is_refused_too(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, "---\nsource: &s VOA\nlicence: *s\n---\n" + BODY)
    assert [(p.reason, p.line) for p in problems] == [("front_matter_alias", 3)]


def test_four_hundred_thousand_keys_are_refused_quickly(tmp_path: Path) -> None:
    block = "".join(f"k{i}: v\n" for i in range(400_000))
    started = time.perf_counter()
    doc, problems = _load(tmp_path, "---\n" + block + "---\n" + BODY)
    assert time.perf_counter() - started < 60  # a hang guard: it never finished in 180 s
    assert [p.reason for p in problems] == ["front_matter_too_large"]
    assert f"over the limit of {FRONT_MATTER_MAX_CHARS:,}" in problems[0].message
    assert doc.text[doc.body_start:] == BODY


def test_too_many_keys_under_the_size_limit(tmp_path: Path) -> None:
    block = "".join(f"k{i}: v\n" for i in range(FRONT_MATTER_MAX_NODES))
    assert len(block) < FRONT_MATTER_MAX_CHARS
    _, problems = _load(tmp_path, "---\n" + block + "---\n" + BODY)
    assert [p.reason for p in problems] == ["front_matter_too_large"]
    assert f"more than {FRONT_MATTER_MAX_NODES:,} keys and values" in problems[0].message
    # The limit is the limit: half as many keys are read.
    block = "".join(f"k{i}: v\n" for i in range(FRONT_MATTER_MAX_NODES // 2 - 1))
    doc, problems = _load(tmp_path, "---\n" + block + "---\n" + BODY)
    assert problems == [] and len(doc.fields) == FRONT_MATTER_MAX_NODES // 2 - 1


@pytest.mark.parametrize("opener", ["[", "{a: "], ids=["lists", "mappings"])
def test_deep_nesting_is_refused_without_recursion(tmp_path: Path, opener: str) -> None:
    nest = opener * 30_000
    assert len(nest) < FRONT_MATTER_MAX_CHARS * 4
    text = "---\nx: " + nest[: FRONT_MATTER_MAX_CHARS - 10] + "\n---\n" + BODY
    _, problems = _load(tmp_path, text)
    assert [p.reason for p in problems] == ["front_matter_too_large"]
    assert f"nests more than {FRONT_MATTER_MAX_DEPTH} levels" in problems[0].message


def test_a_duplicated_key_is_reported_and_the_first_value_kept(tmp_path: Path) -> None:
    text = "---\ndate: 2023-01-02\nsource: VOA\nDate: 2024-05-06\n---\n" + BODY
    doc, problems = _load(tmp_path, text)
    assert [(p.reason, p.line) for p in problems] == [("duplicate_front_matter_key", 4)]
    assert problems[0].message == (
        "front matter key 'date' appears twice (first at line 2); the first value is used "
        "— keep one")
    assert doc.fields["date"].value == "2023-01-02"
    assert doc.text[slice(*doc.fields["date"].span)] == "2023-01-02"


@pytest.mark.parametrize("value", ["null", "~", "", "Null", "''", '""', "[]", "[null, '']"],
                         ids=["null", "tilde", "nothing", "Null", "empty-single",
                              "empty-double", "empty-list", "list-of-nothing"])
def test_a_value_that_states_nothing_is_not_stated(tmp_path: Path, value: str) -> None:
    doc, problems = _load(tmp_path, f"---\nattribution: {value}\nsource: VOA\n---\n" + BODY)
    assert problems == []
    assert "attribution" not in doc.fields
    hits = check_has_metadata(resolve(doc), ["attribution", "source"])
    assert [h.message.split("'")[1] for h in hits] == ["attribution"]


@pytest.mark.parametrize("value, stated", [("'null'", "null"), ("Jane Doe", "Jane Doe"),
                                           ("[AP, Reuters]", "AP, Reuters")],
                         ids=["quoted-null", "a-name", "a-list"])
def test_a_quoted_null_or_a_real_value_is_stated(tmp_path: Path, value: str, stated: str) -> None:
    doc, problems = _load(tmp_path, f"---\nattribution: {value}\n---\n" + BODY)
    assert problems == []
    assert doc.fields["attribution"].value == stated


# --- one document's size -------------------------------------------------------------


def test_a_text_file_over_the_limit_is_a_finding_and_not_read(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("word " * 300, encoding="utf-8")
    (tmp_path / "small.txt").write_text("word " * 10, encoding="utf-8")
    items = list(iter_corpus([tmp_path], fields=FieldMap(max_document_bytes=1_000)))
    problems = [i for i in items if isinstance(i, InputProblem)]
    assert [(p.path.rsplit("/", 1)[-1], p.line, p.reason, p.document) for p in problems] == [
        ("big.txt", 1, "document_too_large", "big")]
    assert problems[0].message.startswith(
        "the file is 1,500 bytes, over the limit of 1,000 for one document — split it, or "
        "raise the limit (--max-document-bytes")
    assert [d.id for d in items if isinstance(d, Document)] == ["small"]


@pytest.mark.parametrize("size", [0, 999, 1_000, 1_001, 1_500])
def test_a_text_file_read_in_short_pieces_is_read_whole(tmp_path: Path, size: int,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A read may return fewer bytes than asked: the file is read on to its end (or to
    one byte over the limit), whatever the pieces."""
    import os

    data = bytes(65 + i % 26 for i in range(size))
    (tmp_path / "f.txt").write_bytes(data)
    read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: read(fd, min(n, 7)))
    items = list(iter_corpus([tmp_path], fields=FieldMap(max_document_bytes=1_000)))
    if size > 1_000:
        assert [(i.reason, f"is {size:,} bytes" in i.message) for i in items] == [
            ("document_too_large", True)]
    else:
        assert [(type(i).__name__, i.raw) for i in items] == [("Document", data)]


def test_a_record_over_the_limit_is_a_finding_naming_its_line(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "a", "text": "ok"}), json.dumps({"id": "b", "text": "x" * 2_000}),
             json.dumps({"id": "c", "text": "ok too"})]
    (tmp_path / "s.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(iter_corpus([tmp_path], fields=FieldMap(max_document_bytes=1_000)))
    assert [(i.line, i.reason) for i in items if isinstance(i, InputProblem)] == [
        (2, "document_too_large")]
    assert [d.id for d in items if isinstance(d, Document)] == ["a", "c"]


def test_a_parquet_text_over_the_limit_is_a_finding() -> None:
    record = {"id": "p", "text": "é" * 600}  # 1,200 bytes of UTF-8
    problem = make_document(record, "s.parquet", 4, "s.parquet#row4",
                            FieldMap(max_document_bytes=1_000))
    assert isinstance(problem, InputProblem)
    assert (problem.reason, problem.line, problem.document) == ("document_too_large", 4, "p")
    assert "the text is 1,200 bytes" in problem.message


def test_the_limit_comes_from_the_suite(tmp_path: Path) -> None:
    suite = tmp_path / "suite.yml"
    suite.write_text("name: x\ncorpus:\n  max_document_bytes: 5000\nexpectations:\n"
                     "  - type: expect_document_to_be_valid_utf8\n", encoding="utf-8")
    assert load_suite(suite).fields.max_document_bytes == 5000
    suite.write_text("name: x\ncorpus:\n  max_document_bytes: big\nexpectations:\n"
                     "  - type: expect_document_to_be_valid_utf8\n", encoding="utf-8")
    with pytest.raises(SuiteError, match=r":3: 'corpus.max_document_bytes' must be a positive"):
        load_suite(suite)


def test_the_default_limit_is_ten_megabytes() -> None:
    assert FieldMap().max_document_bytes == DEFAULT_MAX_DOCUMENT_BYTES == 10_000_000
